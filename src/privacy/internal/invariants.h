// What must hold for every scan of every input, whatever its bytes. The fuzz
// target (fuzz/pii_fuzz.cc) and the corpus replay test check these.
#pragma once

#include <string>
#include <string_view>

#include "privacy/privacy.h"

namespace candor::privacy::internal {

// Scans and masks `text` and returns a description of the first broken
// invariant, or an empty string:
//  - every finding lies within the text, is non-empty, and findings are
//    sorted and do not overlap;
//  - outside the placeholders, the masked text contains no original value of
//    a finding;
//  - masking the same text again with the same map gives the same output
//    (placeholders are stable), and the map survives Serialize/Parse.
std::string CheckScanInvariants(const PiiScanner& scanner, ScanScratch& scratch,
                                std::string_view text);

}  // namespace candor::privacy::internal

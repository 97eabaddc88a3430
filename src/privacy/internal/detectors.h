// The second stage of a scan: given where a Vectorscan pattern matched (its
// end offset only), find the exact span of the candidate by hand and confirm
// it with a validator.
//
// Each Detect* function looks at the candidate whose trigger ended at `end`,
// appends confirmed findings to `out` and returns the offset up to which later
// triggers of the same kind cannot add anything (the end of the region it
// examined, never less than `end`). The caller skips those triggers, so every
// byte is examined a bounded number of times: a scan stays linear on any
// input. All functions are safe on arbitrary bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "privacy/privacy.h"

namespace candor::privacy::internal {

class PhoneConfirmer;
class NameLexicon;

struct DetectContext {
  std::string_view text;
  const PhoneConfirmer* phone;
  const NameLexicon* names;
  std::vector<Finding>* out;
};

// detect_numbers.cc
size_t DetectEmail(const DetectContext& ctx, size_t end);
size_t DetectIban(const DetectContext& ctx, size_t end);
size_t DetectCardOrTaxId(const DetectContext& ctx, size_t end);
size_t DetectIpv4(const DetectContext& ctx, size_t end);
size_t DetectIpv6(const DetectContext& ctx, size_t end);

// phone.cc
size_t DetectPhone(const DetectContext& ctx, size_t end);

// detect_context.cc: `end` is the end of a cue word ("Passwort", "geboren",
// "Frau"); the value follows it.
enum class SecretCue { kPassword, kCode };
size_t DetectSecret(const DetectContext& ctx, size_t end, SecretCue cue);
size_t DetectBirthDate(const DetectContext& ctx, size_t end);

// detect_names.cc: `end` is the end of a salutation ("Frau"), an
// introduction ("mein Name ist", "I'm"), a closing ("Viele Grüße") or a
// relation or role ("mein Mann", "Kontoinhaberin"). Each returns the end of
// the name it added, or `end` when it added none.
size_t DetectName(const DetectContext& ctx, size_t end);
// Whether the word at [k, e) may be a name at all: capitalised, two letters
// or more, not in capitals and not one of the words that follow salutations
// without being names ("Sie", "Danke", "Mail", "Januar").
bool MayBeNameWord(std::string_view text, size_t k, size_t e);
// kStrong: "mein Name ist", "ich heiße", "my name is": any capitalised word
// (or a listed name in lower case) is the name. kWeak: "ich bin", "I'm",
// "this is": only a listed first name.
enum class IntroCue { kStrong, kWeak };
size_t DetectIntroducedName(const DetectContext& ctx, size_t end, IntroCue cue);
size_t DetectSignature(const DetectContext& ctx, size_t end);
size_t DetectRelatedName(const DetectContext& ctx, size_t end);
// One pass over the words in title case of the whole text (where they start,
// in order, as the prefilter finds them): a word after a cue word (an
// introduction, a closing, a relation) goes to the detectors above;
// otherwise it is a name when the name lists know it.
void FindNames(const DetectContext& ctx, std::span<const uint32_t> title_starts);

// detect_address.cc: `end` is the end of a run of digits, a house number or
// a postcode.
size_t DetectAddress(const DetectContext& ctx, size_t end);

}  // namespace candor::privacy::internal

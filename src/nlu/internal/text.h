// How both classifiers see a message: lower-cased, punctuation split off,
// digits folded to 0, and each masked placeholder ([IBAN_1], [CARD_2]) reduced
// to its type ([iban]) so a model learns "someone gave an IBAN", not which one.
#pragma once

#include <string>
#include <string_view>

namespace candor::nlu::internal {

// Tokens separated by single spaces; never empty for text with a letter or digit.
std::string NormalizeForModel(std::string_view text);

}  // namespace candor::nlu::internal

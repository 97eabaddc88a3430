// Spelling help for error messages: the known word closest to a typo.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace candor::policy::internal {

// The candidate nearest to `word` by edit distance, if it is near enough to be
// a likely typo (at most two edits, and fewer than half the word); else "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// ` (did you mean "x"?)`, or "" when nothing is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace candor::policy::internal

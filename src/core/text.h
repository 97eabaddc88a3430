// Small text checks shared by every edge that accepts text from outside.
#pragma once

#include <string>
#include <string_view>

namespace candor {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// Random identifier with a readable prefix, e.g. "c_7f3k...". Not a secret:
// identifiers name things, tokens (made elsewhere) grant access.
std::string NewId(std::string_view prefix);

}  // namespace candor

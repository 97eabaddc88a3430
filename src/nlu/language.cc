// Language identification with CLD2 (Debian libcld2): de, en or other.
#include <cstdio>  // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>

#include "core/text.h"
#include "nlu/nlu.h"

namespace candor::nlu {

std::string_view LanguageCode(Language language) {
  switch (language) {
    case Language::kGerman: return "de";
    case Language::kEnglish: return "en";
    case Language::kOther: return "other";
  }
  return "other";
}

Language DetectLanguage(std::string_view text, Language fallback) {
  // CLD2 trusts its input to be UTF-8; the server has checked, but a library
  // must not rely on its callers.
  if (text.empty() || !IsValidUtf8(text)) return fallback;
  bool reliable = false;
  CLD2::Language languages[3];
  int percents[3];
  int text_bytes = 0;
  CLD2::Language best = CLD2::DetectLanguageSummary(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, languages, percents,
      &text_bytes, &reliable);
  // Short messages ("Karte weg!!") are often unreliable; a deployment's main
  // language is the better guess then, unless CLD2 still sees de or en.
  if (best == CLD2::GERMAN) return Language::kGerman;
  if (best == CLD2::ENGLISH) return Language::kEnglish;
  if (!reliable || best == CLD2::UNKNOWN_LANGUAGE) return fallback;
  return Language::kOther;
}

}  // namespace candor::nlu

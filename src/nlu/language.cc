// Language identification with CLD2 (Debian libcld2): de, en or other.
// clang-format off
#include <cstdio>  // compact_lang_det.h uses FILE without including it
#include <cld2/public/compact_lang_det.h>
// clang-format on

#include "core/text.h"
#include "nlu/nlu.h"

namespace candor::nlu {

std::string_view LanguageCode(Language language) {
  switch (language) {
    case Language::kGerman:
      return "de";
    case Language::kEnglish:
      return "en";
    case Language::kOther:
      return "other";
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
  CLD2::Language best = CLD2::DetectLanguageSummary(text.data(), static_cast<int>(text.size()),
                                                    /*is_plain_text=*/true, languages, percents,
                                                    &text_bytes, &reliable);
  // A word or two ("ok", "danke!") is too little to go on, and CLD2 says so:
  // a deployment's main language is the better guess then. From three words
  // on, its best de/en guess beats the fallback even when it is unsure.
  if (!reliable) {
    size_t words = 0;
    bool in_word = false;
    for (char c : text) {
      const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      if (!space && !in_word) ++words;
      in_word = !space;
    }
    if (words < 3) return fallback;
  }
  if (best == CLD2::GERMAN) return Language::kGerman;
  if (best == CLD2::ENGLISH) return Language::kEnglish;
  if (!reliable || best == CLD2::UNKNOWN_LANGUAGE) return fallback;
  return Language::kOther;
}

}  // namespace candor::nlu

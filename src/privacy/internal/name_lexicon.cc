#include "privacy/internal/name_lexicon.h"

#include <cstring>
#include <string>

#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

// The lists from data/pii/names, one word a line, generated into this
// include by CMake.
#include "privacy/name_lists.inc"

// A multiply-xor mix of the word's bytes, read eight at a time. Bit 8 is set
// so that no entry is 0 (the empty mark).
uint64_t Hash(std::string_view word) {
  uint64_t h = word.size() * 0x9E3779B97F4A7C15ull;
  size_t k = 0;
  for (; k + 8 <= word.size(); k += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, word.data() + k, 8);
    h = (h ^ chunk) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  if (k < word.size()) {
    uint64_t chunk = 0;
    for (size_t i = k; i < word.size(); ++i)
      chunk |= uint64_t{static_cast<unsigned char>(word[i])} << (8 * (i - k));
    h = (h ^ chunk) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
  }
  h *= 0x9E3779B97F4A7C15ull;
  return (h & ~uint64_t{0xFF}) | 0x100;
}

// The cue words, lower case.
constexpr std::string_view kIntroCueWords[] = {"heiße", "heisse", "i'm", "i’m", "it's"};
constexpr std::string_view kCueWithContextWords[] = {"ist", "is",  "bin",     "am",
                                                     "die", "der", "spricht", "name"};
constexpr std::string_view kClosingCueWords[] = {
    "grüße",  "grüßen",    "grüsse", "grüssen", "gruß",       "gruss",  "regards",
    "cheers", "sincerely", "thanks", "danke",   "dankeschön", "ciao",   "tschüss",
    "servus", "mfg",       "lg",     "vg",      "greetings",  "wishes", "gruesse"};
constexpr std::string_view kRelationCueWords[] = {"mann",
                                                  "ehemann",
                                                  "ehefrau",
                                                  "sohn",
                                                  "tochter",
                                                  "vater",
                                                  "mutter",
                                                  "bruder",
                                                  "schwester",
                                                  "partnerin",
                                                  "partner",
                                                  "freundin",
                                                  "freund",
                                                  "kollegin",
                                                  "kollege",
                                                  "kollegen",
                                                  "chefin",
                                                  "chef",
                                                  "enkelin",
                                                  "enkel",
                                                  "oma",
                                                  "opa",
                                                  "nachbarin",
                                                  "nachbar",
                                                  "kontoinhaberin",
                                                  "kontoinhaber",
                                                  "karteninhaberin",
                                                  "karteninhaber",
                                                  "empfängerin",
                                                  "empfänger",
                                                  "beraterin",
                                                  "berater",
                                                  "ansprechpartnerin",
                                                  "ansprechpartner",
                                                  "vermieterin",
                                                  "vermieter",
                                                  "bevollmächtigte",
                                                  "bevollmächtigter",
                                                  "betreuerin",
                                                  "betreuer",
                                                  "husband",
                                                  "wife",
                                                  "son",
                                                  "daughter",
                                                  "father",
                                                  "mother",
                                                  "brother",
                                                  "sister",
                                                  "friend",
                                                  "colleague",
                                                  "boss",
                                                  "grandson",
                                                  "granddaughter",
                                                  "grandmother",
                                                  "grandfather",
                                                  "neighbour",
                                                  "neighbor",
                                                  "holder",
                                                  "cardholder",
                                                  "recipient",
                                                  "payee",
                                                  "beneficiary",
                                                  "advisor",
                                                  "adviser",
                                                  "landlord",
                                                  "landlady"};

template <typename Fn>
void ForEachLine(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    size_t eol = list.find('\n');
    std::string_view line = list.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] != '#') fn(line);
    if (eol == std::string_view::npos) break;
    list.remove_prefix(eol + 1);
  }
}

}  // namespace

NameLexicon::NameLexicon() : table_(1u << 14), mask_((1u << 14) - 1), filter_((1u << 16) / 64) {
  ForEachLine(kFirstNames, [this](std::string_view w) { Add(w, kFirstName); });
  ForEachLine(kSurnames, [this](std::string_view w) { Add(w, kSurname); });
  ForEachLine(kCommonWords, [this](std::string_view w) { Add(w, kCommonWord); });
  ForEachLine(kStreetSuffixesEn, [this](std::string_view w) { Add(w, kStreetSuffix); });
  // Cue words as written: lower case, capitalised, and short ones in
  // capitals ("LG", "MFG"), so a lookup needs no case folding.
  auto add_cue = [this](std::string_view w, uint8_t flag) {
    Add(w, flag);
    std::string spelling(w);
    spelling[0] = ToUpper(static_cast<unsigned char>(spelling[0]));
    Add(spelling, flag);
    if (w.size() <= 3) {
      for (char& c : spelling) c = ToUpper(static_cast<unsigned char>(c));
      Add(spelling, flag);
    }
  };
  for (std::string_view w : kIntroCueWords) add_cue(w, kIntroCue);
  for (std::string_view w : kCueWithContextWords) add_cue(w, kCueWithContext);
  for (std::string_view w : kClosingCueWords) add_cue(w, kClosingCue);
  for (std::string_view w : kRelationCueWords) add_cue(w, kRelationCue);
  Add("MfG", kClosingCue);
}

void NameLexicon::Add(std::string_view word, uint8_t flags) {
  if (word.size() >= 2) {
    uint64_t f = FilterHash(word);
    for (uint64_t slot : {f >> 48, (f >> 32) & 0xFFFF})
      filter_[slot >> 6] |= uint64_t{1} << (slot & 63);
  }
  uint64_t h = Hash(word);
  for (uint64_t i = (h >> 20) & mask_;; i = (i + 1) & mask_) {
    if (table_[i] == 0) {
      table_[i] = h | flags;
      return;
    }
    if ((table_[i] & ~uint64_t{0xFF}) == h) {
      table_[i] |= flags;
      return;
    }
  }
}

uint8_t NameLexicon::LookupInTable(std::string_view word) const {
  uint64_t h = Hash(word);
  for (uint64_t i = (h >> 20) & mask_;; i = (i + 1) & mask_) {
    uint64_t e = table_[i];
    if (e == 0) return 0;
    if ((e & ~uint64_t{0xFF}) == h) return static_cast<uint8_t>(e & 0xFF);
  }
}

uint8_t NameLexicon::LookupCapitalised(std::string_view word) const {
  if (word.empty() || !IsAsciiLower(static_cast<unsigned char>(word[0]))) return Lookup(word);
  char buffer[41];
  if (word.size() > 40) return 0;
  word.copy(buffer, word.size());
  buffer[0] = ToUpper(static_cast<unsigned char>(buffer[0]));
  return Lookup(std::string_view(buffer, word.size()));
}

}  // namespace candor::privacy::internal

// Postal addresses, found from their house number (any run of one to six
// digits): German, Austrian and Swiss ones name the street first
// ("Lindenstraße 12, 10115 Berlin", "Hauptstr. 5a", "Am Markt 3, 1010 Wien"),
// English ones put the number first ("221B Baker Street", "5340 Kaylee
// Skyway Suite 730", "12 Main St, Springfield, IL 62704"), and much of
// southern and western Europe writes "Via Roma 131" or "Rue de Virton 38".
//
// A street is recognised by its kind: a German suffix ("-straße", "-weg",
// "-gasse"), an English suffix word ("Street", "Ave", "Mews"), a Romance
// prefix ("Via", "Rue", "Calle"). Kinds that are also everyday words ("Platz",
// "Ring", "Park", "Points") count only with a postcode and town or a flat
// number after them, so "auf Platz 3" and "Parkplatz 3" stay as they are.
#include <algorithm>
#include <string>

#include "privacy/internal/detectors.h"
#include "privacy/internal/name_lexicon.h"
#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

bool IsLetterByte(unsigned char c) { return IsAsciiAlpha(c) || c >= 0x80; }

size_t SkipSpaces(std::string_view text, size_t k) {
  while (k < text.size() && text[k] == ' ') ++k;
  return k;
}

size_t LetterRunEnd(std::string_view text, size_t k) {
  while (k < text.size() && IsLetterByte(At(text, k))) ++k;
  return k;
}

// A word of letters with inner hyphens ("Karl-Marx-Straße").
size_t StreetWordEnd(std::string_view text, size_t k) {
  size_t e = LetterRunEnd(text, k);
  while (e + 1 < text.size() && text[e] == '-' && IsLetterByte(At(text, e + 1))) {
    e = LetterRunEnd(text, e + 1);
  }
  return e;
}

std::string Lower(std::string_view word) {
  std::string lower(word);
  for (char& c : lower) c = ToLower(static_cast<unsigned char>(c));
  return lower;
}

// `suffix` is lower case; only ASCII letters of `s` are folded.
bool EndsWithCaseless(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  size_t at = s.size() - suffix.size();
  for (size_t k = suffix.size(); k-- > 0;) {  // from the end: most words differ there
    if (ToLower(static_cast<unsigned char>(s[at + k])) != suffix[k]) return false;
  }
  return true;
}

template <size_t N>
bool OneOf(std::string_view word, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

// German street kinds, as the end of the street's (lower-cased) name.
constexpr std::string_view kStrongGermanSuffixes[] = {
    "straße", "strasse", "str.", "gasse",     "allee", "chaussee", "damm",   "ufer",
    "steig",  "stieg",   "pfad", "promenade", "zeile", "weg",      "gässle", "twiete"};
constexpr std::string_view kWeakGermanSuffixes[] = {
    "platz", "ring", "markt", "graben", "wall", "kai",   "hof",    "berg",
    "feld",  "park", "anger", "höhe",   "tal",  "grund", "garten", "siedlung"};
// "Am Markt 3", "An der Alster 5", "Unter den Linden 77": with a postcode only.
constexpr std::string_view kGermanPrefixes[] = {
    "Am",  "An",  "Auf",  "Im",    "In",    "Unter",  "Zum",  "Zur",    "Hinter",
    "Vor", "Bei", "Alte", "Alter", "Obere", "Untere", "Neue", "Kleine", "Große"};
// Streets named by a word before the name.
constexpr std::string_view kRomancePrefixes[] = {
    "Via",      "Viale",  "Piazza", "Corso",  "Largo", "Vicolo", "Rue",    "Rua",
    "Avenida",  "Avenue", "Calle",  "Carrer", "Plaza", "Paseo",  "Chemin", "Boulevard",
    "Travessa", "Praça",  "Allée",  "Place",  "Quai",  "Ulica",  "ul."};
constexpr std::string_view kRomanceParticles[] = {"de",    "do", "da", "dos", "das", "del",
                                                  "della", "di", "du", "des", "la",  "le",
                                                  "el",    "z",  "u",  "von", "der"};
// English street kinds that are not everyday words.
constexpr std::string_view kStrongEnglishSuffixes[] = {
    "Street",  "St",       "Avenue",    "Ave",       "Road",       "Rd",         "Lane",
    "Ln",      "Drive",    "Dr",        "Boulevard", "Blvd",       "Court",      "Ct",
    "Place",   "Pl",       "Terrace",   "Ter",       "Circle",     "Cir",        "Parkway",
    "Pkwy",    "Square",   "Sq",        "Highway",   "Hwy",        "Trail",      "Trl",
    "Alley",   "Crescent", "Close",     "Mews",      "Way",        "Plaza",      "Grove",
    "Gardens", "Heights",  "Ridge",     "Loop",      "Pike",       "Turnpike",   "Expressway",
    "Freeway", "Causeway", "Skyway",    "Stravenue", "Throughway", "Trafficway", "Row",
    "Walk",    "Crossing", "Crossroad", "Junction",  "Path",       "Estates",    "Manor",
    "Hollow",  "Glen",     "Glens",     "Harbor",    "Harbors",    "Ville",      "Vista",
    "Meadows", "Orchard",  "Knoll",     "Knolls",    "Burg",       "Burgs",      "Cove",
    "Coves",   "Creek",    "Crest",     "Shoals",    "Shores",     "Springs",    "Summit",
    "Via",     "Viaduct"};
constexpr std::string_view kUnitWords[] = {"Apt",   "Apartment", "Suite", "Ste", "Unit",    "Flat",
                                           "Floor", "Fl",        "Room",  "Rm",  "Wohnung", "Whg",
                                           "Top",   "Stiege",    "Tür",   "App"};
constexpr std::string_view kDirections[] = {"N",  "S",  "E",     "W",     "NE",   "NW",
                                            "SE", "SW", "North", "South", "East", "West"};
constexpr std::string_view kTownPrefixes[] = {"Bad", "Sankt", "St", "Neu", "Alt", "Groß", "Klein"};
constexpr std::string_view kTownLinks[] = {"am",  "an", "der", "im", "in",
                                           "bei", "ob", "vor", "auf"};

// A street without a suffix is named after a prefix word before it ("Via
// Roma", "Am Markt"): there must be a word before.
bool MayFollowRomancePrefix(std::string_view text, size_t word_start) {
  return word_start >= 2 && text[word_start - 1] == ' ' && IsLetterByte(At(text, word_start - 2));
}

// "12", "12a", "12-14", "12/3/4" from `k` (the digits already read up to
// `digits_end`): the house number's end.
size_t HouseNumberEnd(std::string_view text, size_t digits_end) {
  const size_t n = text.size();
  size_t e = digits_end;
  if (e < n && IsAsciiAlpha(At(text, e)) && (e + 1 >= n || !IsLetterByte(At(text, e + 1)))) ++e;
  for (int parts = 0; parts < 2; ++parts) {
    if (e + 1 < n && (text[e] == '-' || text[e] == '/') && IsDigit(At(text, e + 1))) {
      size_t d = e + 1;
      while (d < n && IsDigit(At(text, d)) && d - e <= 4) ++d;
      e = d;
      if (e < n && IsAsciiAlpha(At(text, e)) && (e + 1 >= n || !IsLetterByte(At(text, e + 1)))) ++e;
    }
  }
  return e;
}

// ", 10115 Berlin", "\n8001 Zürich", " D-80331 München", " 1010 Wien": the
// end of the postcode and town after `k`, or k when there are none.
size_t PostcodeAndTownEnd(std::string_view text, size_t k) {
  const size_t n = text.size();
  size_t p = k;
  if (p < n && text[p] == ',') ++p;
  p = SkipSpaces(text, p);
  if (p < n && text[p] == '\n') p = SkipSpaces(text, p + 1);
  for (std::string_view country : {"D-", "A-", "CH-", "DE-", "AT-"}) {
    if (text.substr(p, country.size()) == country) {
      p += country.size();
      break;
    }
  }
  size_t d = p;
  while (d < n && IsDigit(At(text, d))) ++d;
  if ((d - p != 4 && d - p != 5) || d >= n || text[d] != ' ') return k;
  size_t t = d + 1;
  size_t w = StreetWordEnd(text, t);
  if (w == t || !StartsUpper(text, t)) return k;
  std::string_view first = text.substr(t, w - t);
  size_t end = w;
  if (end < n && text[end] == '.' && first == "St") ++end;
  if (OneOf(first, kTownPrefixes) && end < n && text[end] == ' ' && StartsUpper(text, end + 1)) {
    end = StreetWordEnd(text, end + 1);
  }
  // "Frankfurt am Main", "Freiburg im Breisgau", "Frankfurt (Oder)".
  for (int links = 0; links < 2 && end < n && text[end] == ' '; ++links) {
    size_t s = end + 1;
    size_t le = LetterRunEnd(text, s);
    if (le < n && text[le] == ' ' && OneOf(text.substr(s, le - s), kTownLinks)) {
      size_t s2 = le + 1;
      if (s2 < n && OneOf(text.substr(s, le - s), {std::string_view("an")}) &&
          text.substr(s2, 4) == "der ") {
        s2 += 4;
      }
      if (!StartsUpper(text, s2)) break;
      end = StreetWordEnd(text, s2);
      continue;
    }
    if (s < n && text[s] == '(' && StartsUpper(text, s + 1)) {
      size_t close = StreetWordEnd(text, s + 1);
      if (close < n && text[close] == ')') end = close + 1;
    }
    break;
  }
  return end;
}

// A flat or suite after the number: ", Apt. 4B", " Suite 730", " Top 5".
size_t UnitEnd(std::string_view text, size_t k) {
  const size_t n = text.size();
  size_t p = k;
  if (p < n && text[p] == ',') ++p;
  p = SkipSpaces(text, p);
  if (p < n && p > k && text[p] == '\n') p = SkipSpaces(text, p + 1);
  size_t w = LetterRunEnd(text, p);
  if (p < n && text[p] == '#') {
    w = p;
  } else if (w == p || !OneOf(text.substr(p, w - p), kUnitWords)) {
    return k;
  }
  if (w < n && text[w] == '.') ++w;
  w = SkipSpaces(text, w);
  if (w < n && text[w] == '#') w = SkipSpaces(text, w + 1);
  size_t v = w;
  while (v < n && (IsAsciiAlnum(At(text, v)) || text[v] == '-') && v - w < 8) ++v;
  if (v == w || !std::any_of(text.begin() + w, text.begin() + v,
                             [](char c) { return IsDigit(static_cast<unsigned char>(c)); })) {
    return k;
  }
  return v;
}

// English: ", Springfield, IL 62704", ", London SW1A 1AA".
size_t CityStateZipEnd(std::string_view text, size_t k) {
  const size_t n = text.size();
  size_t p = k;
  if (p >= n || text[p] != ',') return k;
  p = SkipSpaces(text, p + 1);
  size_t city_end = p;
  for (size_t q = p, words = 0; words < 3 && StartsUpper(text, q); ++words) {
    size_t w = StreetWordEnd(text, q);
    bool state_code = w - q == 2 && IsAsciiUpper(At(text, q)) && IsAsciiUpper(At(text, q + 1));
    if (state_code || (w < n && IsDigit(At(text, w)))) break;
    city_end = w;
    if (w >= n || text[w] != ' ') break;
    q = w + 1;
  }
  if (city_end == p) return k;
  size_t q = city_end;
  if (q < n && text[q] == ',') ++q;
  q = SkipSpaces(text, q);
  // A US state and ZIP code.
  if (q + 2 < n && IsAsciiUpper(At(text, q)) && IsAsciiUpper(At(text, q + 1)) &&
      text[q + 2] == ' ') {
    size_t z = q + 3;
    size_t d = z;
    while (d < n && IsDigit(At(text, d))) ++d;
    if (d - z == 5) {
      if (d + 4 < n && text[d] == '-' && IsDigit(At(text, d + 1))) d += 5;
      return d;
    }
  }
  // A UK postcode: "SW1A 1AA", "M1 1AE".
  size_t o = q;
  while (o < n && IsAsciiAlnum(At(text, o)) && o - q < 4) ++o;
  if (o - q >= 2 && o + 3 < n && text[o] == ' ' && IsAsciiUpper(At(text, q)) &&
      IsDigit(At(text, o + 1)) && IsAsciiUpper(At(text, o + 2)) && IsAsciiUpper(At(text, o + 3))) {
    return o + 4;
  }
  return k;
}

void AddAddress(const DetectContext& ctx, size_t start, size_t end) {
  while (end > start && (ctx.text[end - 1] == ' ' || ctx.text[end - 1] == ',')) --end;
  ctx.out->push_back(
      Finding{PiiType::kAddress, start, end, std::string(ctx.text.substr(start, end - start))});
}

// Street before number. Returns the address's end, or 0.
size_t StreetThenNumber(const DetectContext& ctx, size_t run_start, size_t run_end) {
  std::string_view text = ctx.text;
  if (run_end - run_start > 4 || run_start < 3 || text[run_start - 1] != ' ') return 0;
  size_t word_end = run_start - 1;
  size_t ws = word_end;
  while (ws > 0 && (IsLetterByte(At(text, ws - 1)) || text[ws - 1] == '-' || text[ws - 1] == '.'))
    --ws;
  if (ws == word_end || !StartsUpper(text, ws)) return 0;
  std::string_view word = text.substr(ws, word_end - ws);
  // Every street kind ends in one of these: most words stop here.
  constexpr std::string_view kLastLetters = "e.rgdmtnlifkz";
  if (kLastLetters.find(ToLower(static_cast<unsigned char>(word.back()))) ==
          std::string_view::npos &&
      !MayFollowRomancePrefix(text, ws)) {
    return 0;
  }
  bool strong = false, weak = false;
  const char last = ToLower(static_cast<unsigned char>(word.back()));
  for (std::string_view s : kStrongGermanSuffixes)
    strong = strong || (s.back() == last && EndsWithCaseless(word, s));
  for (std::string_view s : kWeakGermanSuffixes)
    weak = weak || (s.back() == last && EndsWithCaseless(word, s));
  if (!strong && word.size() > 4 && EndsWithCaseless(word, "str")) strong = true;  // "Hauptstr 5"
  if (!strong && !weak && !MayFollowRomancePrefix(text, ws)) return 0;
  size_t start = ws;
  auto previous_word = [&](size_t at, size_t* s_out) -> std::string_view {
    if (at < 2 || text[at - 1] != ' ') return {};
    size_t e = at - 1, s = e;
    while (s > 0 && (IsLetterByte(At(text, s - 1)) || text[s - 1] == '.' || text[s - 1] == '-'))
      --s;
    *s_out = s;
    return text.substr(s, e - s);
  };
  if (strong || weak) {
    // "Straße" alone needs its name before it: "Berliner Straße 5", not
    // "auf Platz 3" or "die Straße 5".
    bool bare = false;
    for (std::string_view s : kStrongGermanSuffixes)
      bare = bare || (word.size() == s.size() && EndsWithCaseless(word, s));
    for (std::string_view s : kWeakGermanSuffixes)
      bare = bare || (word.size() == s.size() && EndsWithCaseless(word, s));
    if (bare) {
      size_t ps = 0;
      std::string_view prev = previous_word(ws, &ps);
      if (prev.empty() || !StartsUpper(text, ps) || OneOf(prev, kGermanPrefixes)) {
        if (prev.empty() || !OneOf(prev, kGermanPrefixes)) return 0;
        weak = true;  // "Am Ring 5" needs its postcode
      }
      start = ps;
    }
  } else {
    // A Romance prefix up to three words back: "Via Roma", "Rue de Virton".
    size_t at = ws;
    bool found = false;
    for (int back = 0; back < 3 && !found; ++back) {
      size_t ps = 0;
      std::string_view prev = previous_word(at, &ps);
      if (prev.empty()) break;
      // Every prefix is short: longer words are only read past.
      bool short_word = prev.size() <= 9;
      if (short_word && OneOf(prev, kRomancePrefixes)) {
        found = true;
        start = ps;
      } else if (short_word && back <= 1 && OneOf(prev, kGermanPrefixes)) {
        found = weak = true;
        start = ps;
        // "An der Alster": the article belongs to the prefix.
      } else if (!StartsUpper(text, ps) && (prev.size() > 5 || !OneOf(prev, kRomanceParticles))) {
        break;
      }
      at = ps;
    }
    if (!found) return 0;
    if (weak && !StartsUpper(text, start)) return 0;
  }
  size_t number_end = HouseNumberEnd(text, run_end);
  if (number_end < text.size() && IsLetterByte(At(text, number_end))) return 0;
  size_t end = number_end;
  size_t unit = UnitEnd(text, end);
  size_t town = PostcodeAndTownEnd(text, unit);
  if (town == unit && weak) return 0;
  end = town > unit ? town : unit;
  AddAddress(ctx, start, end);
  return end;
}

// Number before street. Returns the address's end, or 0.
size_t NumberThenStreet(const DetectContext& ctx, size_t run_start, size_t run_end) {
  std::string_view text = ctx.text;
  const size_t n = text.size();
  if (run_end - run_start > 6) return 0;
  if (run_start > 0 && (IsWordByte(At(text, run_start - 1)) || text[run_start - 1] == '.' ||
                        text[run_start - 1] == ',' || text[run_start - 1] == '-' ||
                        text[run_start - 1] == '+' || text[run_start - 1] == '/')) {
    return 0;
  }
  size_t k = run_end;
  if (k < n && IsAsciiUpper(At(text, k)) && (k + 1 >= n || text[k + 1] == ' ')) ++k;  // "221B"
  if (k >= n || text[k] != ' ') return 0;
  ++k;
  size_t w = LetterRunEnd(text, k);
  if (w < n && OneOf(text.substr(k, w - k), kDirections) && StartsUpper(text, k)) {
    if (w < n && text[w] == '.') ++w;
    if (w < n && text[w] == ' ') k = w + 1;
  }
  // Up to four name words, then the street kind.
  size_t name_words = 0;
  for (int words = 0; words < 5 && k < n; ++words) {
    size_t e = k;
    if (IsDigit(At(text, k))) {  // "5th Avenue"
      while (e < n && IsDigit(At(text, e))) ++e;
      size_t s = LetterRunEnd(text, e);
      std::string suffix = Lower(text.substr(e, s - e));
      if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") return 0;
      e = s;
    } else {
      if (!StartsUpper(text, k)) return 0;
      e = StreetWordEnd(text, k);
    }
    std::string_view word = text.substr(k, e - k);
    bool strong = OneOf(word, kStrongEnglishSuffixes);
    bool listed = (ctx.names->Lookup(word) & kStreetSuffix) != 0;
    if ((strong || listed) && name_words > 0) {
      size_t end = e;
      if (end < n && text[end] == '.') ++end;
      if (end < n && IsLetterByte(At(text, end))) return 0;
      size_t unit = UnitEnd(text, end);
      size_t unit2 = UnitEnd(text, unit);  // "Suite 568 Apt. 108"
      size_t city = CityStateZipEnd(text, unit2);
      if (!strong && unit2 == end && city == unit2) {
        // A kind that is an everyday word ("Points", "Park") needs more.
      } else {
        AddAddress(ctx, run_start, city);
        return city;
      }
    }
    ++name_words;
    if (e >= n || text[e] != ' ') return 0;
    k = e + 1;
  }
  return 0;
}

}  // namespace

size_t DetectAddress(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  size_t run_start = end;
  while (run_start > 0 && IsDigit(At(text, run_start - 1))) --run_start;
  if (run_start == end) return end;
  size_t found = StreetThenNumber(ctx, run_start, end);
  if (found == 0) found = NumberThenStreet(ctx, run_start, end);
  return std::max(end, found);
}

}  // namespace candor::privacy::internal

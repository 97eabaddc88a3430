// Tokens of an agent's reply, and the heuristics that tell a stated opening
// time or a negated one from a promise.
#include <algorithm>
#include <cctype>

#include "people/internal/promise_grammar.h"

namespace candor::people::internal {
namespace {

bool IsDash(std::string_view s, size_t i) {  // en or em dash
  return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE2 &&
         static_cast<unsigned char>(s[i + 1]) == 0x80 &&
         (static_cast<unsigned char>(s[i + 2]) == 0x93 ||
          static_cast<unsigned char>(s[i + 2]) == 0x94);
}
bool IsCurlyApostrophe(std::string_view s, size_t i) {
  return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE2 &&
         static_cast<unsigned char>(s[i + 1]) == 0x80 &&
         static_cast<unsigned char>(s[i + 2]) == 0x99;
}
bool IsNbsp(std::string_view s, size_t i) {
  return i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xC2 &&
         static_cast<unsigned char>(s[i + 1]) == 0xA0;
}
bool IsLetterByte(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  return std::isalpha(c) ||
         (c >= 0x80 && !IsDash(s, i) && !IsCurlyApostrophe(s, i) && !IsNbsp(s, i));
}

}  // namespace

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      tokens.push_back({Token::kBreak, "\n", 0, i, i + 1});
      ++i;
    } else if (std::isspace(c)) {
      ++i;
    } else if (IsNbsp(s, i)) {
      i += 2;
    } else if (std::isdigit(c)) {
      size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      Token t{Token::kNumber, std::string(s.substr(i, j - i)), 0, i, j};
      if (j - i <= 6) {
        for (char d : t.text) t.value = t.value * 10 + (d - '0');
      } else {
        t.kind = Token::kWord;  // an account number, not a count
      }
      tokens.push_back(std::move(t));
      i = j;
    } else if (IsLetterByte(s, i)) {
      std::string word;
      size_t j = i;
      while (j < s.size()) {
        if (IsLetterByte(s, j)) {
          const auto b = static_cast<unsigned char>(s[j]);
          if (b == 0xC3 && j + 1 < s.size()) {  // upper-case umlauts to lower-case
            const auto n = static_cast<unsigned char>(s[j + 1]);
            word += s[j];
            word += (n == 0x84 || n == 0x96 || n == 0x9C) ? static_cast<char>(n + 0x20) : s[j + 1];
            j += 2;
            continue;
          }
          word += static_cast<char>(std::tolower(b));
          ++j;
        } else if ((s[j] == '\'' || IsCurlyApostrophe(s, j)) && !word.empty()) {
          const size_t next = j + (s[j] == '\'' ? 1 : 3);
          if (next >= s.size() || !IsLetterByte(s, next)) break;
          word += '\'';
          j = next;
        } else {
          break;
        }
      }
      tokens.push_back({Token::kWord, std::move(word), 0, i, j});
      i = j;
    } else if (IsDash(s, i)) {
      tokens.push_back({Token::kPunct, "-", 0, i, i + 3});
      i += 3;
    } else {
      tokens.push_back({Token::kPunct, std::string(1, static_cast<char>(c)), 0, i, i + 1});
      ++i;
    }
  }
  return tokens;
}

bool In(std::string_view w, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

namespace {

// ---- false promises -------------------------------------------------------------

bool IsAbbreviation(std::string_view w) {
  return MonthOf(w) != 0 || WeekdayOf(w) >= 0 ||
         In(w, {"std", "min", "bzw", "usw", "inkl", "ca", "z", "b", "a", "p", "m", "dr", "nr"});
}

// Sentence ends: '!', '?', ';', a line break, or '.' after a word that is no
// abbreviation. Clause ends add ','.
bool IsBoundary(const std::vector<Token>& tokens, size_t i, bool clause) {
  const Token& t = tokens[i];
  if (t.kind == Token::kBreak) return true;
  if (t.kind != Token::kPunct) return false;
  if (t.text == "!" || t.text == "?" || t.text == ";") return true;
  if (clause && t.text == ",") return true;
  if (t.text == ".") {
    return i > 0 && tokens[i - 1].kind == Token::kWord && tokens[i - 1].text.size() >= 2 &&
           !IsAbbreviation(tokens[i - 1].text);
  }
  return false;
}

bool AnyWordAround(const std::vector<Token>& tokens, size_t begin, size_t end, bool clause,
                   std::initializer_list<std::string_view> words) {
  for (size_t i = begin; i > 0 && !IsBoundary(tokens, i - 1, clause); --i) {
    if (tokens[i - 1].kind == Token::kWord && In(tokens[i - 1].text, words)) return true;
  }
  for (size_t i = end; i < tokens.size() && !IsBoundary(tokens, i, clause); ++i) {
    if (tokens[i].kind == Token::kWord && In(tokens[i].text, words)) return true;
  }
  return false;
}

}  // namespace

// "Wir sind bis 18 Uhr erreichbar", "we are open until 6 pm on Friday",
// "bis Freitag schaffen wir das nicht".
bool IsNoPromise(const std::vector<Token>& tokens, size_t begin, size_t end) {
  if (AnyWordAround(tokens, begin, end, false,
                    {"geöffnet", "geoeffnet", "geschlossen", "erreichbar", "erreichen", "besetzt",
                     "öffnungszeiten", "oeffnungszeiten", "open", "closed", "opening"})) {
    return true;
  }
  return AnyWordAround(tokens, begin, end, true,
                       {"nicht", "nie", "niemals", "not", "never", "cannot", "can't", "won't"});
}

}  // namespace candor::people::internal

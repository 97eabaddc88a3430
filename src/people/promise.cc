// FindPromise: a small hand-written grammar over word tokens, German and
// English side by side. Parsing yields a Spec (what the words say: "a day and
// maybe a time", "a duration", "the end of a week"); Resolve turns a Spec into
// a Time against now, the zone and the business hours. The rules are written
// down in people.h.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/text.h"
#include "people/people.h"

namespace candor::people {
namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::minutes;
using std::chrono::weekday;
using std::chrono::year_month_day;

constexpr int kEndOfDayDefault = 18 * 60;  // when no business hours are known

// ---- tokens -------------------------------------------------------------------

struct Token {
  enum Kind { kWord, kNumber, kPunct, kBreak };  // kBreak: a line break
  Kind kind;
  std::string text;  // lower-case
  int value = 0;     // kNumber
  size_t begin = 0;  // byte offsets into the text
  size_t end = 0;
};

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
  return std::isalpha(c) || (c >= 0x80 && !IsDash(s, i) && !IsCurlyApostrophe(s, i) && !IsNbsp(s, i));
}

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

// A position in the tokens. Matching methods consume only on success, so a
// copy is a backtracking point.
class Cursor {
 public:
  Cursor(const std::vector<Token>& tokens, size_t pos) : tokens_(&tokens), pos_(pos) {}
  size_t pos() const { return pos_; }
  const Token* Peek() const { return pos_ < tokens_->size() ? &(*tokens_)[pos_] : nullptr; }
  bool Adjacent() const {  // the next token touches the previous one
    const Token* t = Peek();
    return t != nullptr && pos_ > 0 && (*tokens_)[pos_ - 1].end == t->begin;
  }
  bool Word(std::string_view w) {
    const Token* t = Peek();
    if (t == nullptr || t->kind != Token::kWord || t->text != w) return false;
    ++pos_;
    return true;
  }
  bool AnyWord(std::initializer_list<std::string_view> words) {
    const Token* t = Peek();
    if (t == nullptr || t->kind != Token::kWord || !In(t->text, words)) return false;
    ++pos_;
    return true;
  }
  // All of `words` in order, or nothing consumed.
  bool Seq(std::initializer_list<std::string_view> words) {
    Cursor c = *this;
    for (std::string_view w : words) {
      if (!c.Word(w)) return false;
    }
    *this = c;
    return true;
  }
  std::optional<std::string> AnyWordText() {
    const Token* t = Peek();
    if (t == nullptr || t->kind != Token::kWord) return std::nullopt;
    ++pos_;
    return t->text;
  }
  bool Punct(char p) {
    const Token* t = Peek();
    if (t == nullptr || t->kind != Token::kPunct || t->text[0] != p) return false;
    ++pos_;
    return true;
  }
  bool AdjacentPunct(char p) { return Adjacent() && Punct(p); }
  const Token* Number() {
    const Token* t = Peek();
    if (t == nullptr || t->kind != Token::kNumber) return nullptr;
    ++pos_;
    return t;
  }
  const Token* AdjacentNumber() { return Adjacent() ? Number() : nullptr; }

 private:
  const std::vector<Token>* tokens_;
  size_t pos_;
};

// ---- vocabulary ---------------------------------------------------------------

int MonthOf(std::string_view w) {
  struct Name {
    std::string_view name;
    int month;
  };
  static constexpr Name kMonths[] = {
      {"januar", 1},    {"jänner", 1},   {"jaenner", 1},  {"january", 1},  {"jan", 1},
      {"februar", 2},   {"february", 2}, {"feb", 2},      {"märz", 3},     {"maerz", 3},
      {"mär", 3},       {"mrz", 3},      {"march", 3},    {"mar", 3},      {"april", 4},
      {"apr", 4},       {"mai", 5},      {"may", 5},      {"juni", 6},     {"june", 6},
      {"jun", 6},       {"juli", 7},     {"july", 7},     {"jul", 7},      {"august", 8},
      {"aug", 8},       {"september", 9}, {"sep", 9},     {"sept", 9},     {"oktober", 10},
      {"october", 10},  {"okt", 10},     {"oct", 10},     {"november", 11}, {"nov", 11},
      {"dezember", 12}, {"december", 12}, {"dez", 12},    {"dec", 12},
  };
  for (const Name& n : kMonths) {
    if (n.name == w) return n.month;
  }
  return 0;
}

// c_encoding (0 = Sunday), or -1.
int WeekdayOf(std::string_view w) {
  struct Name {
    std::string_view name;
    int day;
  };
  static constexpr Name kDays[] = {
      {"montag", 1},     {"monday", 1},   {"mon", 1},      {"dienstag", 2},  {"tuesday", 2},
      {"tue", 2},        {"tues", 2},     {"mittwoch", 3}, {"wednesday", 3}, {"wed", 3},
      {"donnerstag", 4}, {"thursday", 4}, {"thu", 4},      {"thurs", 4},     {"freitag", 5},
      {"friday", 5},     {"fri", 5},      {"samstag", 6},  {"sonnabend", 6}, {"saturday", 6},
      {"sat", 6},        {"sonntag", 0},  {"sunday", 0},   {"sun", 0},
  };
  for (const Name& n : kDays) {
    if (n.name == w) return n.day;
  }
  return -1;
}

int NumberWord(std::string_view w) {
  struct Name {
    std::string_view name;
    int value;
  };
  static constexpr Name kNumbers[] = {
      {"ein", 1},     {"eine", 1},   {"einer", 1},   {"einem", 1},  {"einen", 1},
      {"a", 1},       {"an", 1},     {"one", 1},     {"zwei", 2},   {"two", 2},
      {"drei", 3},    {"three", 3},  {"vier", 4},    {"four", 4},   {"fünf", 5},
      {"fuenf", 5},   {"five", 5},   {"sechs", 6},   {"six", 6},    {"sieben", 7},
      {"seven", 7},   {"acht", 8},   {"eight", 8},   {"neun", 9},   {"nine", 9},
      {"zehn", 10},   {"ten", 10},   {"zwölf", 12},  {"zwoelf", 12}, {"twelve", 12},
      {"vierundzwanzig", 24}, {"achtundvierzig", 48},
  };
  for (const Name& n : kNumbers) {
    if (n.name == w) return n.value;
  }
  return 0;
}

const std::initializer_list<std::string_view> kNext = {
    "nächsten", "nächster", "nächste", "naechsten", "naechster", "naechste",
    "kommenden", "kommender", "kommende", "next"};

// ---- what the words say -------------------------------------------------------

struct DaySpec {
  enum Kind { kNone, kOffset, kWeekday, kDate, kBusinessDays } kind = kNone;
  int count = 0;  // kOffset: days from today; kBusinessDays: open days to count
  int weekday = 0;  // kWeekday: c_encoding
  bool strictly_next = false;  // kWeekday: never today
  int day = 0, month = 0, year = 0;  // kDate; month 0: this or next month; year 0: nearest
};

struct Spec {
  enum Kind { kAt, kDuration, kOpenDuration, kEndOfWeek, kEndOfMonth } kind = kAt;
  DaySpec day;                // kAt
  std::optional<int> time;    // kAt: minutes since local midnight, up to 1440
  minutes duration{0};        // kDuration, kOpenDuration
  int ahead = 0;              // kEndOfWeek, kEndOfMonth: 0 this one, 1 the next
};

Spec At(DaySpec day, std::optional<int> time = std::nullopt) {
  Spec s;
  s.day = day;
  s.time = time;
  return s;
}
DaySpec Offset(int days_ahead) {
  DaySpec d;
  d.kind = DaySpec::kOffset;
  d.count = days_ahead;
  return d;
}
Spec EndOf(Spec::Kind kind, int ahead) {
  Spec s;
  s.kind = kind;
  s.ahead = ahead;
  return s;
}

std::optional<DaySpec> ParseDay(Cursor& c, bool bare_ordinal);

bool OrdinalSuffix(Cursor& c) {
  Cursor s = c;
  if (s.Adjacent() && s.AnyWord({"st", "nd", "rd", "th"})) {
    c = s;
    return true;
  }
  return false;
}

// An optional year after a date: 4 digits (or 2 right after "05.12.").
int OptionalYear(Cursor& c, bool allow_two_digits) {
  Cursor s = c;
  const Token* y = allow_two_digits ? s.AdjacentNumber() : s.Number();
  if (y == nullptr) return 0;
  if (y->text.size() == 4 && y->value >= 2000 && y->value < 2200) {
    c = s;
    return y->value;
  }
  if (allow_two_digits && y->text.size() == 2) {
    c = s;
    return 2000 + y->value;
  }
  return 0;
}

DaySpec DateSpec(int day, int month, int year) {
  DaySpec d;
  d.kind = DaySpec::kDate;
  d.day = day;
  d.month = month;
  d.year = year;
  return d;
}

// "05.12.", "5.12.2026", "5. Dezember", "5 Dec", "5th of December",
// "December 5th, 2026", "2026-12-05"; with `bare_ordinal` also "5." and "5th".
std::optional<DaySpec> ParseDate(Cursor& c, bool bare_ordinal) {
  Cursor s = c;
  if (const Token* n = s.Number()) {
    if (n->text.size() == 4) {  // ISO 8601
      Cursor t = s;
      const Token* m = t.AdjacentPunct('-') ? t.AdjacentNumber() : nullptr;
      const Token* d = (m != nullptr && t.AdjacentPunct('-')) ? t.AdjacentNumber() : nullptr;
      if (d == nullptr) return std::nullopt;
      c = t;
      return DateSpec(d->value, m->value, n->value);
    }
    const int day = n->value;
    if (n->text.size() > 2 || day < 1 || day > 31) return std::nullopt;
    Cursor t = s;
    if (t.AdjacentPunct('.')) {
      Cursor u = t;
      if (const Token* m = u.AdjacentNumber()) {  // 05.12. / 5.12.2026
        if (m->text.size() > 2 || m->value < 1 || m->value > 12) return std::nullopt;
        if (Cursor v = u; v.Word("uhr")) return std::nullopt;  // 10.30 Uhr is a time
        int year = 0;
        if (Cursor v = u; v.AdjacentPunct('.')) {
          u = v;
          year = OptionalYear(u, true);
        }
        c = u;
        return DateSpec(day, m->value, year);
      }
      if (const Token* w = u.Peek(); w != nullptr && w->kind == Token::kWord && MonthOf(w->text)) {
        const int month = MonthOf(w->text);
        u.AnyWordText();
        u.AdjacentPunct('.');
        const int year = OptionalYear(u, false);
        c = u;
        return DateSpec(day, month, year);
      }
      if (bare_ordinal) {
        c = t;
        return DateSpec(day, 0, 0);
      }
      return std::nullopt;
    }
    const bool ordinal = OrdinalSuffix(t);
    Cursor u = t;
    u.Word("of");
    if (const Token* w = u.Peek(); w != nullptr && w->kind == Token::kWord && MonthOf(w->text)) {
      const int month = MonthOf(w->text);
      u.AnyWordText();
      u.AdjacentPunct('.');
      Cursor v = u;
      v.Punct(',');
      int year = OptionalYear(v, false);
      if (year != 0) u = v;
      c = u;
      return DateSpec(day, month, year);
    }
    if (ordinal && bare_ordinal) {
      c = t;
      return DateSpec(day, 0, 0);
    }
    return std::nullopt;
  }
  const Token* w = s.Peek();
  if (w == nullptr || w->kind != Token::kWord || MonthOf(w->text) == 0) return std::nullopt;
  const int month = MonthOf(w->text);
  s.AnyWordText();
  s.AdjacentPunct('.');
  const Token* d = s.Number();
  if (d == nullptr || d->text.size() > 2 || d->value < 1 || d->value > 31) return std::nullopt;
  OrdinalSuffix(s);
  Cursor v = s;
  v.Punct(',');
  const int year = OptionalYear(v, false);
  if (year != 0) s = v;
  c = s;
  return DateSpec(d->value, month, year);
}

// "morning", "nachmittags": the latest time the words allow.
std::optional<int> PartOfDay(Cursor& c) {
  if (c.AnyWord({"früh", "frueh", "morgens", "vormittag", "vormittags", "morning"})) return 12 * 60;
  if (c.AnyWord({"mittag", "mittags", "noon", "midday", "lunchtime"})) return 12 * 60;
  if (c.AnyWord({"nachmittag", "nachmittags", "afternoon"})) return 17 * 60;
  if (c.AnyWord({"abend", "abends", "evening", "night"})) return 20 * 60;
  return std::nullopt;
}

// "14 Uhr", "14:30", "14.30 Uhr", "2pm", "3:30 p.m.", "noon", "Mitternacht".
// A bare number is no time.
std::optional<int> ParseTime(Cursor& c) {
  Cursor s = c;
  if (s.AnyWord({"noon", "midday", "mittag", "mittags"})) {
    c = s;
    return 12 * 60;
  }
  if (s.AnyWord({"midnight", "mitternacht"})) {
    c = s;
    return 24 * 60;
  }
  const Token* n = s.Number();
  if (n == nullptr || n->text.size() > 2 || n->value > 24) return std::nullopt;
  int hour = n->value;
  int minute = 0;
  bool clock = false;  // "14:30": a time even without "Uhr"
  bool uhr = false;
  if (Cursor t = s; t.AdjacentPunct(':')) {
    const Token* m = t.AdjacentNumber();
    if (m == nullptr || m->text.size() != 2 || m->value > 59) return std::nullopt;
    minute = m->value;
    clock = true;
    s = t;
  } else if (Cursor u = s; u.AdjacentPunct('.')) {
    const Token* m = u.AdjacentNumber();
    if (m != nullptr && m->text.size() == 2 && m->value <= 59 && u.Word("uhr")) {
      minute = m->value;
      uhr = true;
      s = u;
    }
  }
  if (!uhr && s.Word("uhr")) uhr = true;
  int meridiem = 0;  // 1 am, 2 pm
  if (!uhr) {
    Cursor t = s;
    bool plain_am = false;
    if (t.Word("pm")) {
      meridiem = 2;
    } else if (t.Word("am")) {
      meridiem = 1;
      plain_am = true;
    } else {
      Cursor d = s;  // "a.m." / "p.m." come as a, '.', m, '.'
      const bool p = d.Word("p");
      if ((p || d.Word("a")) && d.Punct('.') && d.Word("m")) {
        d.Punct('.');
        meridiem = p ? 2 : 1;
        t = d;
      }
    }
    if (plain_am) {
      // German "am" is "on the": "bis 9 am Freitag" has no time.
      Cursor after = t;
      const Token* next = after.Peek();
      if (next != nullptr && ((next->kind == Token::kWord &&
                               (WeekdayOf(next->text) >= 0 || next->text == "ende")) ||
                              (next->kind == Token::kNumber && ParseDate(after, true)))) {
        meridiem = 0;
      }
    }
    if (meridiem != 0) s = t;
  }
  if (!clock && !uhr && meridiem == 0) return std::nullopt;
  if (meridiem != 0) {
    if (hour < 1 || hour > 12) return std::nullopt;
    hour = hour % 12 + (meridiem == 2 ? 12 : 0);
  } else {
    Cursor t = s;
    if (t.AnyWord({"nachmittags", "abends"}) || t.Seq({"in", "the", "afternoon"}) ||
        t.Seq({"in", "the", "evening"})) {
      if (hour < 12) hour += 12;
      s = t;
    } else if (t.AnyWord({"morgens", "früh", "frueh", "vormittags"}) ||
               t.Seq({"in", "the", "morning"})) {
      s = t;
    }
  }
  if (hour == 24 && minute != 0) return std::nullopt;
  c = s;
  return hour * 60 + minute;
}

std::optional<DaySpec> ParseDay(Cursor& c, bool bare_ordinal) {
  Cursor s = c;
  if (s.AnyWord({"heute", "today"})) {
    c = s;
    return Offset(0);
  }
  if (s.AnyWord({"morgen", "tomorrow"})) {
    c = s;
    return Offset(1);
  }
  if (s.AnyWord({"übermorgen", "uebermorgen"}) || s.Seq({"the", "day", "after", "tomorrow"})) {
    c = s;
    return Offset(2);
  }
  Cursor t = s;
  bool strict = false;
  if (t.AnyWord(kNext)) {
    strict = true;
  } else {
    t.AnyWord({"diesen", "dieser", "this"});
    t.Word("coming");
  }
  if (const Token* w = t.Peek(); w != nullptr && w->kind == Token::kWord && WeekdayOf(w->text) >= 0) {
    DaySpec d;
    d.kind = DaySpec::kWeekday;
    d.weekday = WeekdayOf(w->text);
    d.strictly_next = strict;
    t.AnyWordText();
    // "Freitag, den 5. Dezember" / "Friday, December 5": the date decides.
    Cursor u = t;
    u.Punct(',');
    u.AnyWord({"den", "the"});
    if (auto date = ParseDate(u, true)) {
      c = u;
      return date;
    }
    c = t;
    return d;
  }
  if (auto date = ParseDate(s, bare_ordinal)) {
    c = s;
    return date;
  }
  return std::nullopt;
}

enum class Need {
  kAny,         // a day, a time or both ("bis", "by")
  kDay,         // a day, maybe with a time ("am", "on")
  kDayAndTime,  // no preposition before: "morgen um 10 Uhr"
};

std::optional<Spec> ParseDayTime(Cursor& c, Need need, bool bare_ordinal) {
  Cursor s = c;
  if (s.Word("tonight")) {
    c = s;
    return At(Offset(0), 20 * 60);
  }
  if (auto day = ParseDay(s, bare_ordinal)) {
    Cursor t = s;
    t.Punct(',');
    t.AnyWord({"um", "at", "by", "bis", "gegen", "spätestens", "spaetestens", "before"});
    if (auto time = ParseTime(t)) {
      c = t;
      return At(*day, time);
    }
    Cursor p = s;
    if (auto part = PartOfDay(p)) {
      c = p;
      return At(*day, part);
    }
    if (need == Need::kDayAndTime) return std::nullopt;
    c = s;
    return At(*day);
  }
  s = c;
  if (need == Need::kAny) {
    if (auto time = ParseTime(s)) {
      Cursor t = s;
      t.Punct(',');
      t.AnyWord({"on", "am"});
      if (auto day = ParseDay(t, false)) {
        c = t;
        return At(*day, time);
      }
      c = s;
      return At(DaySpec(), time);
    }
  }
  return std::nullopt;
}

// "2 Stunden", "30 minutes", "24h", "2 business hours", "3 Werktagen",
// "einer halben Stunde", "1-2 Tage".
std::optional<Spec> ParseDuration(Cursor& c) {
  Cursor s = c;
  Spec spec;
  spec.kind = Spec::kDuration;
  if (s.Seq({"half", "an", "hour"}) || s.Seq({"einer", "halben", "stunde"}) ||
      s.Seq({"eine", "halbe", "stunde"}) || s.Seq({"a", "half", "hour"})) {
    spec.duration = minutes(30);
    c = s;
    return spec;
  }
  if (s.AnyWord({"anderthalb", "eineinhalb"}) && s.AnyWord({"stunden"})) {
    spec.duration = minutes(90);
    c = s;
    return spec;
  }
  s = c;
  int amount = 0;
  if (const Token* n = s.Number()) {
    amount = n->value;
    Cursor t = s;
    if (t.Punct('-') || t.AnyWord({"bis", "to", "or", "oder"})) {
      if (const Token* m = t.Number(); m != nullptr && m->value >= amount) {
        amount = m->value;
        s = t;
      }
    }
  } else if (const Token* w = s.Peek(); w != nullptr && w->kind == Token::kWord && NumberWord(w->text)) {
    amount = NumberWord(w->text);
    s.AnyWordText();
  }
  if (amount < 1 || amount > 10000) return std::nullopt;
  const bool business = s.AnyWord({"business", "working", "office"});
  if (s.AnyWord({"minute", "minuten", "min", "mins", "minutes"})) {
    spec.duration = minutes(amount);
  } else if (s.AnyWord({"stunde", "stunden", "std", "h", "hour", "hours", "hr", "hrs"})) {
    spec.duration = minutes(amount * 60);
    if (business) spec.kind = Spec::kOpenDuration;
  } else if (s.AnyWord({"geschäftsstunde", "geschäftsstunden", "geschaeftsstunde",
                        "geschaeftsstunden", "arbeitsstunde", "arbeitsstunden"})) {
    spec.duration = minutes(amount * 60);
    spec.kind = Spec::kOpenDuration;
  } else if (s.AnyWord({"tag", "tage", "tagen", "day", "days"})) {
    spec = At(Offset(amount));
    if (business) spec.day.kind = DaySpec::kBusinessDays;
  } else if (s.AnyWord({"werktag", "werktage", "werktagen", "arbeitstag", "arbeitstage",
                        "arbeitstagen", "geschäftstag", "geschäftstage", "geschäftstagen",
                        "geschaeftstag", "geschaeftstage", "geschaeftstagen"})) {
    spec = At(Offset(amount));
    spec.day.kind = DaySpec::kBusinessDays;
  } else if (s.AnyWord({"woche", "wochen", "week", "weeks"})) {
    spec = At(Offset(7 * amount));
  } else {
    return std::nullopt;
  }
  c = s;
  return spec;
}

// "Ende der Woche", "end of the day", "close of business Friday", "EOD".
// `standalone`: no preposition before, so only the business idioms count.
std::optional<Spec> ParseEnd(Cursor& c, bool standalone) {
  Cursor s = c;
  // The end of a business day, optionally naming the day.
  auto business_day = [&](Cursor& t, bool day_required) -> std::optional<Spec> {
    Cursor u = t;
    u.Punct(',');
    u.AnyWord({"on", "am"});
    if (auto day = ParseDay(u, false)) {
      t = u;
      return At(*day);
    }
    if (day_required) return std::nullopt;
    return At(Offset(0));
  };
  if (s.AnyWord({"eod", "cob", "eob"})) {
    if (auto spec = business_day(s, false)) {
      c = s;
      return spec;
    }
  }
  s = c;
  s.Word("the");
  if (s.Seq({"end", "of", "business"}) || s.Seq({"close", "of", "business"}) ||
      s.Seq({"end", "of", "the", "business"})) {
    s.Word("day");
    if (auto spec = business_day(s, standalone)) {
      c = s;
      return spec;
    }
    return std::nullopt;
  }
  if (s.Seq({"end", "of", "the", "day"}) || s.Seq({"end", "of", "day"})) {
    if (auto spec = business_day(s, standalone)) {
      c = s;
      return spec;
    }
    return std::nullopt;
  }
  if (standalone) return std::nullopt;
  if (s.Seq({"end", "of"})) {
    Cursor t = s;
    t.AnyWord({"the", "this"});
    if (t.Word("week")) {
      c = t;
      return EndOf(Spec::kEndOfWeek, 0);
    }
    if (t.Word("month")) {
      c = t;
      return EndOf(Spec::kEndOfMonth, 0);
    }
    t = s;
    if (t.Word("next")) {
      if (t.Word("week")) {
        c = t;
        return EndOf(Spec::kEndOfWeek, 1);
      }
      if (t.Word("month")) {
        c = t;
        return EndOf(Spec::kEndOfMonth, 1);
      }
    }
    t = s;
    if (auto day = ParseDay(t, false)) {  // "end of tomorrow", "end of Friday"
      c = t;
      return At(*day);
    }
    return std::nullopt;
  }
  s = c;
  if (s.Word("ende")) {
    Cursor t = s;
    t.AnyWord({"der", "dieser", "diese", "des", "dieses"});
    if (t.Word("woche")) {
      c = t;
      return EndOf(Spec::kEndOfWeek, 0);
    }
    if (t.Word("monats")) {
      c = t;
      return EndOf(Spec::kEndOfMonth, 0);
    }
    if (t.AnyWord(kNext)) {
      if (t.Word("woche")) {
        c = t;
        return EndOf(Spec::kEndOfWeek, 1);
      }
      if (t.Word("monats")) {
        c = t;
        return EndOf(Spec::kEndOfMonth, 1);
      }
      return std::nullopt;
    }
    t = s;
    t.Word("des");
    t.Word("heutigen");
    if (t.Word("tages")) {
      c = t;
      return At(Offset(0));
    }
    return std::nullopt;
  }
  if (s.Word("wochenende")) {
    c = s;
    return EndOf(Spec::kEndOfWeek, 0);
  }
  if (s.Word("monatsende")) {
    c = s;
    return EndOf(Spec::kEndOfMonth, 0);
  }
  if (s.Word("tagesende")) {
    c = s;
    return At(Offset(0));
  }
  if (s.AnyWord({"geschäftsschluss", "geschaeftsschluss", "dienstschluss", "büroschluss",
                 "bueroschluss", "feierabend"})) {
    if (auto spec = business_day(s, false)) {
      c = s;
      return spec;
    }
  }
  return std::nullopt;
}

// A promise starting at `c`, or nothing.
std::optional<Spec> ParseAt(Cursor& c) {
  enum class Anchor { kNone, kDeadline, kDay, kDuration } anchor = Anchor::kNone;
  bool article = false;  // "bis zum", "am": "5." alone is a date
  Cursor s = c;
  if (s.Word("bis")) {
    anchor = Anchor::kDeadline;
    s.AnyWord({"spätestens", "spaetestens"});
    article = s.AnyWord({"zum", "zur", "am"});
  } else if (s.AnyWord({"spätestens", "spaetestens"})) {
    anchor = Anchor::kDeadline;
    s.Word("bis");
    article = s.AnyWord({"zum", "zur", "am"});
  } else if (s.Seq({"nicht", "später", "als"}) || s.Seq({"nicht", "spaeter", "als"}) ||
             s.Seq({"no", "later", "than"}) || s.Seq({"not", "later", "than"}) ||
             s.Word("by")) {
    anchor = Anchor::kDeadline;
    article = true;  // "by the 5th"
    s.Word("the");
  } else if (s.Word("am")) {
    anchor = Anchor::kDay;
    article = true;
  } else if (s.Word("on")) {
    anchor = Anchor::kDay;
    s.Word("the");
    article = true;
  } else if (s.Word("in")) {
    anchor = Anchor::kDuration;
    if (!s.Seq({"den", "nächsten"}) && !s.Seq({"den", "naechsten"})) s.Seq({"the", "next"});
  } else if (s.Word("innerhalb")) {
    anchor = Anchor::kDuration;
    if (!s.Word("von") && !s.Seq({"der", "nächsten"}) && !s.Seq({"der", "naechsten"})) {
      s.Seq({"den", "nächsten"});
    }
  } else if (s.Word("binnen")) {
    anchor = Anchor::kDuration;
  } else if (s.Word("within")) {
    anchor = Anchor::kDuration;
    s.Seq({"the", "next"});
  }
  if (anchor != Anchor::kNone) {
    Cursor t = s;
    std::optional<Spec> spec;
    if (anchor == Anchor::kDuration) {
      spec = ParseDuration(t);
    } else {
      // "by the end of" consumed "the" above; ParseEnd takes it optionally.
      spec = ParseEnd(t, false);
      if (!spec) {
        t = s;
        spec = ParseDayTime(t, anchor == Anchor::kDay ? Need::kDay : Need::kAny, article);
      }
    }
    if (spec) {
      c = t;
      return spec;
    }
  }
  s = c;
  if (auto spec = ParseEnd(s, true)) {
    c = s;
    return spec;
  }
  s = c;
  if (s.Seq({"noch", "heute"}) || s.Seq({"heute", "noch"}) || s.Seq({"later", "today"})) {
    c = s;
    return At(Offset(0));
  }
  s = c;
  if (auto spec = ParseDayTime(s, Need::kDayAndTime, false)) {
    c = s;
    return spec;
  }
  return std::nullopt;
}

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

// ---- from words to a time -------------------------------------------------------

class Resolver {
 public:
  Resolver(Time now, const TimeZone& tz, const BusinessHours* hours)
      : now_(now), tz_(tz), hours_(hours),
        today_(std::chrono::floor<days>(tz.ToLocal(now))) {}

  Result<Time> Resolve(const Spec& spec) const {
    switch (spec.kind) {
      case Spec::kDuration:
        return now_ + spec.duration;
      case Spec::kOpenDuration:
        return hours_ != nullptr ? hours_->AddOpenTime(now_, spec.duration) : now_ + spec.duration;
      case Spec::kEndOfWeek: {
        const local_days monday =
            today_ - days((weekday(today_).c_encoding() + 6) % 7) + days(7 * spec.ahead);
        for (int d = 6; d >= 0; --d) {
          if (Workday(monday + days(d))) return EndOfDay(monday + days(d));
        }
        return EndOfDay(monday + days(4));
      }
      case Spec::kEndOfMonth: {
        const year_month_day ymd(today_);
        const auto ym = std::chrono::year_month(ymd.year(), ymd.month()) +
                        std::chrono::months(spec.ahead);
        const local_days first{ym / 1};
        local_days day{ym / std::chrono::last};
        while (day > first && !Workday(day)) day -= days(1);
        return EndOfDay(day);
      }
      case Spec::kAt:
        break;
    }
    const DaySpec& d = spec.day;
    switch (d.kind) {
      case DaySpec::kNone: {  // a time alone: its next occurrence
        const Time t = AtDay(today_, spec.time);
        return t > now_ ? t : AtDay(today_ + days(1), spec.time);
      }
      case DaySpec::kOffset:
        return AtDay(today_ + days(d.count), spec.time);
      case DaySpec::kBusinessDays: {
        local_days day = today_;
        for (int counted = 0, guard = 0; counted < d.count && guard < 4000; ++guard) {
          day += days(1);
          if (Workday(day)) ++counted;
        }
        return AtDay(day, spec.time);
      }
      case DaySpec::kWeekday: {
        int delta = static_cast<int>((weekday(static_cast<unsigned>(d.weekday)) - weekday(today_)).count());
        if (delta == 0 && d.strictly_next) delta = 7;
        const Time t = AtDay(today_ + days(delta), spec.time);
        if (delta == 0 && t <= now_) return AtDay(today_ + days(7), spec.time);
        return t;
      }
      case DaySpec::kDate: {
        auto day = NearestDate(d);
        if (!day.ok()) return day.status();
        return AtDay(*day, spec.time);
      }
    }
    return Status::Internal("promise: unhandled day kind");
  }

 private:
  bool Workday(local_days day) const {
    const weekday wd(day);
    if (hours_ != nullptr) return hours_->OpenOn(wd);
    return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
  }
  Time EndOfDay(local_days day) const {
    if (hours_ != nullptr) {
      if (auto end = hours_->EndOfBusiness(year_month_day(day))) return *end;
    }
    return tz_.FromLocal(year_month_day(day), minutes(kEndOfDayDefault));
  }
  Time AtDay(local_days day, std::optional<int> time) const {
    return time ? tz_.FromLocal(year_month_day(day), minutes(*time)) : EndOfDay(day);
  }
  Result<local_days> NearestDate(const DaySpec& d) const {
    const year_month_day today(today_);
    std::vector<year_month_day> candidates;
    if (d.month == 0) {  // "bis zum 5.": this month's, the next or the last
      const std::chrono::year_month ym(today.year(), today.month());
      for (int m : {-1, 0, 1}) {
        candidates.push_back((ym + std::chrono::months(m)) / std::chrono::day(d.day));
      }
    } else if (d.year != 0) {
      candidates.push_back(std::chrono::year(d.year) / d.month / d.day);
    } else {
      for (int y : {-1, 0, 1}) {
        candidates.push_back((today.year() + std::chrono::years(y)) /
                             std::chrono::month(d.month) / std::chrono::day(d.day));
      }
    }
    std::optional<local_days> best;
    for (const year_month_day& c : candidates) {
      if (!c.ok()) continue;
      const local_days day(c);
      if (!best || std::chrono::abs(day - today_) < std::chrono::abs(*best - today_)) best = day;
    }
    if (!best) {
      return Status::InvalidArgument("promise: there is no day " + std::to_string(d.day) +
                                         (d.month ? "." + std::to_string(d.month) + "." : "."),
                                     "promise");
    }
    return *best;
  }

  Time now_;
  const TimeZone& tz_;
  const BusinessHours* hours_;
  local_days today_;
};

}  // namespace

Result<Promise> FindPromise(std::string_view agent_text, Time now, const TimeZone& tz,
                            const BusinessHours* hours) {
  if (!IsValidUtf8(agent_text)) {
    return Status::InvalidArgument("promise: the text is not valid UTF-8", "promise");
  }
  const std::vector<Token> tokens = Tokenize(agent_text);
  const Resolver resolver(now, tz, hours);
  std::optional<Promise> best;
  std::optional<Status> first_error;
  for (size_t i = 0; i < tokens.size();) {
    Cursor c(tokens, i);
    const std::optional<Spec> spec = ParseAt(c);
    if (!spec || IsNoPromise(tokens, i, c.pos())) {
      ++i;
      continue;
    }
    const std::string phrase(
        agent_text.substr(tokens[i].begin, tokens[c.pos() - 1].end - tokens[i].begin));
    i = c.pos();
    Result<Time> due = resolver.Resolve(*spec);
    if (!due.ok()) {
      if (!first_error) first_error = due.status();
      continue;
    }
    if (*due <= now) {
      if (!first_error) {
        first_error = Status::InvalidArgument(
            "promise: \"" + phrase + "\" is already past (it means " + FormatIso8601(*due) + ")",
            "promise");
      }
      continue;
    }
    if (!best || *due < best->due) best = Promise{*due, phrase};
  }
  if (best) return *best;
  if (first_error) return *first_error;
  return Status::NotFound("promise: the text names no reply time");
}

}  // namespace candor::people

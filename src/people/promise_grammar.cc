// The grammar of promised reply times: a small hand-written parser over word
// tokens, German and English side by side. It yields a Spec (what the words
// say: "a day and maybe a time", "a duration", "the end of a week"); promise.cc
// resolves it against a clock. The rules are written down in people.h.
#include "people/internal/promise_grammar.h"

#include <string>
#include <vector>

namespace candor::people::internal {
namespace {

using std::chrono::minutes;

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

}  // namespace

int MonthOf(std::string_view w) {
  struct Name {
    std::string_view name;
    int month;
  };
  static constexpr Name kMonths[] = {
      {"januar", 1},    {"jänner", 1},    {"jaenner", 1}, {"january", 1},   {"jan", 1},
      {"februar", 2},   {"february", 2},  {"feb", 2},     {"märz", 3},      {"maerz", 3},
      {"mär", 3},       {"mrz", 3},       {"march", 3},   {"mar", 3},       {"april", 4},
      {"apr", 4},       {"mai", 5},       {"may", 5},     {"juni", 6},      {"june", 6},
      {"jun", 6},       {"juli", 7},      {"july", 7},    {"jul", 7},       {"august", 8},
      {"aug", 8},       {"september", 9}, {"sep", 9},     {"sept", 9},      {"oktober", 10},
      {"october", 10},  {"okt", 10},      {"oct", 10},    {"november", 11}, {"nov", 11},
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

namespace {

int NumberWord(std::string_view w) {
  struct Name {
    std::string_view name;
    int value;
  };
  static constexpr Name kNumbers[] = {
      {"ein", 1},
      {"eine", 1},
      {"einer", 1},
      {"einem", 1},
      {"einen", 1},
      {"a", 1},
      {"an", 1},
      {"one", 1},
      {"zwei", 2},
      {"two", 2},
      {"drei", 3},
      {"three", 3},
      {"vier", 4},
      {"four", 4},
      {"fünf", 5},
      {"fuenf", 5},
      {"five", 5},
      {"sechs", 6},
      {"six", 6},
      {"sieben", 7},
      {"seven", 7},
      {"acht", 8},
      {"eight", 8},
      {"neun", 9},
      {"nine", 9},
      {"zehn", 10},
      {"ten", 10},
      {"zwölf", 12},
      {"zwoelf", 12},
      {"twelve", 12},
      {"vierundzwanzig", 24},
      {"achtundvierzig", 48},
  };
  for (const Name& n : kNumbers) {
    if (n.name == w) return n.value;
  }
  return 0;
}

const std::initializer_list<std::string_view> kNext = {
    "nächsten", "nächster",  "nächste",   "naechsten", "naechster",
    "naechste", "kommenden", "kommender", "kommende",  "next"};

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
      if (next != nullptr &&
          ((next->kind == Token::kWord && (WeekdayOf(next->text) >= 0 || next->text == "ende")) ||
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
  if (const Token* w = t.Peek();
      w != nullptr && w->kind == Token::kWord && WeekdayOf(w->text) >= 0) {
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
  } else if (const Token* w = s.Peek();
             w != nullptr && w->kind == Token::kWord && NumberWord(w->text)) {
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
             s.Seq({"no", "later", "than"}) || s.Seq({"not", "later", "than"}) || s.Word("by")) {
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

}  // namespace

std::optional<Spec> ParsePromiseAt(const std::vector<Token>& tokens, size_t begin, size_t* end) {
  Cursor c(tokens, begin);
  std::optional<Spec> spec = ParseAt(c);
  if (spec) *end = c.pos();
  return spec;
}

}  // namespace candor::people::internal

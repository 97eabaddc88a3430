// The words of promised reply times: tokens, and what a phrase says before
// it is resolved against a clock (promise.cc). Used only by src/people.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace candor::people::internal {

struct Token {
  enum Kind { kWord, kNumber, kPunct, kBreak };  // kBreak: a line break
  Kind kind;
  std::string text;  // lower-case
  int value = 0;     // kNumber
  size_t begin = 0;  // byte offsets into the text
  size_t end = 0;
};

// Words lower-cased (umlauts too), numbers, punctuation and line breaks, with
// their byte offsets. En and em dashes become '-'.
std::vector<Token> Tokenize(std::string_view text);

// A day, before it is resolved.
struct DaySpec {
  enum Kind { kNone, kOffset, kWeekday, kDate, kBusinessDays } kind = kNone;
  int count = 0;                     // kOffset: days from today; kBusinessDays: open days to count
  int weekday = 0;                   // kWeekday: c_encoding
  bool strictly_next = false;        // kWeekday: never today
  int day = 0, month = 0, year = 0;  // kDate; month 0: this or next month; year 0: nearest
};

struct Spec {
  enum Kind { kAt, kDuration, kOpenDuration, kEndOfWeek, kEndOfMonth } kind = kAt;
  DaySpec day;                       // kAt
  std::optional<int> time;           // kAt: minutes since local midnight, up to 1440
  std::chrono::minutes duration{0};  // kDuration, kOpenDuration
  int ahead = 0;                     // kEndOfWeek, kEndOfMonth: 0 this one, 1 the next
};

// The promise starting at tokens[begin], if one does; *end is one past its
// last token.
std::optional<Spec> ParsePromiseAt(const std::vector<Token>& tokens, size_t begin, size_t* end);

// Whether the phrase tokens[begin, end) sits in a sentence about opening
// hours or in a negated clause, and so promises nothing.
bool IsNoPromise(const std::vector<Token>& tokens, size_t begin, size_t end);

bool In(std::string_view word, std::initializer_list<std::string_view> words);
int MonthOf(std::string_view word);    // 1..12, or 0
int WeekdayOf(std::string_view word);  // c_encoding (0 = Sunday), or -1

}  // namespace candor::people::internal

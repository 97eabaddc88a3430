// libFuzzer target: the promised-reply-time grammar (German and English) on
// arbitrary text, with and without business hours. A promise found is ahead
// of now and its phrase is a piece of the text.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "people/internal/promise_grammar.h"
#include "people/people.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

struct Fixture {
  candor::people::TimeZone tz;
  std::optional<candor::people::BusinessHours> hours;
};

Fixture* MakeFixture() {
  auto tz = candor::people::TimeZone::Load("Europe/Berlin");
  if (!tz.ok()) Fail("no Europe/Berlin time zone");
  auto hours = candor::people::BusinessHours::Parse("Mo-Fr 08:00-18:00; Sa 09:00-13:00", *tz);
  if (!hours.ok()) Fail("the fixture's business hours do not parse");
  return new Fixture{*tz, *hours};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Built once per process and never freed: it lives as long as the process.
  static Fixture* fixture = MakeFixture();
  if (size > 4096) return 0;  // agents' replies are short; the grammar is linear
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto tokens = candor::people::internal::Tokenize(text);
  size_t previous_end = 0;
  for (const auto& token : tokens) {
    if (token.begin < previous_end || token.end < token.begin || token.end > text.size()) {
      Fail("token offsets are out of order or outside the text");
    }
    previous_end = token.end;
  }

  // Saturday 6 December 2025, 17:30 in Berlin: near closing, a weekend ahead.
  const candor::Time now = candor::Time(std::chrono::seconds(1765038600));
  const std::array<const candor::people::BusinessHours*, 2> hours_or_none = {&*fixture->hours,
                                                                             nullptr};
  for (const candor::people::BusinessHours* hours : hours_or_none) {
    auto promise = candor::people::FindPromise(text, now, fixture->tz, hours);
    if (!promise.ok()) continue;
    if (promise->due <= now) Fail("a promise is due before it was made");
    if (promise->phrase.empty() || text.find(promise->phrase) == std::string_view::npos) {
      Fail("the promise's phrase is not in the text");
    }
  }
  return 0;
}

// Phone numbers confirmed by libphonenumber. PhoneNumberMatcher is far too
// slow to run over whole texts at our throughput, so it only ever sees a short
// window of phone-number characters around a trigger, and (since it is given
// only ASCII bytes) never sees invalid UTF-8.
//
// Thread-safety: immutable after construction; Find() may run on many threads
// at once (libphonenumber's PhoneNumberUtil is a thread-safe process-wide
// instance owned by the library).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace i18n::phonenumbers {
class PhoneNumberUtil;
}

namespace candor::privacy::internal {

class PhoneConfirmer {
 public:
  struct Match {
    size_t start;  // within the window
    size_t end;
    std::string e164;
  };

  // Fails for a region libphonenumber does not know.
  static Result<PhoneConfirmer> Create(std::string default_region);

  // Valid phone numbers in `window` (ASCII phone characters only).
  std::vector<Match> Find(std::string_view window) const;

 private:
  PhoneConfirmer(const i18n::phonenumbers::PhoneNumberUtil* util, std::string region)
      : util_(util), region_(std::move(region)) {}
  const i18n::phonenumbers::PhoneNumberUtil* util_;
  std::string region_;
};

}  // namespace candor::privacy::internal

// Phone numbers confirmed by libphonenumber.
//
// libphonenumber's PhoneNumberMatcher (and even PhoneNumberUtil::Parse) runs
// several ICU regular expressions per call, 10 to 25 microseconds: far too
// slow for our throughput when a text holds many numbers. So the span and the
// country code are read by hand (an international prefix "+49" or "0049", or
// a trunk prefix "0" for the default region, then digit groups), and
// libphonenumber only confirms the result with IsValidNumber on the parsed
// number, a few microseconds. libphonenumber never sees the text itself, so
// invalid UTF-8 cannot reach it.
//
// Thread-safety: immutable after construction; Confirm() may run on many
// threads at once (PhoneNumberUtil is a thread-safe, process-wide instance
// owned by the library).
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace i18n::phonenumbers {
class PhoneNumberUtil;
}

namespace candor::privacy::internal {

class NationalRules;  // phone.cc

class PhoneConfirmer {
 public:
  // Fails for a region libphonenumber does not know. `other_regions` are
  // tried for national numbers the default region rejects: those with a
  // trunk prefix "0" ("020 7946 0958" in GB), and the NANP's fixed format
  // ("(212) 555-0187", "212-555-0187") when "US" or "CA" is among them.
  static Result<PhoneConfirmer> Create(const std::string& default_region,
                                       const std::vector<std::string>& other_regions = {});

  // "+4969 91010000" for a number as a person writes it, read in the default
  // region; nullopt when libphonenumber cannot parse it.
  std::optional<std::string> ToE164(std::string_view written) const;

  // Country codes of the other regions that write a trunk prefix "0".
  const std::vector<int>& other_trunk_codes() const { return other_trunk_codes_; }
  bool nanp() const { return nanp_; }

  // The country calling code of the default region (49 for "DE"), and whether
  // its national numbers are written with a trunk prefix "0".
  int default_country_code() const { return default_country_code_; }
  bool trunk_zero() const { return trunk_zero_; }

  // True when `country_code` is assigned (calling codes are prefix-free).
  bool IsCountryCode(int country_code) const {
    return country_code > 0 && country_code < 1000 &&
           country_codes_[static_cast<size_t>(country_code)];
  }

  // libphonenumber's verdict on a parsed number; `e164` receives "+4930...".
  bool IsValid(int country_code, std::string_view national_digits, std::string* e164) const;

 private:
  PhoneConfirmer(const i18n::phonenumbers::PhoneNumberUtil* util, std::string region,
                 int country_code, bool trunk_zero, std::bitset<1000> country_codes,
                 std::shared_ptr<const NationalRules> rules)
      : util_(util),
        region_(std::move(region)),
        default_country_code_(country_code),
        trunk_zero_(trunk_zero),
        country_codes_(country_codes),
        default_rules_(std::move(rules)) {}
  const i18n::phonenumbers::PhoneNumberUtil* util_;
  std::string region_;
  int default_country_code_;
  bool trunk_zero_;
  std::bitset<1000> country_codes_;  // assigned calling codes, looked up once
  // libphonenumber's rules for the default region in a faster form; null when
  // they cannot be compiled (IsValid then asks libphonenumber).
  std::shared_ptr<const NationalRules> default_rules_;
  std::vector<int> other_trunk_codes_;
  bool nanp_ = false;
};

}  // namespace candor::privacy::internal

#include "privacy/internal/phone.h"

#include <hs/hs.h>
#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "privacy/internal/byte_window.h"
#include "privacy/internal/detectors.h"
#include "privacy/internal/validators.h"

// Defined in libphonenumber, declared only in its private metadata.h: the
// compiled-in metadata that PhoneNumberUtil itself loads.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace candor::privacy::internal {

// The validity rules of one region, as PhoneNumberUtil::IsValidNumber applies
// them, compiled into one Vectorscan database. IsValidNumber matches up to
// eleven ICU regular expressions (after converting the number to UTF-16 for
// each), about 5 microseconds a call; one scan of these anchored patterns
// gives the same verdict in a fraction of that.
//
// A national significant number is valid when it matches the general
// description and then any of the number types; a description matches when
// its possible lengths (if any) hold the number's length and its pattern
// matches the whole number. Mobile counts only when the region does not share
// one pattern for mobile and fixed line (GetNumberTypeHelper).
class NationalRules {
 public:
  static std::unique_ptr<NationalRules> Compile(const i18n::phonenumbers::PhoneMetadata& metadata) {
    const i18n::phonenumbers::PhoneNumberDesc* descs[kDescs] = {
        &metadata.general_desc(), &metadata.premium_rate(), &metadata.toll_free(),
        &metadata.shared_cost(),  &metadata.voip(),         &metadata.personal_number(),
        &metadata.pager(),        &metadata.uan(),          &metadata.voicemail(),
        &metadata.fixed_line(),   &metadata.mobile(),
    };
    auto rules = std::unique_ptr<NationalRules>(new NationalRules());
    rules->skip_mobile_ = metadata.same_mobile_and_fixed_line_pattern();
    std::vector<std::string> expressions;
    std::vector<unsigned> ids;
    for (unsigned k = 0; k < kDescs; ++k) {
      const std::string& pattern = descs[k]->national_number_pattern();
      // An empty pattern never matches (RegexBasedMatcher::MatchNationalNumber).
      if (pattern.empty()) continue;
      for (int i = 0; i < descs[k]->possible_length_size(); ++i) {
        rules->lengths_[k].push_back(descs[k]->possible_length(i));
      }
      expressions.push_back("^(?:" + pattern + ")$");
      ids.push_back(k);
    }
    if (expressions.empty()) return nullptr;
    std::vector<const char*> pointers;
    for (const std::string& e : expressions) pointers.push_back(e.c_str());
    std::vector<unsigned> flags(expressions.size(), HS_FLAG_SINGLEMATCH);
    hs_database_t* db = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(pointers.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(pointers.size()), HS_MODE_BLOCK, nullptr, &db,
                         &error) != HS_SUCCESS) {
      hs_free_compile_error(error);
      return nullptr;  // a construct Vectorscan lacks: libphonenumber decides
    }
    rules->database_.reset(db);
    static std::atomic<uint64_t> next_serial{1};
    rules->serial_ = next_serial.fetch_add(1);
    return rules;
  }

  // The verdict on a national significant number of digits only; nullopt when
  // the scan fails.
  std::optional<bool> IsValid(std::string_view national) const {
    hs_scratch_t* scratch = ThreadScratch(database_.get(), serial_);
    if (scratch == nullptr) return std::nullopt;
    uint32_t matched = 0;
    auto on_match = [](unsigned int id, unsigned long long, unsigned long long, unsigned int,
                       void* context) {
      *static_cast<uint32_t*>(context) |= 1u << id;
      return 0;
    };
    if (hs_scan(database_.get(), national.data(), static_cast<unsigned>(national.size()), 0,
                scratch, on_match, &matched) != HS_SUCCESS) {
      return std::nullopt;
    }
    auto matches = [&](unsigned k) {
      if ((matched & (1u << k)) == 0) return false;
      const std::vector<int>& lengths = lengths_[k];
      return lengths.empty() || std::find(lengths.begin(), lengths.end(),
                                          static_cast<int>(national.size())) != lengths.end();
    };
    if (!matches(kGeneral)) return false;
    for (unsigned k = kGeneral + 1; k < kMobile; ++k) {
      if (matches(k)) return true;
    }
    return !skip_mobile_ && matches(kMobile);
  }

 private:
  static constexpr unsigned kDescs = 11;
  static constexpr unsigned kGeneral = 0;
  static constexpr unsigned kMobile = 10;

  struct DatabaseDeleter {
    void operator()(hs_database_t* db) const { hs_free_database(db); }
  };

  // A scratch per thread and database (the confirmer is shared between
  // threads). Allocating one costs more than the scan, so each thread keeps
  // the scratches of the last few databases it used.
  static hs_scratch_t* ThreadScratch(const hs_database_t* db, uint64_t serial) {
    struct Entry {
      uint64_t serial;
      hs_scratch_t* scratch;
    };
    struct Cache {
      std::vector<Entry> entries;  // most recently added last
      ~Cache() {
        for (Entry& e : entries) hs_free_scratch(e.scratch);
      }
    };
    constexpr size_t kKept = 4;
    thread_local Cache cache;
    for (const Entry& e : cache.entries) {
      if (e.serial == serial) return e.scratch;
    }
    hs_scratch_t* scratch = nullptr;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return nullptr;
    if (cache.entries.size() == kKept) {
      hs_free_scratch(cache.entries.front().scratch);
      cache.entries.erase(cache.entries.begin());
    }
    cache.entries.push_back(Entry{serial, scratch});
    return scratch;
  }

  NationalRules() = default;

  std::unique_ptr<hs_database_t, DatabaseDeleter> database_;
  std::array<std::vector<int>, kDescs> lengths_;  // empty: any length
  bool skip_mobile_ = false;
  // Unique per database ever compiled in this process (addresses are reused).
  uint64_t serial_ = 0;
};

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// The rules of `region` when it is the only region of its calling code (so
// that IsValidNumber validates against it), else null.
std::shared_ptr<const NationalRules> CompileRules(const PhoneNumberUtil& util,
                                                  const std::string& region, int country_code) {
  std::list<std::string> regions;
  util.GetRegionCodesForCountryCallingCode(country_code, &regions);
  if (regions.size() != 1 || regions.front() != region) return nullptr;
  i18n::phonenumbers::PhoneMetadataCollection collection;
  if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
                                 i18n::phonenumbers::metadata_size())) {
    return nullptr;
  }
  for (int k = 0; k < collection.metadata_size(); ++k) {
    const i18n::phonenumbers::PhoneMetadata& metadata = collection.metadata(k);
    if (metadata.id() == region && metadata.country_code() == country_code) {
      return NationalRules::Compile(metadata);
    }
  }
  return nullptr;
}

// CompileRules once per region and process: parsing the metadata and
// compiling the patterns takes a few milliseconds, and scanners are created
// per test and per configuration.
std::shared_ptr<const NationalRules> RulesFor(const PhoneNumberUtil& util,
                                              const std::string& region, int country_code) {
  static std::mutex mutex;
  static auto* compiled = new std::map<std::string, std::shared_ptr<const NationalRules>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = compiled->find(region);
  if (it == compiled->end())
    it = compiled->emplace(region, CompileRules(util, region, country_code)).first;
  return it->second;
}

// How far a window reaches before the end of the digit run that triggered it.
constexpr size_t kReach = 40;
// E.164 allows 15 digits including the country code.
constexpr size_t kMaxDigits = 15;

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

bool IsPhoneChar(unsigned char c) {
  return IsDigit(c) || c == ' ' || c == '+' || c == '(' || c == ')' || c == '/' || c == '-' ||
         c == '.';
}

// An extension after a number: "x769", " ext. 12", " Durchwahl 34", "-0"
// is read as a group already. Returns its end, or `end` when there is none.
size_t ExtensionEnd(std::string_view text, size_t end) {
  const size_t n = text.size();
  size_t k = end;
  if (k < n && (text[k] == 'x' || text[k] == 'X')) {
    ++k;
  } else {
    size_t s = k;
    while (s < n && text[s] == ' ') ++s;
    // "x", "ext", "extension", "Durchwahl", "DW": most numbers stop here.
    if (s >= n || (text[s] != 'x' && text[s] != 'e' && text[s] != 'E' && text[s] != 'D')) {
      return end;
    }
    size_t w = s;
    while (w < n && IsAsciiAlpha(At(text, w))) ++w;
    std::string_view word = text.substr(s, w - s);
    if (word != "ext" && word != "Ext" && word != "extension" && word != "Durchwahl" &&
        word != "DW" && word != "x") {
      return end;
    }
    k = w;
    if (k < n && text[k] == '.') ++k;
    while (k < n && text[k] == ' ') ++k;
  }
  size_t d = k;
  while (d < n && IsDigit(At(text, d)) && d - k < 6) ++d;
  if (d == k || d - k > 5 || (d < n && IsWordByte(At(text, d)))) return end;
  return d;
}

// The NANP's one format: "(212) 555-0187", "212-555-0187", "212.555.0187",
// "1-212-555-0187". Writes the ten digits; returns the end, or 0.
size_t ReadNanp(std::string_view text, size_t k, size_t stop, std::string* ten) {
  const std::array<size_t, 3> lengths = {3, 3, 4};
  ten->clear();
  if (k + 2 < stop && text[k] == '1' &&
      (text[k + 1] == '-' || text[k + 1] == ' ' || text[k + 1] == '.')) {
    k += 2;
  }
  bool bracket = k < stop && text[k] == '(';
  if (bracket) ++k;
  char separator = 0;
  for (size_t g = 0; g < lengths.size(); ++g) {
    for (size_t d = 0; d < lengths[g]; ++d, ++k) {
      if (k >= stop || !IsDigit(At(text, k))) return 0;
      ten->push_back(text[k]);
    }
    if (g == 2) break;
    if (g == 0 && bracket) {
      if (k >= stop || text[k] != ')') return 0;
      ++k;
      if (k < stop && (text[k] == ' ' || text[k] == '-')) ++k;
      continue;
    }
    if (k >= stop || (text[k] != '-' && text[k] != '.' && text[k] != ' ')) return 0;
    if (separator != 0 && text[k] != separator) return 0;
    separator = text[k];
    ++k;
  }
  if ((*ten)[0] < '2' || (*ten)[3] < '2') return 0;  // area code and exchange start 2-9
  return k;
}

// A digit, or a separator joined to a digit on the far side, continues a
// number: "Bestellung 028-1234567-1234567" and "DE89 3704 0044 0532" hold no
// phone number.
bool ContinuesBefore(std::string_view text, size_t start) {
  if (start == 0) return false;
  unsigned char c = At(text, start - 1);
  if (IsWordByte(c) || c == '+') return true;
  return (c == '-' || c == '/' || c == '.' || c == ' ') && start >= 2 &&
         IsDigit(At(text, start - 2));
}
bool ContinuesAfter(std::string_view text, size_t end) {
  if (end >= text.size()) return false;
  unsigned char c = At(text, end);
  if (IsWordByte(c)) return true;
  return (c == '-' || c == '/' || c == '.') && end + 1 < text.size() && IsDigit(At(text, end + 1));
}

// The digits of a number written from `start`: groups joined by one space,
// dash or slash, an area code in brackets "(030) ", and a bracketed trunk
// prefix "(0)" after a country code, which is dropped. Records where each
// group ends, so a shorter number can be tried when the whole is invalid.
struct Digits {
  // The digits read so far; ReadGroups gives up past kMaxDigits + 2, so a
  // fixed buffer holds them without an allocation per candidate.
  std::array<char, kMaxDigits + 3> buffer{};
  size_t size = 0;
  std::string_view view() const { return std::string_view(buffer.data(), size); }
  std::array<size_t, 12> group_end{};      // byte offset after each group
  std::array<size_t, 12> digits_at_end{};  // digits.size() after each group
  size_t groups = 0;
};

bool ReadGroups(std::string_view text, size_t k, size_t limit, bool international, Digits* out) {
  bool open_bracket = false;
  while (k < limit && out->groups < out->group_end.size()) {
    if (international && out->groups > 0 && text.substr(k, 3) == "(0)") {
      k += 3;
      if (k < limit && text[k] == ' ') ++k;
      continue;
    }
    if (text[k] == '(' && !open_bracket && out->groups == 0 && !international) {
      open_bracket = true;
      ++k;
    }
    size_t begin = k;
    while (k < limit && IsDigit(At(text, k))) {
      if (out->size == out->buffer.size()) return false;  // more than kMaxDigits + 2
      out->buffer[out->size++] = text[k++];
    }
    if (k == begin) break;
    if (out->size > kMaxDigits + 2) return false;
    out->group_end[out->groups] = k;
    out->digits_at_end[out->groups] = out->size;
    ++out->groups;
    if (open_bracket) {
      if (k >= limit || text[k] != ')') return false;
      open_bracket = false;
      ++k;
      if (k < limit && text[k] == ' ') ++k;
      continue;
    }
    if (k + 1 < limit && (text[k] == ' ' || text[k] == '-' || text[k] == '/' || text[k] == '.') &&
        (IsDigit(At(text, k + 1)) || (international && text[k + 1] == '('))) {
      ++k;
      continue;
    }
    break;
  }
  return out->groups > 0 && !open_bracket;
}

// "05/11/1940", "1-2-24": day, month and year, not a phone number.
bool LooksLikeDate(std::string_view text, size_t start, size_t end) {
  std::array<size_t, 4> lengths{};
  size_t groups = 0;
  char separator = 0;
  for (size_t k = start; k < end; ++k) {
    unsigned char c = At(text, k);
    if (IsDigit(c)) {
      if (groups == 0 || (k > start && !IsDigit(At(text, k - 1)))) {
        if (groups == lengths.size()) return false;
        ++groups;
      }
      ++lengths[groups - 1];
    } else if (separator == 0 || separator == c) {
      separator = static_cast<char>(c);
    } else {
      return false;
    }
  }
  return groups == 3 && separator != ' ' && lengths[0] <= 2 && lengths[1] <= 2 &&
         (lengths[2] == 2 || lengths[2] == 4);
}

}  // namespace

Result<PhoneConfirmer> PhoneConfirmer::Create(const std::string& default_region,
                                              const std::vector<std::string>& other_regions) {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  int code = util->GetCountryCodeForRegion(default_region);
  if (code == 0) {
    return Status::InvalidArgument("unknown phone region '" + default_region + "'",
                                   "default_region");
  }
  std::string prefix;
  util->GetNddPrefixForRegion(default_region, /*strip_non_digits=*/true, &prefix);
  std::set<int> codes;
  util->GetSupportedGlobalNetworkCallingCodes(&codes);
  std::set<std::string> regions;
  util->GetSupportedRegions(&regions);
  for (const std::string& region : regions) codes.insert(util->GetCountryCodeForRegion(region));
  std::bitset<1000> country_codes;
  for (int c : codes) {
    if (c > 0 && c < 1000) country_codes.set(static_cast<size_t>(c));
  }
  PhoneConfirmer confirmer(util, default_region, code, prefix == "0", country_codes,
                           RulesFor(*util, default_region, code));
  for (const std::string& region : other_regions) {
    int other = util->GetCountryCodeForRegion(region);
    if (other == 0) {
      return Status::InvalidArgument("unknown phone region '" + region + "'", "other_regions");
    }
    if (other == 1) {
      confirmer.nanp_ = true;
      continue;
    }
    std::string other_prefix;
    util->GetNddPrefixForRegion(region, /*strip_non_digits=*/true, &other_prefix);
    if (other_prefix == "0" && other != code) confirmer.other_trunk_codes_.push_back(other);
  }
  return confirmer;
}

std::optional<std::string> PhoneConfirmer::ToE164(std::string_view written) const {
  PhoneNumber number;
  if (util_->Parse(std::string(written), region_, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return std::nullopt;
  }
  std::string e164;
  util_->Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

bool PhoneConfirmer::IsValid(int country_code, std::string_view national, std::string* e164) const {
  if (national.empty() || national.size() > 14) return false;
  // Leading zeros change the national significant number libphonenumber
  // checks; leave those to it.
  if (default_rules_ != nullptr && country_code == default_country_code_ && national[0] != '0') {
    std::optional<bool> valid = default_rules_->IsValid(national);
    if (valid.has_value()) {
      if (!*valid) return false;
      *e164 = "+" + std::to_string(country_code) + std::string(national);
      return true;
    }
  }
  PhoneNumber number;
  number.set_country_code(country_code);
  size_t zeros = 0;
  while (zeros < national.size() && national[zeros] == '0') ++zeros;
  if (zeros > 0) {  // Italy and a few others keep leading zeros
    number.set_italian_leading_zero(true);
    if (zeros > 1) number.set_number_of_leading_zeros(static_cast<int>(zeros));
  }
  uint64_t value = 0;
  for (char c : national) value = value * 10 + static_cast<uint64_t>(c - '0');
  number.set_national_number(value);
  if (!util_->IsValidNumber(number)) return false;
  *e164 = "+" + std::to_string(country_code) + std::string(national);
  return true;
}

size_t DetectPhone(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  const PhoneConfirmer& phone = *ctx.phone;
  size_t begin = end;
  // Where the window is in a ByteWindow: bit i stands for byte base + i and
  // is set where a number may start (a superset of the test below).
  // Near the start of the text `base` is negative: the window's first bytes
  // stand for nothing.
  bool windowed = false;
  ptrdiff_t base = 0;
  uint64_t starts = 0;
#ifdef __SSE2__
  static_assert(kReach < ByteWindow::kSize);
  {
    base = static_cast<ptrdiff_t>(end) - static_cast<ptrdiff_t>(ByteWindow::kSize);
    ByteWindow window = ByteWindow::Before(text, end);
    uint64_t digits = window.Digits();
    uint64_t plus = window.Equal('+');
    uint64_t bracket = window.Equal('(');
    uint64_t phone_chars = digits | plus | bracket | window.Equal(' ') | window.Equal(')') |
                           window.Equal('/') | window.Equal('-') | window.Equal('.');
    begin = end - std::min(ByteWindow::OnesFromTop(phone_chars), kReach);
    // A '0' after a digit starts nothing (shifted in, bit 0 sees no digit
    // before it: right when base is 0, and below `begin` otherwise).
    starts = plus | bracket | (window.Equal('0') & ~(digits << 1));
    if (phone.nanp()) {
      // The NANP's numbers start with a three-digit area code or "1".
      uint64_t run_starts = digits & ~(digits << 1);
      starts |= (run_starts & (digits >> 1) & (digits >> 2) & ~(digits >> 3)) |
                (run_starts & window.Equal('1') & ~(digits >> 1));
    }
    windowed = true;
  }
#else
  while (begin > 0 && end - begin < kReach && IsPhoneChar(At(text, begin - 1))) --begin;
#endif
  size_t stop = end;
  while (stop < text.size() && stop - end < 8 && IsPhoneChar(At(text, stop))) ++stop;

  // Numbers start with '+', "00", "(0" or a trunk '0' that begins a group;
  // try each start from the left, and from each the longest valid number.
  size_t covered = end;
  for (size_t s = begin; s < end; ++s) {
    if (windowed) {
      uint64_t ahead = starts >> (static_cast<ptrdiff_t>(s) - base);  // s - base < 48
      if (ahead == 0) break;
      s += static_cast<size_t>(__builtin_ctzll(ahead));
      if (s >= end) break;
    }
    unsigned char c = At(text, s);
    bool plus = c == '+';
    bool bracket = c == '(' && s + 1 < stop && text[s + 1] == '0';
    bool zero = c == '0' && (s == 0 || !IsDigit(At(text, s - 1)));
    bool nanp = phone.nanp() && !zero && (s == 0 || !IsDigit(At(text, s - 1))) &&
                (IsDigit(c) || (c == '(' && s + 1 < stop && text[s + 1] != '0'));
    if (!plus && !bracket && !zero && !nanp) continue;
    if (ContinuesBefore(text, s)) continue;
    if (nanp) {
      std::string ten;
      size_t number_end = ReadNanp(text, s, stop, &ten);
      if (number_end == 0) continue;
      size_t with_extension = ExtensionEnd(text, number_end);
      if (ContinuesAfter(text, with_extension)) continue;
      std::string e164;
      if (!phone.IsValid(1, ten, &e164)) continue;
      ctx.out->push_back(Finding{PiiType::kPhone, s, with_extension, std::move(e164)});
      covered = std::max(covered, with_extension);
      s = with_extension;
      continue;
    }
    bool international = plus || (zero && s + 1 < stop && text[s + 1] == '0');
    if (!international && !phone.trunk_zero()) continue;
    size_t digits_from = plus ? s + 1 : international ? s + 2 : s;
    Digits d;
    if (!ReadGroups(text, digits_from, stop, international, &d)) continue;
    // Try the whole number, then drop trailing groups (a date or an amount
    // written right after the number).
    for (size_t g = d.groups; g-- > 0;) {
      size_t number_end = ExtensionEnd(text, d.group_end[g]);
      std::string_view digits = d.view().substr(0, d.digits_at_end[g]);
      if (ContinuesAfter(text, number_end)) continue;
      if (LooksLikeDate(text, s, d.group_end[g])) continue;
      int country = 0;
      std::string_view national;
      if (international) {
        for (size_t len = 1; len <= 3 && len < digits.size(); ++len) {
          int cc = 0;
          for (size_t k = 0; k < len; ++k) cc = cc * 10 + (digits[k] - '0');
          if (phone.IsCountryCode(cc)) {
            country = cc;
            national = digits.substr(len);
            break;
          }
        }
      } else {
        country = phone.default_country_code();
        national = digits.substr(1);  // the trunk prefix
      }
      if (country == 0 || national.size() < 4 || digits.size() > kMaxDigits + 1) continue;
      std::string e164;
      bool valid = phone.IsValid(country, national, &e164);
      // A national number the default region rejects may be another's.
      for (size_t r = 0; !valid && !international && r < phone.other_trunk_codes().size(); ++r) {
        valid = phone.IsValid(phone.other_trunk_codes()[r], national, &e164);
      }
      if (!valid) continue;
      ctx.out->push_back(Finding{PiiType::kPhone, s, number_end, std::move(e164)});
      covered = std::max(covered, number_end);
      s = number_end;
      break;
    }
  }
  return covered;
}

}  // namespace candor::privacy::internal

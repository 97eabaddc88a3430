#include "privacy/internal/phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

#include "privacy/internal/detectors.h"
#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

// How far a window reaches on each side of the trigger's end. The longest
// international number with spacing fits in 40 bytes.
constexpr size_t kReach = 40;
// Candidates PhoneNumberMatcher may try per window; bounds the work on
// adversarial input.
constexpr int kMaxTries = 16;

bool IsPhoneChar(unsigned char c) {
  return IsDigit(c) || c == ' ' || c == '+' || c == '(' || c == ')' || c == '/' || c == '-';
}

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

// A digit, or a separator joined to a digit on the far side, continues a
// number: "Bestellung 028-1234567-1234567" holds no phone number.
bool ContinuesBefore(std::string_view text, size_t start) {
  if (start == 0) return false;
  unsigned char c = At(text, start - 1);
  if (IsWordByte(c)) return true;
  return (c == '-' || c == '/' || c == '.') && start >= 2 && IsDigit(At(text, start - 2));
}
bool ContinuesAfter(std::string_view text, size_t end) {
  if (end >= text.size()) return false;
  unsigned char c = At(text, end);
  if (IsWordByte(c)) return true;
  return (c == '-' || c == '/' || c == '.') && end + 1 < text.size() && IsDigit(At(text, end + 1));
}

}  // namespace

Result<PhoneConfirmer> PhoneConfirmer::Create(std::string default_region) {
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  if (util->GetCountryCodeForRegion(default_region) == 0) {
    return Status::InvalidArgument("unknown phone region '" + default_region + "'", "default_region");
  }
  return PhoneConfirmer(util, std::move(default_region));
}

std::vector<PhoneConfirmer::Match> PhoneConfirmer::Find(std::string_view window) const {
  std::vector<Match> matches;
  PhoneNumberMatcher matcher(*util_, std::string(window), region_, PhoneNumberMatcher::VALID,
                             kMaxTries);
  PhoneNumberMatch match;
  while (matcher.HasNext() && matcher.Next(&match)) {
    if (match.start() < 0 || match.end() < match.start() ||
        static_cast<size_t>(match.end()) > window.size()) {
      continue;
    }
    Match m{static_cast<size_t>(match.start()), static_cast<size_t>(match.end()), {}};
    util_->Format(match.number(), PhoneNumberUtil::E164, &m.e164);
    matches.push_back(std::move(m));
  }
  return matches;
}

size_t DetectPhone(const DetectContext& ctx, size_t end) {
  std::string_view text = ctx.text;
  size_t begin = end;
  while (begin > 0 && end - begin < kReach && IsPhoneChar(At(text, begin - 1))) --begin;
  size_t stop = end;
  while (stop < text.size() && stop - end < kReach && IsPhoneChar(At(text, stop))) ++stop;
  size_t covered = stop;
  while (begin < stop && !IsDigit(At(text, begin)) && text[begin] != '+' && text[begin] != '(') ++begin;
  while (stop > begin && !IsDigit(At(text, stop - 1)) && text[stop - 1] != ')') --stop;
  if (stop - begin < 6) return covered;

  for (const PhoneConfirmer::Match& m : ctx.phone->Find(text.substr(begin, stop - begin))) {
    size_t s = begin + m.start;
    size_t e = begin + m.end;
    // Only numbers written with a country code or a trunk prefix: a bare
    // "4711 2345678" is more often a customer or order number.
    unsigned char first = At(text, s);
    if (first != '+' && first != '(' && first != '0') continue;
    if (ContinuesBefore(text, s) || ContinuesAfter(text, e)) continue;
    // "04520)00": brackets that do not pair up are not how a number is written.
    int depth = 0;
    for (size_t k = s; k < e && depth >= 0; ++k) depth += text[k] == '(' ? 1 : text[k] == ')' ? -1 : 0;
    if (depth != 0) continue;
    ctx.out->push_back(Finding{PiiType::kPhone, s, e, m.e164});
  }
  return covered;
}

}  // namespace candor::privacy::internal

// PiiScanner: cheap triggers (cue words, digits, '@', ':', capitalised
// words) found by vector scans over the text; the detectors find the exact
// spans around each trigger's end and confirm them.
#include <algorithm>
#include <climits>
#include <cstring>

#include "privacy/internal/detectors.h"
#include "privacy/internal/name_lexicon.h"
#include "privacy/internal/name_tagger.h"
#include "privacy/internal/phone.h"
#include "privacy/internal/prefilter.h"
#include "privacy/internal/validators.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

// The model from data/pii/name_tagger.model, generated into this include by
// CMake (empty when the build had none).
#include "privacy/name_tagger_model.inc"

using internal::DetectContext;
using internal::SecretCue;

enum class Trigger : uint8_t {
  kEmail,
  kNumber,       // five or more digits: IBAN, card, tax id, phone, IP address
  kIpv6,         // IPv6 forms that may hold few digits
  kHouseNumber,  // a run of one to six digits: a house number or a postcode
};

// The numeric, e-mail and IPv6 triggers start at a digit, '@' or ':', rare
// bytes in chat text, which the prefilter marks; FindNumericTriggers below
// reports exactly where these patterns end:
//   e-mail  [A-Za-z0-9._%+\-]@[A-Za-z0-9]
//   number  [0-9](?:[ \-/.:]?[0-9]){4}(?:[^0-9]|$)   (five or more digits:
//           IBAN, card, tax id, phone, IP address; it ends only where a run
//           of digits ends)
//   IPv6    ::[0-9A-Fa-f]{1,4}  and  [0-9A-Fa-f]{4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:
//           (forms that may hold few digits)

// Lower wins when two findings overlap with the same length.
constexpr int Priority(PiiType type) {
  switch (type) {
    case PiiType::kIban:
      return 0;
    case PiiType::kCard:
      return 1;
    case PiiType::kTaxId:
      return 2;
    case PiiType::kEmail:
      return 3;
    case PiiType::kIp:
      return 4;
    case PiiType::kBirthDate:
      return 5;  // a date in context is no phone number
    case PiiType::kPhone:
      return 6;
    case PiiType::kSecret:
      return 7;
    case PiiType::kAddress:
      return 8;  // "Lindenstraße 12" holds no name
    case PiiType::kName:
      return 9;
  }
  return 10;
}

// The detectors; each remembers how far it has looked.
enum class Detector : uint8_t {
  kEmail,
  kIban,
  kCardOrTaxId,
  kPhone,
  kIpv4,
  kIpv6,
  kPassword,
  kCode,
  kBirthDate,
  kName,
  kIntroducedName,
  kAddress,
};
constexpr size_t kDetectorCount = 12;

// A long text is scanned a part of about this many bytes at a time.
constexpr size_t kPartBytes = 16 * 1024;

// The state of one scan.
struct ScanState {
  DetectContext ctx;
  const internal::Prefilter* prefilter;
  std::array<size_t, kDetectorCount> covered{};  // per detector: nothing new before this
};

template <typename Fn>
void Run(ScanState& state, Detector detector, size_t end, Fn&& detect) {
  size_t& covered = state.covered[static_cast<size_t>(detector)];
  if (end <= covered) return;
  covered = std::max(end, detect(state.ctx, end));
}

void OnTrigger(ScanState& state, Trigger trigger, size_t end) {
  switch (trigger) {
    case Trigger::kEmail:
      Run(state, Detector::kEmail, end, internal::DetectEmail);
      break;
    case Trigger::kNumber:
      // A detector that cannot find anything in this text is not asked: it
      // would find nothing at any trigger.
      if (state.prefilter->MayHoldIban()) Run(state, Detector::kIban, end, internal::DetectIban);
      Run(state, Detector::kCardOrTaxId, end, internal::DetectCardOrTaxId);
      Run(state, Detector::kPhone, end, internal::DetectPhone);
      if (state.prefilter->MayHoldIpv4()) Run(state, Detector::kIpv4, end, internal::DetectIpv4);
      if (state.prefilter->MayHoldIpv6()) Run(state, Detector::kIpv6, end, internal::DetectIpv6);
      break;
    case Trigger::kIpv6:
      Run(state, Detector::kIpv6, end, internal::DetectIpv6);
      break;
    case Trigger::kHouseNumber:
      Run(state, Detector::kAddress, end, internal::DetectAddress);
      break;
  }
}

void OnCue(ScanState& state, internal::CueKind cue, size_t end) {
  using internal::CueKind;
  switch (cue) {
    case CueKind::kPassword:
      Run(state, Detector::kPassword, end, [](const DetectContext& ctx, size_t e) {
        return internal::DetectSecret(ctx, e, SecretCue::kPassword);
      });
      break;
    case CueKind::kCode:
    case CueKind::kTan:
      Run(state, Detector::kCode, end, [](const DetectContext& ctx, size_t e) {
        return internal::DetectSecret(ctx, e, SecretCue::kCode);
      });
      break;
    case CueKind::kBirth:
      Run(state, Detector::kBirthDate, end, internal::DetectBirthDate);
      break;
    case CueKind::kSalutation:
      Run(state, Detector::kName, end, internal::DetectName);
      break;
    case CueKind::kIntroStrong:
      Run(state, Detector::kIntroducedName, end, [](const DetectContext& ctx, size_t e) {
        return internal::DetectIntroducedName(ctx, e, internal::IntroCue::kStrong);
      });
      break;
  }
}

// ---- the numeric, e-mail and IPv6 triggers, found by hand ----------------

// A trigger as a pattern matcher would report it: `order` is the end offset
// of the pattern's match (the order of the reports), `end` what the detectors
// get.
struct NumericTrigger {
  size_t order;
  size_t end;
  Trigger trigger;
};

bool IsHex(unsigned char c) {
  return internal::IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
bool IsNumberSeparator(unsigned char c) {
  return c == ' ' || c == '-' || c == '/' || c == '.' || c == ':';
}
bool IsEmailLocalByte(unsigned char c) {
  return internal::IsAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// Whether the run of digits [run_start, run_end) closes five or more digits
// joined by at most one separator each: the number pattern.
bool ClosesFiveDigits(std::string_view text, size_t run_start, size_t run_end) {
  size_t digits = run_end - run_start;
  size_t s = run_start;
  while (digits < 5 && s >= 2 && IsNumberSeparator(static_cast<unsigned char>(text[s - 1])) &&
         internal::IsDigit(static_cast<unsigned char>(text[s - 2]))) {
    size_t e = s - 1;
    s = e;
    while (s > 0 && internal::IsDigit(static_cast<unsigned char>(text[s - 1]))) --s;
    digits += e - s;
  }
  return digits >= 5;
}

// Up to `limit` hex digits right before `end`.
size_t HexBefore(std::string_view text, size_t end, size_t limit) {
  size_t k = end;
  while (k > 0 && end - k < limit && IsHex(static_cast<unsigned char>(text[k - 1]))) --k;
  return end - k;
}

// Whether the ':' at `colon` closes [0-9A-Fa-f]{4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:
bool ClosesIpv6Groups(std::string_view text, size_t colon) {
  size_t k = colon;
  for (int group = 0; group < 2; ++group) {
    size_t len = HexBefore(text, k, 5);
    if (len < 1 || len > 4 || k < len + 1 || text[k - len - 1] != ':') return false;
    k -= len + 1;
  }
  return HexBefore(text, k, 4) == 4;
}

// A house number follows its street ("Lindenstraße 12") or precedes it
// ("221B Baker Street"); a postcode follows a house number. Anything else
// (amounts, dates, order numbers) is not worth a look.
bool MayBeHouseNumber(std::string_view text, size_t run_start, size_t run_end) {
  const size_t n = text.size();
  // Dates, times and amounts ("12.3.2024", "9:30", "49,99") go on with a
  // digit after a dot, colon or comma; a house number never does.
  if (run_end + 1 < n && (text[run_end] == '.' || text[run_end] == ':' || text[run_end] == ',') &&
      internal::IsDigit(static_cast<unsigned char>(text[run_end + 1]))) {
    return false;
  }
  if (run_start >= 2 && text[run_start - 1] == ' ') {
    unsigned char before = static_cast<unsigned char>(text[run_start - 2]);
    if (internal::IsAsciiAlpha(before) || before >= 0x80 || before == '.') {
      // The street's name is capitalised: find where its last word starts.
      size_t s = run_start - 2;
      while (s > 0 && run_start - s < 32 &&
             (internal::IsWordByte(static_cast<unsigned char>(text[s - 1])) || text[s - 1] == '-' ||
              text[s - 1] == '.')) {
        --s;
      }
      unsigned char first = static_cast<unsigned char>(text[s]);
      if (internal::IsAsciiUpper(first) || first >= 0xC3) return true;
    }
  }
  // "221B Baker Street", "12 Main St": a number of its own, then a word in
  // title case (not "EUR" or "kWh").
  if (run_start > 0) {
    unsigned char before = static_cast<unsigned char>(text[run_start - 1]);
    if (before != ' ' && before != '\n' && before != '(' && before != ':') return false;
  }
  size_t k = run_end;
  if (k < n && internal::IsAsciiUpper(static_cast<unsigned char>(text[k]))) ++k;
  if (k + 2 >= n || text[k] != ' ') return false;
  return internal::IsAsciiUpper(static_cast<unsigned char>(text[k + 1])) &&
         !internal::IsAsciiUpper(static_cast<unsigned char>(text[k + 2]));
}

// Appends the triggers in `text` in the order of the ends of their patterns.
void FindNumericTriggers(std::string_view text, const internal::Prefilter& prefilter,
                         std::vector<NumericTrigger>& out) {
  const size_t n = text.size();
  auto add = [&out](size_t order, size_t end, Trigger trigger) {
    out.push_back(NumericTrigger{order, end, trigger});
    // The IPv6 triggers of a ':' can end after the number trigger of a later
    // run of digits; keep the list in report order.
    for (size_t k = out.size() - 1; k > 0 && out[k - 1].order > out[k].order; --k) {
      std::swap(out[k - 1], out[k]);
    }
  };
  // Runs of digits, e-mail addresses and IPv6 addresses hold no line break:
  // none reaches past the prefilter's part of the text.
  for (size_t k = prefilter.NextTriggerByte(prefilter.begin()); k < prefilter.end();
       k = prefilter.NextTriggerByte(k)) {
    unsigned char c = static_cast<unsigned char>(text[k]);
    if (internal::IsDigit(c)) {
      size_t run = k;
      while (k < n && internal::IsDigit(static_cast<unsigned char>(text[k]))) ++k;
      // The match takes one byte past the digits unless the text ends there.
      if (ClosesFiveDigits(text, run, k)) add(k < n ? k + 1 : n, k, Trigger::kNumber);
      if (k - run <= 6 && MayBeHouseNumber(text, run, k)) {
        add(k < n ? k + 1 : n, k, Trigger::kHouseNumber);
      }
      continue;
    }
    if (c == '@') {
      if (k > 0 && IsEmailLocalByte(static_cast<unsigned char>(text[k - 1])) && k + 1 < n &&
          internal::IsAsciiAlnum(static_cast<unsigned char>(text[k + 1]))) {
        add(k + 2, k + 2, Trigger::kEmail);
      }
    } else {  // ':'
      if (ClosesIpv6Groups(text, k)) add(k + 1, k + 1, Trigger::kIpv6);
      if (k > 0 && text[k - 1] == ':') {
        for (size_t j = k + 1; j < n && j - k <= 4 && IsHex(static_cast<unsigned char>(text[j]));
             ++j) {
          add(j + 1, j + 1, Trigger::kIpv6);
        }
      }
    }
    ++k;
  }
}

// Sorted by start, no two overlapping: of two overlapping findings the longer
// one stays, then the one of higher priority, then the earlier one.
void ResolveOverlaps(std::vector<Finding>& findings) {
  // Most texts with a finding have exactly one: no sorting, no second vector.
  if (findings.size() <= 1) {
    if (!findings.empty() && findings[0].end <= findings[0].start) findings.clear();
    return;
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return Priority(a.type) < Priority(b.type);
  });
  auto better = [](const Finding& a, const Finding& b) {
    size_t la = a.end - a.start, lb = b.end - b.start;
    if (la != lb) return la > lb;
    return Priority(a.type) < Priority(b.type);
  };
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding& f : findings) {
    if (f.end <= f.start) continue;
    while (!kept.empty() && kept.back().end > f.start && better(f, kept.back())) kept.pop_back();
    if (!kept.empty() && kept.back().end > f.start) continue;
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
}

}  // namespace

struct PiiScanner::Impl {
  internal::PhoneConfirmer phone;
  internal::NameLexicon names;
  std::vector<std::string> published_phones;   // E.164, never masked
  std::optional<internal::NameTagger> tagger;  // set when names are tagged
};

struct ScanScratch::Impl {
  const void* owner;  // the PiiScanner::Impl that made it
  // Reused: no allocation per scan.
  internal::Prefilter prefilter;
  std::vector<NumericTrigger> triggers;
  std::vector<uint32_t> features;  // the name tagger's, per word
};

ScanScratch::ScanScratch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanScratch::ScanScratch(ScanScratch&&) noexcept = default;
ScanScratch& ScanScratch::operator=(ScanScratch&&) noexcept = default;
ScanScratch::~ScanScratch() = default;

PiiScanner::PiiScanner(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
PiiScanner::PiiScanner(PiiScanner&&) noexcept = default;
PiiScanner& PiiScanner::operator=(PiiScanner&&) noexcept = default;
PiiScanner::~PiiScanner() = default;

bool HasNameTaggerModel() { return !kNameTaggerModel.empty(); }

Result<PiiScanner> PiiScanner::Create(ScannerOptions options) {
  Result<internal::PhoneConfirmer> phone =
      internal::PhoneConfirmer::Create(options.default_region, options.other_phone_regions);
  if (!phone.ok()) return phone.status();

  std::vector<std::string> published;
  for (const std::string& number : options.published_phone_numbers) {
    std::optional<std::string> e164 = phone->ToE164(number);
    if (!e164) {
      return Status::InvalidArgument("'" + number + "' is not a phone number",
                                     "published_phone_numbers");
    }
    published.push_back(std::move(*e164));
  }
  std::optional<internal::NameTagger> tagger;
  if (options.tag_names) {
    std::string_view model =
        options.name_tagger_model ? std::string_view(*options.name_tagger_model) : kNameTaggerModel;
    if (!model.empty()) {
      Result<internal::NameTagger> parsed = internal::NameTagger::Parse(model);
      if (!parsed.ok()) return parsed.status();
      tagger = std::move(parsed).value();
    }
  }
  auto impl = std::make_unique<Impl>(Impl{std::move(phone).value(), internal::NameLexicon(),
                                          std::move(published), std::move(tagger)});
  return PiiScanner(std::move(impl));
}

Result<ScanScratch> PiiScanner::NewScratch() const {
  return ScanScratch(
      std::make_unique<ScanScratch::Impl>(ScanScratch::Impl{impl_.get(), {}, {}, {}}));
}

Result<std::vector<Finding>> PiiScanner::Scan(std::string_view text, ScanScratch& scratch) const {
  if (!scratch.impl_ || scratch.impl_->owner != impl_.get()) {
    return Status::InvalidArgument("scratch belongs to another scanner", "scratch");
  }
  if (text.size() >= static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("text too large to scan (2 GiB or more)", "text");
  }
  std::vector<Finding> findings;
  internal::Prefilter& prefilter = scratch.impl_->prefilter;
  ScanState state{DetectContext{text, &impl_->phone, &impl_->names, &findings}, &prefilter, {}};
  // A long text a part at a time, each ending after a line break: no cue
  // word, number or name reaches across one, and the prefilter's lists stay
  // small and in cache. A chat message is one part.
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.size();
    if (end - begin > kPartBytes) {
      size_t line_break = text.find('\n', begin + kPartBytes);
      end = line_break == std::string_view::npos ? text.size() : line_break + 1;
    }
    prefilter.Run(text, begin, end);
    const size_t findings_before = findings.size();
    for (const internal::CueMatch& cue : prefilter.cues()) OnCue(state, cue.kind, cue.end);
    // The detectors of different triggers share no state but the IPv6 one,
    // which only these triggers reach: running them after the cue words
    // keeps every detector's calls in the order of the ends of their
    // triggers.
    std::vector<NumericTrigger>& triggers = scratch.impl_->triggers;
    triggers.clear();
    FindNumericTriggers(text, prefilter, triggers);
    for (const NumericTrigger& t : triggers) OnTrigger(state, t.trigger, t.end);
    internal::FindNames(state.ctx, prefilter.title_starts());
    if (impl_->tagger) {
      impl_->tagger->Tag(text, prefilter.title_starts(), impl_->names, scratch.impl_->features,
                         findings, findings_before);
    }
    begin = end;
  }
  ResolveOverlaps(findings);
  if (!impl_->published_phones.empty()) {
    std::erase_if(findings, [this](const Finding& f) {
      return f.type == PiiType::kPhone &&
             std::find(impl_->published_phones.begin(), impl_->published_phones.end(),
                       f.normalized) != impl_->published_phones.end();
    });
  }
  return findings;
}

Result<std::vector<Finding>> PiiScanner::Scan(std::string_view text) const {
  Result<ScanScratch> scratch = NewScratch();
  if (!scratch.ok()) return scratch.status();
  return Scan(text, *scratch);
}

}  // namespace candor::privacy

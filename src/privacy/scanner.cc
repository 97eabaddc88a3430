// PiiScanner: one Vectorscan database of cheap trigger patterns, scanned
// without start-of-match; the detectors find the exact spans around each
// trigger's end and confirm them.
#include <hs/hs.h>

#include <algorithm>
#include <climits>

#include "privacy/internal/detectors.h"
#include "privacy/internal/phone.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

using internal::DetectContext;
using internal::SecretCue;

enum class Trigger : uint8_t {
  kEmail,
  kIban,
  kDigitRun,  // cards and tax ids
  kPhone,
  kIpv4,
  kIpv6,
  kPasswordCue,
  kCodeCue,
  kBirthCue,
  kNameCue,
};
constexpr size_t kTriggerCount = 10;

struct TriggerPattern {
  const char* expression;
  unsigned flags;
  Trigger trigger;
};

// The candidates. Each pattern is deliberately loose and cheap: it only says
// "look here"; the detectors decide. None asks for start of match.
constexpr unsigned kCaseless = HS_FLAG_CASELESS;
constexpr TriggerPattern kPatterns[] = {
    {R"([A-Za-z0-9._%+\-]@[A-Za-z0-9\-]{1,63}\.[A-Za-z]{2})", 0, Trigger::kEmail},
    {R"([A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2})", 0, Trigger::kIban},
    {R"([0-9](?:[ \-]?[0-9]){10})", 0, Trigger::kDigitRun},
    {R"((?:\+|\b0{1,2}|\(0)[1-9](?:[ \-/()]{0,2}[0-9]){5})", 0, Trigger::kPhone},
    {R"([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9])", 0, Trigger::kIpv4},
    {R"([0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{1,4})", 0, Trigger::kIpv6},
    {R"(::[0-9A-Fa-f]{1,4})", 0, Trigger::kIpv6},
    {R"(\b(?:passwort|password|passwd|pwd|kennwort|passcode|passphrase|passwortes)\b)", kCaseless,
     Trigger::kPasswordCue},
    {R"(\b(?:pin|puk|cvv|cvc|geheimzahl|sicherheitscode|zugangscode|einmalcode|bestätigungscode|verification code|security code|one-time code|otp)\b)",
     kCaseless, Trigger::kCodeCue},
    {R"(\b(?:m|push|sms|chip|photo|i)?TAN\b)", 0, Trigger::kCodeCue},
    {R"(\b(?:geboren|geb\.|geburtsdatum|geburtstag|date of birth|birth ?date|born|dob|d\.o\.b\.))",
     kCaseless, Trigger::kBirthCue},
    {R"(\b(?:Herr|Herrn|Frau|Hr|Fr|Mr|Mrs|Ms|Miss|Mister|Dr|Prof)\b)", 0, Trigger::kNameCue},
};
constexpr size_t kPatternCount = std::size(kPatterns);

// Lower wins when two findings overlap with the same length.
constexpr int Priority(PiiType type) {
  switch (type) {
    case PiiType::kIban: return 0;
    case PiiType::kCard: return 1;
    case PiiType::kTaxId: return 2;
    case PiiType::kEmail: return 3;
    case PiiType::kIp: return 4;
    case PiiType::kPhone: return 5;
    case PiiType::kBirthDate: return 6;
    case PiiType::kSecret: return 7;
    case PiiType::kName: return 8;
  }
  return 9;
}

struct DatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct ScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

// The state of one scan, handed to the match callback.
struct ScanState {
  DetectContext ctx;
  std::array<size_t, kTriggerCount> covered{};  // per trigger: nothing new before this
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* context) {
  auto* state = static_cast<ScanState*>(context);
  const Trigger trigger = kPatterns[id].trigger;
  size_t& covered = state->covered[static_cast<size_t>(trigger)];
  const size_t end = static_cast<size_t>(to);
  if (end <= covered) return 0;
  const DetectContext& ctx = state->ctx;
  size_t reached = end;
  switch (trigger) {
    case Trigger::kEmail: reached = internal::DetectEmail(ctx, end); break;
    case Trigger::kIban: reached = internal::DetectIban(ctx, end); break;
    case Trigger::kDigitRun: reached = internal::DetectCardOrTaxId(ctx, end); break;
    case Trigger::kPhone: reached = internal::DetectPhone(ctx, end); break;
    case Trigger::kIpv4: reached = internal::DetectIpv4(ctx, end); break;
    case Trigger::kIpv6: reached = internal::DetectIpv6(ctx, end); break;
    case Trigger::kPasswordCue: reached = internal::DetectSecret(ctx, end, SecretCue::kPassword); break;
    case Trigger::kCodeCue: reached = internal::DetectSecret(ctx, end, SecretCue::kCode); break;
    case Trigger::kBirthCue: reached = internal::DetectBirthDate(ctx, end); break;
    case Trigger::kNameCue: reached = internal::DetectName(ctx, end); break;
  }
  covered = std::max(end, reached);
  return 0;
}

// Sorted by start, no two overlapping: of two overlapping findings the longer
// one stays, then the one of higher priority, then the earlier one.
void ResolveOverlaps(std::vector<Finding>& findings) {
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
  std::unique_ptr<hs_database_t, DatabaseDeleter> database;
  internal::PhoneConfirmer phone;
};

struct ScanScratch::Impl {
  const void* owner;  // the PiiScanner::Impl that made it
  std::unique_ptr<hs_scratch_t, ScratchDeleter> scratch;
};

ScanScratch::ScanScratch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanScratch::ScanScratch(ScanScratch&&) noexcept = default;
ScanScratch& ScanScratch::operator=(ScanScratch&&) noexcept = default;
ScanScratch::~ScanScratch() = default;

PiiScanner::PiiScanner(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
PiiScanner::PiiScanner(PiiScanner&&) noexcept = default;
PiiScanner& PiiScanner::operator=(PiiScanner&&) noexcept = default;
PiiScanner::~PiiScanner() = default;

Result<PiiScanner> PiiScanner::Create(ScannerOptions options) {
  Result<internal::PhoneConfirmer> phone = internal::PhoneConfirmer::Create(options.default_region);
  if (!phone.ok()) return phone.status();

  const char* expressions[kPatternCount];
  unsigned flags[kPatternCount];
  unsigned ids[kPatternCount];
  for (size_t k = 0; k < kPatternCount; ++k) {
    expressions[k] = kPatterns[k].expression;
    flags[k] = kPatterns[k].flags;
    ids[k] = static_cast<unsigned>(k);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions, flags, ids, kPatternCount, HS_MODE_BLOCK, nullptr, &db,
                       &error) != HS_SUCCESS) {
    std::string message = "vectorscan: cannot compile pattern " +
                          std::to_string(error ? error->expression : -1) + ": " +
                          (error && error->message ? error->message : "unknown error");
    hs_free_compile_error(error);
    return Status::Internal(std::move(message));
  }
  auto impl = std::make_unique<Impl>(Impl{std::unique_ptr<hs_database_t, DatabaseDeleter>(db),
                                          std::move(phone).value()});
  return PiiScanner(std::move(impl));
}

Result<ScanScratch> PiiScanner::NewScratch() const {
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(impl_->database.get(), &scratch) != HS_SUCCESS) {
    return Status::ResourceExhausted("vectorscan: cannot allocate scratch space");
  }
  return ScanScratch(std::make_unique<ScanScratch::Impl>(
      ScanScratch::Impl{impl_.get(), std::unique_ptr<hs_scratch_t, ScratchDeleter>(scratch)}));
}

Result<std::vector<Finding>> PiiScanner::Scan(std::string_view text, ScanScratch& scratch) const {
  if (!scratch.impl_ || scratch.impl_->owner != impl_.get()) {
    return Status::InvalidArgument("scratch belongs to another scanner", "scratch");
  }
  if (text.size() >= static_cast<size_t>(INT_MAX)) {
    return Status::InvalidArgument("text too large to scan (2 GiB or more)", "text");
  }
  std::vector<Finding> findings;
  ScanState state{DetectContext{text, &impl_->phone, &findings}, {}};
  // A null pointer with length 0 is fine for hs_scan, but be explicit.
  static constexpr char kEmpty[] = "";
  const char* data = text.empty() ? kEmpty : text.data();
  hs_error_t rc = hs_scan(impl_->database.get(), data, static_cast<unsigned>(text.size()), 0,
                          scratch.impl_->scratch.get(), OnMatch, &state);
  if (rc != HS_SUCCESS) {
    return Status::Internal("vectorscan: scan failed with code " + std::to_string(rc));
  }
  ResolveOverlaps(findings);
  return findings;
}

Result<std::vector<Finding>> PiiScanner::Scan(std::string_view text) const {
  Result<ScanScratch> scratch = NewScratch();
  if (!scratch.ok()) return scratch.status();
  return Scan(text, *scratch);
}

}  // namespace candor::privacy

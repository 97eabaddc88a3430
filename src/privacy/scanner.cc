// PiiScanner: one Vectorscan database of cheap trigger patterns, scanned
// without start-of-match; the detectors find the exact spans around each
// trigger's end and confirm them.
#include <hs/hs.h>

#include <algorithm>
#include <climits>

#include "privacy/internal/detectors.h"
#include "privacy/internal/phone.h"
#include "privacy/internal/validators.h"
#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

using internal::DetectContext;
using internal::SecretCue;

enum class Trigger : uint8_t {
  kEmail,
  kNumber,  // five or more digits: IBAN, card, tax id, phone, IP address
  kIpv6,    // IPv6 forms that may hold few digits
  kPasswordCue,
  kCodeCue,
  kTanCue,
  kBirthCue,
  kNameCue,
};

struct TriggerPattern {
  const char* expression;
  unsigned flags;
  Trigger trigger;
};

// The candidates. Each pattern is deliberately loose and cheap: it only says
// "look here"; the detectors decide. None asks for start of match.
//
// Throughput shapes these patterns. Every pattern without a literal (the
// number pattern) is an automaton run over every byte, so there is exactly
// one: all numeric kinds share it, and it reports only where a run of digits
// ends, not at every digit. Cue words carry no \b (the detectors check word
// boundaries), which keeps them plain literals for the literal matcher.
constexpr unsigned kCaseless = HS_FLAG_CASELESS;
constexpr TriggerPattern kPatterns[] = {
    {R"([A-Za-z0-9._%+\-]@[A-Za-z0-9])", 0, Trigger::kEmail},
    {R"([0-9](?:[ \-/.:]?[0-9]){4}(?:[^0-9]|$))", 0, Trigger::kNumber},
    {R"(::[0-9A-Fa-f]{1,4})", 0, Trigger::kIpv6},
    {R"([0-9A-Fa-f]{4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:)", 0, Trigger::kIpv6},
    {R"(passwor[dt]|passwd|pwd|kennwort|passcode|passphrase)", kCaseless, Trigger::kPasswordCue},
    {R"(pin|puk|cvv|cvc|geheimzahl|sicherheitscode|zugangscode|einmalcode|bestätigungscode|verification code|security code|one-time code|otp)",
     kCaseless, Trigger::kCodeCue},
    {R"(TAN)", 0, Trigger::kTanCue},
    {R"(geboren|geb\.|geburtsdatum|geburtstag|date of birth|birth ?date|born|dob|d\.o\.b\.)",
     kCaseless, Trigger::kBirthCue},
    {R"(Herrn?|Frau|Hr|Fr|Mrs?|Ms|Miss|Mister|Dr|Prof)", 0, Trigger::kNameCue},
};
constexpr size_t kPatternCount = std::size(kPatterns);

// Cue words as whole words: the pattern only found the letters.
constexpr std::string_view kPasswordCues[] = {"passwort", "password", "passwd", "pwd",
                                              "kennwort", "passcode", "passphrase"};
constexpr std::string_view kCodeCues[] = {
    "pin", "puk", "cvv", "cvc", "geheimzahl", "sicherheitscode", "zugangscode", "einmalcode",
    "bestätigungscode", "verification code", "security code", "one-time code", "otp"};
constexpr std::string_view kTanCues[] = {"TAN", "mTAN", "pushTAN", "smsTAN", "chipTAN", "photoTAN", "iTAN"};
constexpr std::string_view kBirthCues[] = {"geboren",    "geb.",      "geburtsdatum", "geburtstag",
                                           "date of birth", "birth date", "birthdate", "born",
                                           "dob",        "d.o.b."};
constexpr std::string_view kNameCues[] = {"Herr", "Herrn", "Frau", "Hr",     "Fr", "Mr", "Mrs",
                                          "Ms",   "Miss",  "Mister", "Dr", "Prof"};

bool IsWordChar(unsigned char c) { return internal::IsWordByte(c); }

// True when one of `cues` ends at `end` as a whole word.
template <size_t N>
bool CueEndsAt(std::string_view text, size_t end, const std::string_view (&cues)[N], bool caseless) {
  if (end < text.size() && IsWordChar(static_cast<unsigned char>(text[end]))) {
    // "Passwortes" ends a word later; a cue ending in '.' may touch the next word.
    if (text[end - 1] != '.') return false;
  }
  for (std::string_view cue : cues) {
    if (cue.size() > end) continue;
    size_t start = end - cue.size();
    bool same = true;
    for (size_t k = 0; k < cue.size() && same; ++k) {
      char a = text[start + k], b = cue[k];
      same = caseless ? internal::ToLower(a) == internal::ToLower(b) : a == b;
    }
    if (same && (start == 0 || !IsWordChar(static_cast<unsigned char>(text[start - 1])))) return true;
  }
  return false;
}

// Lower wins when two findings overlap with the same length.
constexpr int Priority(PiiType type) {
  switch (type) {
    case PiiType::kIban: return 0;
    case PiiType::kCard: return 1;
    case PiiType::kTaxId: return 2;
    case PiiType::kEmail: return 3;
    case PiiType::kIp: return 4;
    case PiiType::kBirthDate: return 5;  // a date in context is no phone number
    case PiiType::kPhone: return 6;
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

// The detectors; each remembers how far it has looked.
enum class Detector : uint8_t {
  kEmail, kIban, kCardOrTaxId, kPhone, kIpv4, kIpv6, kPassword, kCode, kBirthDate, kName,
};
constexpr size_t kDetectorCount = 10;

// The state of one scan, handed to the match callback.
struct ScanState {
  DetectContext ctx;
  std::array<size_t, kDetectorCount> covered{};  // per detector: nothing new before this
};

template <typename Fn>
void Run(ScanState& state, Detector detector, size_t end, Fn&& detect) {
  size_t& covered = state.covered[static_cast<size_t>(detector)];
  if (end <= covered) return;
  covered = std::max(end, detect(state.ctx, end));
}

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* context) {
  auto* state = static_cast<ScanState*>(context);
  std::string_view text = state->ctx.text;
  size_t end = static_cast<size_t>(to);
  switch (kPatterns[id].trigger) {
    case Trigger::kEmail:
      Run(*state, Detector::kEmail, end, internal::DetectEmail);
      break;
    case Trigger::kNumber:
      // The match ends one byte past the digits unless the text ends there.
      if (!internal::IsDigit(static_cast<unsigned char>(text[end - 1]))) --end;
      Run(*state, Detector::kIban, end, internal::DetectIban);
      Run(*state, Detector::kCardOrTaxId, end, internal::DetectCardOrTaxId);
      Run(*state, Detector::kPhone, end, internal::DetectPhone);
      Run(*state, Detector::kIpv4, end, internal::DetectIpv4);
      Run(*state, Detector::kIpv6, end, internal::DetectIpv6);
      break;
    case Trigger::kIpv6:
      Run(*state, Detector::kIpv6, end, internal::DetectIpv6);
      break;
    case Trigger::kPasswordCue:
      if (CueEndsAt(text, end, kPasswordCues, true)) {
        Run(*state, Detector::kPassword, end, [](const DetectContext& ctx, size_t e) {
          return internal::DetectSecret(ctx, e, SecretCue::kPassword);
        });
      }
      break;
    case Trigger::kCodeCue:
    case Trigger::kTanCue:
      if (kPatterns[id].trigger == Trigger::kCodeCue ? CueEndsAt(text, end, kCodeCues, true)
                                                     : CueEndsAt(text, end, kTanCues, false)) {
        Run(*state, Detector::kCode, end, [](const DetectContext& ctx, size_t e) {
          return internal::DetectSecret(ctx, e, SecretCue::kCode);
        });
      }
      break;
    case Trigger::kBirthCue:
      if (CueEndsAt(text, end, kBirthCues, true)) {
        Run(*state, Detector::kBirthDate, end, internal::DetectBirthDate);
      }
      break;
    case Trigger::kNameCue:
      if (CueEndsAt(text, end, kNameCues, false)) Run(*state, Detector::kName, end, internal::DetectName);
      break;
  }
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

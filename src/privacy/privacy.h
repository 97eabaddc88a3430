// Privacy: find personal data in customer text and mask it.
//
// The detection half of the "protect" stage (DESIGN.md, P8). A PiiScanner
// finds personal data in a text: e-mail addresses, phone numbers, IBANs,
// payment card numbers, German tax ids (Steuer-IdNr), IP addresses, secrets
// given in context ("mein Passwort ist ..."), birth dates given in context
// ("geboren am ..."), names (after a salutation, in a self-introduction, a
// signature or after a relation such as "mein Mann", and in running text from
// name lists) and postal addresses (German, Austrian, Swiss and English).
//
// How: candidates are cheap to find and expensive to confirm, so finding is
// kept to one pass: sixteen bytes at a time, it finds the cue words
// (password, PIN, TAN, "geboren am", salutations ...) at word starts, the
// digits, '@' and ':' that start numbers, e-mail and IPv6 addresses, and the
// words in title case that names are read from. A hand-written scan around
// each trigger finds the exact span, and a validator
// confirms it (ISO 13616 mod-97 for IBANs, Luhn and issuer ranges for cards,
// ISO 7064 MOD 11,10 and the digit rule for tax ids, libphonenumber's
// metadata for phones: the default region's rules compiled once into a
// Vectorscan database, anything else asked of libphonenumber itself). A
// number that fails its check (an order number, an amount, a date) is not
// personal data and is left alone.
//
// Offsets are byte offsets into the scanned text. The scanner accepts any
// bytes, including invalid UTF-8 (the API layer rejects that earlier, but the
// scanner never crashes or reads out of bounds on it).
//
// Thread-safety: a PiiScanner is immutable after Create() and may be shared by
// any number of threads. A ScanScratch is the per-thread working memory of a
// scan: each thread (or each caller) needs its own, made by NewScratch(), and
// it must not be used by two scans at once. PlaceholderMap is a plain value
// with no internal locking. The free functions are thread-safe as long as the
// objects passed to them are not shared without synchronisation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace candor::privacy {

enum class PiiType : uint8_t {
  kEmail,
  kPhone,
  kIban,
  kCard,
  kTaxId,      // German Steuer-IdNr
  kIp,         // IPv4 or IPv6
  kSecret,     // password, PIN, TAN ... given in context
  kBirthDate,  // a date given in context ("geboren am", "date of birth")
  kName,       // a person's name
  kAddress,    // a postal address: street and number, with postcode and town if given
};
inline constexpr size_t kPiiTypeCount = 10;
inline constexpr std::array<PiiType, kPiiTypeCount> kAllPiiTypes = {
    PiiType::kEmail, PiiType::kPhone,  PiiType::kIban,      PiiType::kCard, PiiType::kTaxId,
    PiiType::kIp,    PiiType::kSecret, PiiType::kBirthDate, PiiType::kName, PiiType::kAddress};

// "email", "phone", "iban", "card", "tax_id", "ip", "secret", "birth_date",
// "name", "address".
std::string_view PiiTypeName(PiiType type);
std::optional<PiiType> ParsePiiType(std::string_view name);
// The placeholder stem: "EMAIL", "PHONE", "IBAN", "CARD", "TAX_ID", ...
std::string_view PiiTypeLabel(PiiType type);

// One piece of personal data in a text: [start, end) in bytes.
struct Finding {
  PiiType type;
  size_t start = 0;
  size_t end = 0;
  // The canonical form of the value, so that two spellings of one value are
  // recognised as the same: IBAN upper-case without spaces, card digits only,
  // phone in E.164, e-mail lower-case, birth date as YYYY-MM-DD, otherwise the
  // text itself.
  std::string normalized;
};

struct ScannerOptions {
  // Region (ISO 3166 alpha-2) for phone numbers written without a country
  // code: "0171 2345678" is read as a German number under "DE".
  std::string default_region = "DE";
  // Phone numbers that are not personal data: the bank's own published
  // numbers, which customers quote back ("I called 116 116"). Any spelling
  // that libphonenumber reads as the same number is left unmasked. Written as
  // customers would write them; a number that does not parse fails Create().
  std::vector<std::string> published_phone_numbers = {"+49 116 116"};
  // Regions whose national formats are also read when a number does not
  // parse in the default region: "US" reads "(212) 555-0187"; a region with
  // a trunk prefix such as "GB" reads "020 7946 0958", at a cost (such
  // regions are checked by libphonenumber itself, a few microseconds for each
  // number that starts with 0 and is not the default region's).
  std::vector<std::string> other_phone_regions = {"US"};
  // Names in running text that no list or cue reveals ("Berlusconi sagte")
  // are read by a small tagger (a logistic regression over word features,
  // trained on GermEval 2014's development split; see README). It costs
  // time on every word in title case, so it is a choice.
  bool tag_names = false;
  // The tagger's model as text; unset: the model compiled in from
  // data/pii/name_tagger.model (if the build had one; without it the
  // scanner keeps to its rules). A model that does not parse fails Create().
  std::optional<std::string> name_tagger_model = std::nullopt;
};

// Whether this build has the name tagger's model compiled in.
bool HasNameTaggerModel();

class PiiScanner;

// Working memory of one scan at a time; see the thread-safety note above.
// Move-only. Belongs to the scanner that made it.
class ScanScratch {
 public:
  ScanScratch(ScanScratch&&) noexcept;
  ScanScratch& operator=(ScanScratch&&) noexcept;
  ~ScanScratch();

 private:
  friend class PiiScanner;
  struct Impl;
  explicit ScanScratch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class PiiScanner {
 public:
  // Compiles the pattern database; fails only on a broken build or a bad
  // option (an unknown region).
  static Result<PiiScanner> Create(ScannerOptions options = {});

  PiiScanner(PiiScanner&&) noexcept;
  PiiScanner& operator=(PiiScanner&&) noexcept;
  ~PiiScanner();

  Result<ScanScratch> NewScratch() const;

  // Findings sorted by start, never overlapping. Fails with kInvalidArgument
  // for a scratch made by another scanner or a text of 2 GiB or more.
  Result<std::vector<Finding>> Scan(std::string_view text, ScanScratch& scratch) const;

  // Convenience for one-off calls: allocates a scratch per call (slow in loops).
  Result<std::vector<Finding>> Scan(std::string_view text) const;

 private:
  struct Impl;
  explicit PiiScanner(std::unique_ptr<const Impl> impl);
  std::unique_ptr<const Impl> impl_;  // constant after construction
};

// The placeholders of one conversation. The same value (by its normalized
// form) always gets the same placeholder, numbered per type in order of first
// appearance: the first IBAN is IBAN_1, the second distinct IBAN is IBAN_2.
// It holds the original text of every value: it is personal data itself, so
// persist it encrypted (the vault) and never log it.
class PlaceholderMap {
 public:
  struct Entry {
    std::string placeholder;  // "IBAN_1", without brackets
    PiiType type;
    std::string normalized;
    std::string original;  // the text as first seen
  };

  // The placeholder for a value, assigning the next number of its type the
  // first time the (type, normalized) pair is seen.
  const std::string& PlaceholderFor(PiiType type, std::string_view normalized,
                                    std::string_view original);
  // The original value behind "IBAN_1" or "[IBAN_1]", if any.
  std::optional<std::string_view> Original(std::string_view placeholder) const;

  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // A JSON document that Parse() reads back to an equal map.
  std::string Serialize() const;
  static Result<PlaceholderMap> Parse(std::string_view serialized);

  friend bool operator==(const PlaceholderMap& a, const PlaceholderMap& b);

 private:
  std::vector<Entry> entries_;
  std::array<uint32_t, kPiiTypeCount> next_number_{};  // last number used, per type
};

struct MaskedText {
  std::string text;  // the input with each value replaced by "[TYPE_N]"
  // Where each placeholder sits in `text` (byte offsets into the output).
  struct Placeholder {
    size_t start;
    size_t end;
  };
  std::vector<Placeholder> placeholders;
};

// Replaces every finding by its placeholder, numbered through `map`. Other
// occurrences of a value already known to the map (found earlier in this text
// or in an earlier message of the conversation) are masked too, so a password
// repeated without its cue does not leak. `findings` must be sorted and
// non-overlapping, as Scan() returns them.
//
// Text the customer typed that looks like a placeholder ("[IBAN_1]") is not
// one, and must never pass for one: Mask escapes it with a backslash
// ("\[IBAN_1]"). So that this stays unambiguous, a run of backslashes right
// before a placeholder or a look-alike is doubled: before a look-alike an odd
// run is left, before a real placeholder an even one. SplitMasked reads it back.
MaskedText Mask(std::string_view text, std::span<const Finding> findings, PlaceholderMap& map);

// One piece of masked text: text as written, a real placeholder, or a
// look-alike the customer typed.
struct MaskedPiece {
  enum class Kind { kText, kPlaceholder, kTyped } kind = Kind::kText;
  std::string text;  // kText: the text; kPlaceholder: "IBAN_1"; kTyped: "[IBAN_1]" as typed
};
// Masked text in pieces, escapes undone. Adjacent text is joined.
std::vector<MaskedPiece> SplitMasked(std::string_view masked);
// Whether `text` at `at` starts with something shaped like a placeholder,
// "[" A-Z (A-Z or _)* "_" digits "]"; its length when so, else 0.
size_t PlaceholderShapeAt(std::string_view text, size_t at);

// ---- Evaluation -------------------------------------------------------------

struct LabeledSpan {
  PiiType type;
  size_t start;  // bytes
  size_t end;
};
struct LabeledText {
  std::string text;
  std::vector<LabeledSpan> entities;
};

// One line of the evaluation format:
// {"text": "...", "entities": [{"type": "iban", "start": 10, "end": 32}]}
Result<LabeledText> ParseLabeledLine(std::string_view json_line);
// A whole JSONL file; blank lines are skipped, a bad line fails with its number.
Result<std::vector<LabeledText>> LoadLabeledJsonl(const std::string& path);

struct Score {
  size_t true_positives = 0;
  size_t false_positives = 0;
  size_t false_negatives = 0;
  double Precision() const;  // 1 when nothing was predicted
  double Recall() const;     // 1 when nothing was expected
  double F1() const;
};

struct EvalReport {
  std::array<Score, kPiiTypeCount> by_type;
  Score overall;  // summed over the evaluated types
  size_t texts = 0;
  std::vector<PiiType> types;  // the evaluated types
  const Score& For(PiiType type) const { return by_type[static_cast<size_t>(type)]; }
};

// How a finding is matched with a label of its type.
enum class SpanMatch {
  kExact,  // start and end agree
  // Data sets labelled by other rules ("Herr Schmidt" or "Schmidt", with or
  // without the town): a label is found when one finding covers at least
  // half of it, and a finding is right when at least half of it lies in one
  // label, or it covers at least half of one.
  kHalfCovered,
};

// Scores the scanner against labelled texts. Only `types` are counted:
// findings and labels of other types are ignored, so a data set that labels a
// subset of the types can be scored fairly.
Result<EvalReport> EvaluatePii(const PiiScanner& scanner, std::span<const LabeledText> texts,
                               std::span<const PiiType> types = kAllPiiTypes,
                               SpanMatch match = SpanMatch::kExact);

// Public data sets, for evaluation (never for tuning: see README).
enum class DatasetFormat {
  kJsonl,     // the format above (data/pii/eval.jsonl)
  kGermEval,  // GermEval 2014 NER TSV: persons (B-PER, I-PER) as names
  kWnut17,    // WNUT 2017 token/tag lines: persons as names
  kPresidio,  // presidio-research synth_dataset_v2.json: PERSON, STREET_ADDRESS, ...
};
// "jsonl", "germeval", "wnut17", "presidio".
std::optional<DatasetFormat> ParseDatasetFormat(std::string_view name);
// The types a format labels, which an evaluation counts.
std::vector<PiiType> DatasetTypes(DatasetFormat format);
// Token formats become one text per sentence, its tokens joined by a space.
Result<std::vector<LabeledText>> LoadDataset(const std::string& path, DatasetFormat format);

// ---- Command line (wired to `candor pii ...` by src/cli) --------------------

// `candor pii scan`: reads one text per line, writes one JSON object per line:
// {"masked": "...", "entities": [{"type": "iban", "start": 41, "end": 68}]}
// with byte offsets into the input line. Each line is its own conversation.
// A line that is not valid UTF-8 gets {"error": "..."} instead, and the exit
// code is then 1; otherwise 0.
int RunPiiScan(std::istream& in, std::ostream& out);

// `candor pii eval FILE [--format F] [--json]`: precision, recall and F1 per
// type and overall, as a table or one JSON object; exact spans for jsonl,
// half-covered spans for the other formats. Where names are labelled and the
// build has the name tagger, one more row ("name+tagger"; the key "name_tagger"
// in JSON) scores names with ScannerOptions::tag_names on. Returns 0, or 1 with a message on
// `out` when the file cannot be read or parsed.
int RunPiiEval(const std::string& path, bool json, std::ostream& out,
               DatasetFormat format = DatasetFormat::kJsonl);

}  // namespace candor::privacy

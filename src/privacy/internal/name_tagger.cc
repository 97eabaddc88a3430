#include "privacy/internal/name_tagger.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "privacy/internal/detectors.h"
#include "privacy/internal/name_lexicon.h"
#include "privacy/internal/validators.h"

namespace candor::privacy::internal {
namespace {

unsigned char At(std::string_view text, size_t k) { return static_cast<unsigned char>(text[k]); }

bool IsLetterByte(unsigned char c) { return IsAsciiAlpha(c) || c >= 0x80; }

// A neighbouring token: a word (letters and digits) or one punctuation byte;
// "<s>" before the text, "</s>" after it, "<nl>" for a line break.
struct Token {
  std::string_view text;
  size_t start = 0;
  size_t end = 0;
};

bool IsTokenByte(unsigned char c) { return IsWordByte(c) || c == '-' || c == '\''; }

Token TokenBefore(std::string_view text, size_t k) {
  size_t e = k;
  while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r')) --e;
  if (e == 0) return Token{"<s>", 0, 0};
  if (text[e - 1] == '\n') return Token{"<nl>", e - 1, e};
  if (!IsWordByte(At(text, e - 1))) return Token{text.substr(e - 1, 1), e - 1, e};
  size_t s = e;
  while (s > 0 && IsTokenByte(At(text, s - 1)) && e - s < 40) --s;
  return Token{text.substr(s, e - s), s, e};
}

Token TokenAfter(std::string_view text, size_t e) {
  const size_t n = text.size();
  size_t s = e;
  while (s < n && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r')) ++s;
  if (s >= n) return Token{"</s>", n, n};
  if (text[s] == '\n') return Token{"<nl>", s, s + 1};
  if (!IsWordByte(At(text, s))) return Token{text.substr(s, 1), s, s + 1};
  size_t w = s;
  while (w < n && IsTokenByte(At(text, w)) && w - s < 40) ++w;
  return Token{text.substr(s, w - s), s, w};
}

// The shape of a token: its case pattern, or what kind of punctuation.
char Shape(const Token& token) {
  std::string_view t = token.text;
  if (t == "<s>" || t == "</s>") return 'S';
  if (t == "<nl>") return 'L';
  unsigned char c = static_cast<unsigned char>(t[0]);
  if (t.size() == 1 && !IsWordByte(c)) {
    if (c == '.' || c == '!' || c == '?') return '.';
    if (c == ',' || c == ';' || c == ':') return ',';
    if (c == '"' || c == '(' || c == ')') return '"';
    return 'p';
  }
  if (IsDigit(c)) return 'd';
  bool all_upper = std::all_of(t.begin(), t.end(),
                               [](char x) { return !IsAsciiLower(static_cast<unsigned char>(x)); });
  if (IsAsciiUpper(c) || c >= 0xC3) return all_upper && t.size() > 1 ? 'U' : 'T';
  return 'l';
}

// Collects hashed features: FNV-1a of a kind letter and the feature's bytes.
class FeatureSet {
 public:
  FeatureSet(uint32_t buckets, std::vector<uint32_t>& out) : mask_(buckets - 1), out_(out) {
    out_.clear();
  }
  void Add(char kind, std::string_view value) {
    uint32_t h = 2166136261u;
    h = (h ^ static_cast<unsigned char>(kind)) * 16777619u;
    for (char c : value) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    out_.push_back(h & mask_);
  }
  // The same as Add(kind, the value in lower case), without a copy.
  void AddLower(char kind, std::string_view value) {
    uint32_t h = 2166136261u;
    h = (h ^ static_cast<unsigned char>(kind)) * 16777619u;
    for (char c : value)
      h = (h ^ static_cast<unsigned char>(ToLower(static_cast<unsigned char>(c)))) * 16777619u;
    out_.push_back(h & mask_);
  }
  void Add(char kind, char value) { Add(kind, std::string_view(&value, 1)); }
  void Finish() {
    std::sort(out_.begin(), out_.end());
    out_.erase(std::unique(out_.begin(), out_.end()), out_.end());
  }

 private:
  uint32_t mask_;
  std::vector<uint32_t>& out_;
};

// The name lists' flags for a word as written, as one character.
char Flags(const NameLexicon& names, std::string_view word) {
  return static_cast<char>(names.Lookup(word) | 0);
}

}  // namespace

size_t TaggedWordEnd(std::string_view text, size_t k) {
  const size_t n = text.size();
  size_t e = k;
  while (e < n && IsLetterByte(At(text, e))) ++e;
  while (e + 1 < n && (text[e] == '-' || text[e] == '\'') && StartsUpper(text, e + 1)) {
    e += 1;
    while (e < n && IsLetterByte(At(text, e))) ++e;
  }
  return e;
}

void NameFeatures(std::string_view text, size_t k, size_t e, const NameLexicon& names,
                  uint32_t buckets, std::vector<uint32_t>& out) {
  FeatureSet f(buckets, out);
  std::string_view word = text.substr(k, e - k);
  f.Add('b', "");
  f.AddLower('w', word);
  for (size_t len = 1; len <= 5; ++len) {
    if (word.size() > len) f.AddLower(static_cast<char>('0' + len), word.substr(word.size() - len));
  }
  if (word.size() > 3) f.AddLower('p', word.substr(0, 3));
  if (word.size() > 4) f.AddLower('q', word.substr(0, 4));
  f.Add('l', static_cast<char>('0' + std::min<size_t>(word.size(), 12)));
  if (word.find('-') != std::string_view::npos) f.Add('h', '-');
  if (std::any_of(word.begin(), word.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
    f.Add('h', 'u');
  f.Add('L', Flags(names, word));
  if (word.size() > 3 && word.back() == 's')
    f.Add('G', Flags(names, word.substr(0, word.size() - 1)));

  Token prev = TokenBefore(text, k);
  Token next = TokenAfter(text, e);
  Token prev2 = prev.start > 0 ? TokenBefore(text, prev.start) : Token{"<s>", 0, 0};
  Token next2 = next.end < text.size() ? TokenAfter(text, next.end) : Token{"</s>", 0, 0};
  char prev_shape = Shape(prev);
  char next_shape = Shape(next);
  f.AddLower('P', prev.text);
  f.Add('Q', prev_shape);
  f.Add('R', Flags(names, prev.text));
  f.AddLower('N', next.text);
  f.Add('O', next_shape);
  f.Add('M', Flags(names, next.text));
  f.AddLower('A', prev2.text);
  f.AddLower('Z', next2.text);
  const char shapes[2] = {prev_shape, next_shape};
  f.Add('x', std::string_view(shapes, 2));
  const char prev_shapes[2] = {Shape(prev2), prev_shape};
  f.Add('y', std::string_view(prev_shapes, 2));
  f.Finish();
}

Result<NameTagger> NameTagger::Parse(std::string_view model) {
  NameTagger tagger;
  size_t line_number = 0;
  bool header = false;
  while (!model.empty()) {
    size_t eol = model.find('\n');
    std::string_view line = model.substr(0, eol);
    model.remove_prefix(eol == std::string_view::npos ? model.size() : eol + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&](std::string_view why) {
      return Status::InvalidArgument(
          "name tagger model, line " + std::to_string(line_number) + ": " + std::string(why),
          "name_tagger_model");
    };
    if (!header) {
      if (line != "candor-name-tagger 1") return bad("expected \"candor-name-tagger 1\"");
      header = true;
      continue;
    }
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return bad("expected two fields");
    std::string_view key = line.substr(0, space);
    std::string value(line.substr(space + 1));
    if (key == "buckets") {
      uint32_t buckets = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), buckets);
      if (ec != std::errc() || end != value.data() + value.size() || buckets == 0 ||
          (buckets & (buckets - 1)) != 0 || buckets > (1u << 24)) {
        return bad("buckets must be a power of two up to 2^24");
      }
      tagger.buckets_ = buckets;
      tagger.weights_.assign(buckets, 0.0f);
      continue;
    }
    char* end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (end != value.c_str() + value.size() || !std::isfinite(number)) return bad("not a number");
    if (key == "threshold") {
      if (number <= 0 || number >= 1) return bad("threshold must lie between 0 and 1");
      tagger.threshold_ = number;
      continue;
    }
    uint32_t index = 0;
    auto [index_end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (ec != std::errc() || index_end != key.data() + key.size()) return bad("unknown line");
    if (tagger.buckets_ == 0) return bad("a weight before \"buckets\"");
    if (index >= tagger.buckets_) return bad("feature index out of range");
    tagger.weights_[index] = static_cast<float>(number);
  }
  if (!header || tagger.buckets_ == 0) {
    return Status::InvalidArgument("name tagger model: no header or no buckets",
                                   "name_tagger_model");
  }
  return tagger;
}

double NameTagger::Probability(std::string_view text, size_t k, size_t e, const NameLexicon& names,
                               std::vector<uint32_t>& features) const {
  NameFeatures(text, k, e, names, buckets_, features);
  double sum = 0;
  for (uint32_t f : features) sum += weights_[f];
  return 1.0 / (1.0 + std::exp(-sum));
}

void NameTagger::Tag(std::string_view text, std::span<const uint32_t> title_starts,
                     const NameLexicon& names, std::vector<uint32_t>& features,
                     std::vector<Finding>& out, size_t first_finding) const {
  // What the rules found, by start: a word inside it is theirs. The words
  // come in text order, so one walk along these answers for all of them.
  std::vector<std::pair<size_t, size_t>> found;
  found.reserve(out.size() - first_finding);
  for (size_t i = first_finding; i < out.size(); ++i) found.emplace_back(out[i].start, out[i].end);
  std::sort(found.begin(), found.end());
  size_t next_found = 0;
  size_t found_end = 0;  // the farthest end of the findings that start at or before a word
  auto covered = [&](size_t k) {
    for (; next_found < found.size() && found[next_found].first <= k; ++next_found)
      found_end = std::max(found_end, found[next_found].second);
    return k < found_end;
  };
  size_t run_start = 0;
  size_t run_end = 0;
  bool in_run = false;
  auto flush = [&] {
    if (in_run) {
      out.push_back(Finding{PiiType::kName, run_start, run_end,
                            std::string(text.substr(run_start, run_end - run_start))});
    }
    in_run = false;
  };
  size_t resume = 0;
  for (uint32_t start : title_starts) {
    const size_t k = start;
    if (k < resume || !StartsUpper(text, k)) continue;
    const size_t e = TaggedWordEnd(text, k);
    resume = e;
    if (!MayBeNameWord(text, k, e) || covered(k)) continue;
    if (Probability(text, k, e, names, features) < threshold_) continue;
    // Words of one name are written one space apart: "Silvio Berlusconi".
    if (in_run && k == run_end + 1 && text[run_end] == ' ') {
      run_end = e;
      continue;
    }
    flush();
    in_run = true;
    run_start = k;
    run_end = e;
  }
  flush();
}

}  // namespace candor::privacy::internal

// One pass over a text that finds where the detectors may have work: the cue
// words (password, PIN, TAN, "geboren am", salutations, "mein Name ist"),
// the bytes that start numbers, e-mail addresses and IPv6 addresses (digits,
// '@', ':'), the words in title case that the name pass reads, and a few
// counts that rule whole detectors out ("no IPv4 address without three
// dots").
//
// Sixteen bytes are classified at once, and every candidate kind comes from
// the same loads: on short chat messages separate passes cost more than the
// detectors behind them.
//
// Thread-safety: a Prefilter is working memory; one per scan at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace candor::privacy::internal {

enum class CueKind : uint8_t {
  kPassword,     // "Passwort", "password", "Kennwort" ...
  kCode,         // "PIN", "PUK", "CVV", "security code" ...
  kTan,          // "TAN", "pushTAN", "mTAN" ... (case matters)
  kBirth,        // "geboren", "geb.", "date of birth" ...
  kSalutation,   // "Herr", "Frau", "Mr", "Dr" ... (case matters)
  kIntroStrong,  // "mein Name ist", "my name is", "ich heiße", "call me" ...
};

// A cue word found as a whole word: [end - length, end).
struct CueMatch {
  size_t end;
  CueKind kind;
};

class Prefilter {
 public:
  // Finds the candidates in [begin, end) of `text`, replacing those found
  // before. `end` is the text's end or just after a line break: the
  // scanner reads a long text a part at a time, so that these lists stay
  // small. Offsets stay offsets into the whole text.
  void Run(std::string_view text, size_t begin, size_t end);
  void Run(std::string_view text) { Run(text, 0, text.size()); }

  size_t begin() const { return begin_; }
  size_t end() const { return end_; }

  // The cue words, in the order of their ends.
  const std::vector<CueMatch>& cues() const { return cues_; }
  // Where a word in title case starts: an upper-case letter (A-Z, or the
  // lead byte of Ä Ö Ü Ł Š ...) that no letter, digit, '-' or '\'' precedes
  // and no upper-case ASCII letter follows. In text order.
  const std::vector<uint32_t>& title_starts() const { return title_starts_; }
  // The first digit, '@' or ':' at or after `k` (in [begin, end)), or end.
  size_t NextTriggerByte(size_t k) const;

  // Whether a detector can find anything at all in this text.
  bool MayHoldIpv4() const { return dots_ >= 3; }     // four numbers, three dots
  bool MayHoldIpv6() const { return colons_ >= 2; }   // at least two colons
  bool MayHoldIban() const { return letter_digit_; }  // "DE89": a letter, then a digit

 private:
  size_t begin_ = 0;
  size_t end_ = 0;
  std::vector<CueMatch> cues_;
  std::vector<uint32_t> title_starts_;
  std::vector<uint16_t> trigger_bytes_;  // per 16 bytes, bit i for byte 16 * block + i
  size_t dots_ = 0;
  size_t colons_ = 0;
  bool letter_digit_ = false;
};

}  // namespace candor::privacy::internal

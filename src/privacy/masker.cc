// PlaceholderMap and Mask: stable, typed placeholders per conversation.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

constexpr int kFormatVersion = 1;

std::string_view StripBrackets(std::string_view placeholder) {
  if (placeholder.size() >= 2 && placeholder.front() == '[' && placeholder.back() == ']') {
    return placeholder.substr(1, placeholder.size() - 2);
  }
  return placeholder;
}

std::vector<std::string_view> Words(std::string_view name) {
  std::vector<std::string_view> words;
  while (!name.empty()) {
    size_t space = name.find(' ');
    if (space != 0) words.push_back(name.substr(0, space));
    if (space == std::string_view::npos) break;
    name.remove_prefix(space + 1);
  }
  return words;
}

// One person, written in full or in part: "Anna Schmidt" and "Schmidt" (a
// salutation leaves the first name out) or "Anna" (a signature leaves the
// surname out). Two full names must agree: "Peter Schmidt" is someone else.
bool SamePerson(std::string_view a, std::string_view b) {
  std::vector<std::string_view> x = Words(a), y = Words(b);
  if (x.empty() || y.empty()) return false;
  if (x.size() > 1 && y.size() > 1) return x == y;
  const std::vector<std::string_view>& whole = x.size() > 1 ? x : y;
  std::string_view part = x.size() > 1 ? y[0] : x[0];
  if (x.size() == 1 && y.size() == 1) return x[0] == y[0];
  return part == whole.front() || part == whole.back();
}

}  // namespace

const std::string& PlaceholderMap::PlaceholderFor(PiiType type, std::string_view normalized,
                                                  std::string_view original) {
  for (const Entry& e : entries_) {
    if (e.type == type && e.normalized == normalized) return e.placeholder;
  }
  if (type == PiiType::kName) {
    for (const Entry& e : entries_) {
      if (e.type == type && SamePerson(e.normalized, normalized)) return e.placeholder;
    }
  }
  uint32_t number = ++next_number_[static_cast<size_t>(type)];
  entries_.push_back(Entry{std::string(PiiTypeLabel(type)) + "_" + std::to_string(number), type,
                           std::string(normalized), std::string(original)});
  return entries_.back().placeholder;
}

std::optional<std::string_view> PlaceholderMap::Original(std::string_view placeholder) const {
  placeholder = StripBrackets(placeholder);
  for (const Entry& e : entries_) {
    if (e.placeholder == placeholder) return std::string_view(e.original);
  }
  return std::nullopt;
}

std::string PlaceholderMap::Serialize() const {
  nlohmann::json entries = nlohmann::json::array();
  for (const Entry& e : entries_) {
    entries.push_back({{"placeholder", e.placeholder},
                       {"type", PiiTypeName(e.type)},
                       {"normalized", e.normalized},
                       {"original", e.original}});
  }
  nlohmann::json doc = {{"version", kFormatVersion}, {"entries", std::move(entries)}};
  // Originals may hold any bytes the scanner accepted; replace rather than
  // throw on invalid UTF-8 (the API layer rejects such text before this).
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<PlaceholderMap> PlaceholderMap::Parse(std::string_view serialized) {
  nlohmann::json doc = nlohmann::json::parse(serialized, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("placeholder map: not a JSON object", "placeholder_map");
  }
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() ||
      version->get<int>() != kFormatVersion) {
    return Status::InvalidArgument("placeholder map: unsupported version", "version");
  }
  auto entries = doc.find("entries");
  if (entries == doc.end() || !entries->is_array()) {
    return Status::InvalidArgument("placeholder map: entries must be an array", "entries");
  }
  PlaceholderMap map;
  for (const nlohmann::json& e : *entries) {
    if (!e.is_object()) return Status::InvalidArgument("placeholder map: bad entry", "entries");
    auto field = [&](const char* name) -> const nlohmann::json* {
      auto it = e.find(name);
      return it != e.end() && it->is_string() ? &*it : nullptr;
    };
    const nlohmann::json* placeholder = field("placeholder");
    const nlohmann::json* type_name = field("type");
    const nlohmann::json* normalized = field("normalized");
    const nlohmann::json* original = field("original");
    if (!placeholder || !type_name || !normalized || !original) {
      return Status::InvalidArgument("placeholder map: entry lacks a field", "entries");
    }
    std::optional<PiiType> type = ParsePiiType(type_name->get<std::string>());
    if (!type) return Status::InvalidArgument("placeholder map: unknown type", "type");
    std::string name = placeholder->get<std::string>();
    std::string prefix = std::string(PiiTypeLabel(*type)) + "_";
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() ||
        name.size() > prefix.size() + 9 ||
        !std::all_of(name.begin() + prefix.size(), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("placeholder map: bad placeholder '" + name + "'",
                                     "placeholder");
    }
    uint32_t number = static_cast<uint32_t>(std::stoul(name.substr(prefix.size())));
    uint32_t& next = map.next_number_[static_cast<size_t>(*type)];
    next = std::max(next, number);
    if (map.Original(name)) {
      return Status::InvalidArgument("placeholder map: duplicate placeholder '" + name + "'",
                                     "placeholder");
    }
    map.entries_.push_back(Entry{std::move(name), *type, normalized->get<std::string>(),
                                 original->get<std::string>()});
  }
  return map;
}

bool operator==(const PlaceholderMap& a, const PlaceholderMap& b) {
  if (a.entries_.size() != b.entries_.size() || a.next_number_ != b.next_number_) return false;
  for (size_t k = 0; k < a.entries_.size(); ++k) {
    const auto& x = a.entries_[k];
    const auto& y = b.entries_[k];
    if (x.placeholder != y.placeholder || x.type != y.type || x.normalized != y.normalized ||
        x.original != y.original) {
      return false;
    }
  }
  return true;
}

size_t PlaceholderShapeAt(std::string_view text, size_t at) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (at + 1 >= text.size() || text[at] != '[' || !upper(text[at + 1])) return 0;
  size_t i = at + 2;
  while (i < text.size() && (upper(text[i]) || text[i] == '_')) ++i;
  if (text[i - 1] != '_') return 0;  // the stem ends with '_' before the number
  size_t end = i;
  while (end < text.size() && digit(text[end])) ++end;
  if (end == i || end >= text.size() || text[end] != ']') return 0;
  return end + 1 - at;
}

namespace {

// Doubles each backslash run right before a placeholder shape, adding one
// more before shapes that are not real placeholders (see Mask).
void EscapeTypedPlaceholders(MaskedText& masked) {
  const std::string& in = masked.text;
  if (in.find('[') == std::string::npos) return;
  std::vector<size_t> real_starts;
  for (const auto& p : masked.placeholders) real_starts.push_back(p.start);
  std::string out;
  out.reserve(in.size() + 8);
  std::vector<MaskedText::Placeholder> moved;
  size_t run_start = 0;  // where the current run of backslashes began in `out`
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '[') {
      const size_t length = PlaceholderShapeAt(in, i);
      if (length > 0) {
        const size_t run = out.size() - run_start;
        const bool real = std::find(real_starts.begin(), real_starts.end(), i) != real_starts.end();
        out.append(run, '\\');
        if (!real) out.push_back('\\');
        const size_t start = out.size();
        out.append(in, i, length);
        if (real) moved.push_back({start, out.size()});
        i += length - 1;
        run_start = out.size();
        continue;
      }
    }
    out.push_back(in[i]);
    if (in[i] != '\\') run_start = out.size();
  }
  masked.text = std::move(out);
  masked.placeholders = std::move(moved);
}

}  // namespace

std::vector<MaskedPiece> SplitMasked(std::string_view masked) {
  std::vector<MaskedPiece> pieces;
  auto add_text = [&](std::string_view text) {
    if (text.empty()) return;
    if (!pieces.empty() && pieces.back().kind == MaskedPiece::Kind::kText) {
      pieces.back().text.append(text);
    } else {
      pieces.push_back({MaskedPiece::Kind::kText, std::string(text)});
    }
  };
  size_t pos = 0;  // start of text not yet added
  for (size_t i = 0; i < masked.size(); ++i) {
    if (masked[i] != '[') continue;
    const size_t length = PlaceholderShapeAt(masked, i);
    if (length == 0) continue;
    size_t run = 0;
    while (run < i - pos && masked[i - 1 - run] == '\\') ++run;
    add_text(masked.substr(pos, i - run - pos));
    add_text(std::string(run / 2, '\\'));
    const std::string_view shape = masked.substr(i, length);
    if (run % 2 == 1) {
      pieces.push_back({MaskedPiece::Kind::kTyped, std::string(shape)});
    } else {
      pieces.push_back(
          {MaskedPiece::Kind::kPlaceholder, std::string(shape.substr(1, shape.size() - 2))});
    }
    pos = i + length;
    i = pos - 1;
  }
  add_text(masked.substr(pos));
  return pieces;
}

MaskedText Mask(std::string_view text, std::span<const Finding> findings, PlaceholderMap& map) {
  struct Cut {
    size_t start;
    size_t end;
    std::string_view placeholder;  // into `map`, which no longer grows below
  };
  auto valid = [&](const Finding& f) { return f.start < f.end && f.end <= text.size(); };
  for (const Finding& f : findings) {
    if (valid(f)) map.PlaceholderFor(f.type, f.normalized, text.substr(f.start, f.end - f.start));
  }
  std::vector<Cut> cuts;
  cuts.reserve(findings.size());
  for (const Finding& f : findings) {
    if (valid(f)) cuts.push_back(Cut{f.start, f.end, map.PlaceholderFor(f.type, f.normalized, {})});
  }
  // Every other occurrence of a known value is masked as well: the first-seen
  // spelling of each value in the map, and each spelling found in this text.
  auto mask_occurrences = [&](std::string_view value, std::string_view placeholder) {
    if (value.empty()) return;
    for (size_t at = text.find(value); at != std::string_view::npos;
         at = text.find(value, at + 1)) {
      cuts.push_back(Cut{at, at + value.size(), placeholder});
    }
  };
  const size_t found = cuts.size();
  std::unordered_set<std::string_view> searched;
  for (const PlaceholderMap::Entry& e : map.entries()) {
    if (searched.insert(e.original).second) mask_occurrences(e.original, e.placeholder);
  }
  for (size_t k = 0; k < found; ++k) {
    std::string_view spelling = text.substr(cuts[k].start, cuts[k].end - cuts[k].start);
    if (searched.insert(spelling).second) mask_occurrences(spelling, cuts[k].placeholder);
  }
  std::sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });

  MaskedText masked;
  masked.text.reserve(text.size());
  size_t pos = 0;
  for (size_t k = 0; k < cuts.size();) {
    // Merge cuts that overlap into one; it takes the first one's placeholder.
    size_t start = cuts[k].start;
    size_t end = cuts[k].end;
    std::string_view placeholder = cuts[k].placeholder;
    for (++k; k < cuts.size() && cuts[k].start < end; ++k) end = std::max(end, cuts[k].end);
    masked.text.append(text.substr(pos, start - pos));
    size_t out_start = masked.text.size();
    masked.text.push_back('[');
    masked.text.append(placeholder);
    masked.text.push_back(']');
    masked.placeholders.push_back({out_start, masked.text.size()});
    pos = end;
  }
  masked.text.append(text.substr(pos));
  EscapeTypedPlaceholders(masked);
  return masked;
}

}  // namespace candor::privacy

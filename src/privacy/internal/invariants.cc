#include "privacy/internal/invariants.h"

namespace candor::privacy::internal {

std::string CheckScanInvariants(const PiiScanner& scanner, ScanScratch& scratch,
                                std::string_view text) {
  Result<std::vector<Finding>> findings = scanner.Scan(text, scratch);
  if (!findings.ok()) return "scan failed: " + findings.status().ToString();
  size_t previous_end = 0;
  for (const Finding& f : *findings) {
    if (f.start >= f.end || f.end > text.size()) return "finding out of bounds or empty";
    if (f.start < previous_end) return "findings overlap or are not sorted";
    previous_end = f.end;
  }

  PlaceholderMap map;
  MaskedText masked = Mask(text, *findings, map);
  // The text between placeholders, piece by piece.
  size_t pos = 0;
  for (size_t k = 0; k <= masked.placeholders.size(); ++k) {
    size_t stop =
        k < masked.placeholders.size() ? masked.placeholders[k].start : masked.text.size();
    if (stop < pos || stop > masked.text.size()) return "placeholder offsets out of order";
    std::string_view piece = std::string_view(masked.text).substr(pos, stop - pos);
    for (const Finding& f : *findings) {
      std::string_view original = text.substr(f.start, f.end - f.start);
      if (piece.find(original) != std::string_view::npos) return "an original survived masking";
    }
    if (k < masked.placeholders.size()) pos = masked.placeholders[k].end;
  }

  MaskedText again = Mask(text, *findings, map);
  if (again.text != masked.text) return "masking the same text twice differs";
  Result<PlaceholderMap> parsed = PlaceholderMap::Parse(map.Serialize());
  // Serialize replaces invalid UTF-8 in originals, so only valid maps
  // round-trip exactly; a map must always parse.
  if (!parsed.ok()) return "placeholder map does not parse: " + parsed.status().ToString();
  if (parsed->size() != map.size()) return "placeholder map lost entries";
  return {};
}

}  // namespace candor::privacy::internal

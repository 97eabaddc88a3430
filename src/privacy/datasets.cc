// Public data sets read as LabeledText, for evaluation only: GermEval 2014
// (German news and Wikipedia, person names), WNUT 2017 (English posts and
// comments, person names) and presidio-research's synthetic English set.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "privacy/privacy.h"

namespace candor::privacy {
namespace {

// Token-per-line formats: sentence text is the tokens joined by one space.
struct TokenSentence {
  std::string text;
  std::vector<LabeledSpan> entities;
  bool open = false;  // the last token continues an entity
};

void AddToken(TokenSentence& s, std::string_view token, bool begins, bool inside) {
  if (!s.text.empty()) s.text.push_back(' ');
  size_t start = s.text.size();
  s.text.append(token);
  if (begins || (inside && !s.open)) {
    s.entities.push_back(LabeledSpan{PiiType::kName, start, s.text.size()});
  } else if (inside) {
    s.entities.back().end = s.text.size();
  }
  s.open = begins || inside;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    size_t tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  return fields;
}

// `token_field` and `tag_field` index the tab-separated columns; `begin` and
// `inside` are the tags of a person ("B-PER", "I-PER").
Result<std::vector<LabeledText>> LoadTokens(const std::string& path, size_t token_field,
                                            size_t tag_field, std::string_view begin,
                                            std::string_view inside) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::vector<LabeledText> texts;
  TokenSentence sentence;
  auto flush = [&] {
    if (!sentence.text.empty()) {
      texts.push_back(LabeledText{std::move(sentence.text), std::move(sentence.entities)});
    }
    sentence = TokenSentence{};
  };
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#' && line.size() > 1 && line[1] == '\t') continue;  // GermEval's source line
    std::vector<std::string_view> fields = SplitTabs(line);
    if (fields.size() <= std::max(token_field, tag_field)) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                     ": expected a token and a tag separated by tabs");
    }
    std::string_view tag = fields[tag_field];
    AddToken(sentence, fields[token_field], tag == begin, tag == inside);
  }
  flush();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return texts;
}

// Presidio counts offsets in code points; candor in bytes.
size_t ByteOffset(const std::string& utf8, size_t code_points) {
  size_t seen = 0;
  for (size_t bytes = 0; bytes < utf8.size(); ++bytes) {
    if ((static_cast<unsigned char>(utf8[bytes]) & 0xC0) != 0x80) {
      if (seen == code_points) return bytes;
      ++seen;
    }
  }
  return utf8.size();
}

Result<std::vector<LabeledText>> LoadPresidio(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::stringstream content;
  content << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(content.str(), nullptr, false);
  if (!doc.is_array()) return Status::InvalidArgument(path + ": expected a JSON array");
  const std::pair<const char*, PiiType> kTypes[] = {
      {"PERSON", PiiType::kName},         {"STREET_ADDRESS", PiiType::kAddress},
      {"PHONE_NUMBER", PiiType::kPhone},  {"CREDIT_CARD", PiiType::kCard},
      {"EMAIL_ADDRESS", PiiType::kEmail}, {"IBAN_CODE", PiiType::kIban},
      {"IP_ADDRESS", PiiType::kIp}};
  std::vector<LabeledText> texts;
  for (const nlohmann::json& item : doc) {
    if (!item.is_object() || !item.contains("full_text") || !item["full_text"].is_string() ||
        !item.contains("spans") || !item["spans"].is_array()) {
      return Status::InvalidArgument(path + ": an item lacks full_text or spans");
    }
    LabeledText t{item["full_text"].get<std::string>(), {}};
    for (const nlohmann::json& span : item["spans"]) {
      std::string type = span.value("entity_type", "");
      for (const auto& [name, pii] : kTypes) {
        if (type != name) continue;
        size_t start = ByteOffset(t.text, span.value("start_position", size_t{0}));
        size_t end = ByteOffset(t.text, span.value("end_position", size_t{0}));
        if (start < end) t.entities.push_back(LabeledSpan{pii, start, end});
      }
    }
    texts.push_back(std::move(t));
  }
  return texts;
}

}  // namespace

std::optional<DatasetFormat> ParseDatasetFormat(std::string_view name) {
  if (name == "jsonl") return DatasetFormat::kJsonl;
  if (name == "germeval") return DatasetFormat::kGermEval;
  if (name == "wnut17") return DatasetFormat::kWnut17;
  if (name == "presidio") return DatasetFormat::kPresidio;
  return std::nullopt;
}

std::vector<PiiType> DatasetTypes(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kJsonl:
      return {kAllPiiTypes.begin(), kAllPiiTypes.end()};
    case DatasetFormat::kGermEval:
    case DatasetFormat::kWnut17:
      return {PiiType::kName};
    case DatasetFormat::kPresidio:
      return {PiiType::kName,  PiiType::kAddress, PiiType::kPhone, PiiType::kCard,
              PiiType::kEmail, PiiType::kIban,    PiiType::kIp};
  }
  return {};
}

Result<std::vector<LabeledText>> LoadDataset(const std::string& path, DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kJsonl:
      return LoadLabeledJsonl(path);
    case DatasetFormat::kGermEval:
      // index, token, outer tag, inner tag: persons in the outer column.
      return LoadTokens(path, 1, 2, "B-PER", "I-PER");
    case DatasetFormat::kWnut17:
      return LoadTokens(path, 0, 1, "B-person", "I-person");
    case DatasetFormat::kPresidio:
      return LoadPresidio(path);
  }
  return Status::InvalidArgument("unknown data set format");
}

}  // namespace candor::privacy

// Reading training and test data: Banking77's CSV, JSON lines, CLINC150.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/text.h"
#include "nlu/nlu.h"

namespace candor::nlu {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return buffer.str();
}

// A label becomes a fastText "__label__" token: one word, nothing odd in it.
Status CheckExample(const Example& example, const std::string& where) {
  if (!IsValidUtf8(example.text))
    return Status::InvalidArgument(where + ": text is not valid UTF-8");
  if (example.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument(where + ": empty text");
  }
  if (example.label.empty()) return Status::InvalidArgument(where + ": empty label");
  for (char c : example.label) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f) {
      return Status::InvalidArgument(where + ": label \"" + example.label +
                                     "\" contains a space or control character");
    }
  }
  if (!IsValidUtf8(example.label))
    return Status::InvalidArgument(where + ": label is not valid UTF-8");
  return Status::Ok();
}

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
Result<std::vector<Example>> ParseCsv(const std::string& bytes, const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> row_lines;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  size_t line = 1;
  size_t row_line = 1;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    if (!(row.size() == 1 && row[0].empty())) {
      rows.push_back(std::move(row));
      row_lines.push_back(row_line);
    }
    row.clear();
  };
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < bytes.size() && bytes[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      end_row();
      row_line = ++line;
    } else if (c == '\r') {
      // part of CRLF
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted)
    return Status::InvalidArgument(path + ":" + std::to_string(row_line) + ": unterminated quote");
  if (!field.empty() || !row.empty()) end_row();
  if (rows.empty()) return Status::InvalidArgument(path + ": no header line");

  const auto& header = rows[0];
  int text_column = -1;
  int label_column = -1;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "text") text_column = static_cast<int>(i);
    if (header[i] == "category" || header[i] == "intent" || header[i] == "label") {
      label_column = static_cast<int>(i);
    }
  }
  if (text_column < 0 || label_column < 0) {
    return Status::InvalidArgument(path + ":1: the header needs a `text` and a `category` column");
  }
  std::vector<Example> examples;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = path + ":" + std::to_string(row_lines[r]);
    if (rows[r].size() != header.size()) {
      return Status::InvalidArgument(where + ": expected " + std::to_string(header.size()) +
                                     " fields, found " + std::to_string(rows[r].size()));
    }
    Example example{rows[r][text_column], rows[r][label_column]};
    CANDOR_RETURN_IF_ERROR(CheckExample(example, where));
    examples.push_back(std::move(example));
  }
  return examples;
}

Result<std::vector<Example>> ParseJsonl(const std::string& bytes, const std::string& path) {
  std::vector<Example> examples;
  std::istringstream in(bytes);
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(number);
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return Status::InvalidArgument(where + ": not a JSON object");
    }
    auto text = json.find("text");
    auto label = json.find("intent");
    if (label == json.end()) label = json.find("label");
    if (text == json.end() || !text->is_string()) {
      return Status::InvalidArgument(where + ": needs a string \"text\"");
    }
    if (label == json.end() || !label->is_string()) {
      return Status::InvalidArgument(where + ": needs a string \"intent\" (or \"label\")");
    }
    Example example{text->get<std::string>(), label->get<std::string>()};
    CANDOR_RETURN_IF_ERROR(CheckExample(example, where));
    examples.push_back(std::move(example));
  }
  return examples;
}

Result<Dataset> ParseClinc(const std::string& bytes, const std::string& path) {
  auto json = nlohmann::json::parse(bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument(path +
                                   ": not a JSON object (expected CLINC150's data_full.json)");
  }
  Dataset dataset;
  auto read = [&](const char* key, bool out_of_scope, std::vector<Example>& into) -> Status {
    auto rows = json.find(key);
    if (rows == json.end()) return Status::Ok();  // data_small and friends lack some keys
    if (!rows->is_array()) return Status::InvalidArgument(path + ": \"" + key + "\" is not a list");
    for (size_t i = 0; i < rows->size(); ++i) {
      const auto& row = (*rows)[i];
      const std::string where = path + ": " + key + "[" + std::to_string(i) + "]";
      if (!row.is_array() || row.size() != 2 || !row[0].is_string() || !row[1].is_string()) {
        return Status::InvalidArgument(where + ": expected [text, intent]");
      }
      Example example{row[0].get<std::string>(),
                      out_of_scope ? std::string(kOutOfScope) : row[1].get<std::string>()};
      CANDOR_RETURN_IF_ERROR(CheckExample(example, where));
      into.push_back(std::move(example));
    }
    return Status::Ok();
  };
  CANDOR_RETURN_IF_ERROR(read("train", false, dataset.train));
  CANDOR_RETURN_IF_ERROR(read("oos_train", true, dataset.train));
  CANDOR_RETURN_IF_ERROR(read("val", false, dataset.validation));
  CANDOR_RETURN_IF_ERROR(read("oos_val", true, dataset.validation));
  CANDOR_RETURN_IF_ERROR(read("test", false, dataset.test));
  CANDOR_RETURN_IF_ERROR(read("oos_test", true, dataset.test));
  if (dataset.train.empty() && dataset.test.empty()) {
    return Status::InvalidArgument(path + ": no \"train\" or \"test\" rows");
  }
  return dataset;
}

}  // namespace

Result<Format> ParseFormat(std::string_view name) {
  if (name == "csv") return Format::kCsv;
  if (name == "jsonl") return Format::kJsonl;
  if (name == "clinc") return Format::kClinc;
  return Status::InvalidArgument(
      "unknown format \"" + std::string(name) + "\" (expected csv, jsonl or clinc)", "format");
}

Result<Dataset> LoadDataset(const std::string& path, Format format) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  if (format == Format::kClinc) return ParseClinc(*bytes, path);
  auto examples = format == Format::kCsv ? ParseCsv(*bytes, path) : ParseJsonl(*bytes, path);
  if (!examples.ok()) return examples.status();
  if (examples->empty()) return Status::InvalidArgument(path + ": no examples");
  Dataset dataset;
  dataset.train = std::move(*examples);
  return dataset;
}

}  // namespace candor::nlu

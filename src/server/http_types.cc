#include "server/internal/http_types.h"

#include <charconv>

#include "core/text.h"
#include "server/internal/errors.h"

namespace candor {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string HttpRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
  }
  return {};
}

std::string HttpRequest::BearerToken(bool allow_query) const {
  // The scheme is case-insensitive (RFC 9110, 11.1); one or more spaces follow it.
  constexpr std::string_view kBearer = "bearer";
  std::string_view header = authorization;
  if (header.size() > kBearer.size() && header[kBearer.size()] == ' ' &&
      EqualsIgnoreCase(header.substr(0, kBearer.size()), kBearer)) {
    header.remove_prefix(kBearer.size());
    while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
    while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
    return std::string(header);
  }
  if (allow_query) return QueryParam("access_token");
  return {};
}

bool HttpRequest::HasJsonBody() const {
  std::string_view type = content_type;
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return EqualsIgnoreCase(type, "application/json");
}

HttpResponse HttpResponse::Json(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

std::optional<nlohmann::json> ParseJsonObject(std::string_view body, bool allow_empty,
                                              HttpResponse& error) {
  if (body.empty() && allow_empty) return nlohmann::json::object();
  if (!IsValidUtf8(body)) {
    error = ErrorResponse(ApiError::kInvalidUtf8, "the body is not valid UTF-8", "body");
    return std::nullopt;
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    error = ErrorResponse(ApiError::kInvalidJson, "the body is not valid JSON", "body");
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    error = ErrorResponse(ApiError::kNotAnObject, "the body must be a JSON object", "body");
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::string> OptionalString(const nlohmann::json& object, const std::string& field,
                                          size_t max_bytes, std::string fallback,
                                          HttpResponse& error) {
  auto it = object.find(field);
  if (it == object.end()) return fallback;
  if (!it->is_string()) {
    error = ErrorResponse(ApiError::kWrongType, "'" + field + "' must be a string", field);
    return std::nullopt;
  }
  std::string value = it->get<std::string>();
  if (value.size() > max_bytes) {
    error = ErrorResponse(ApiError::kTooLong,
                          "'" + field + "' is longer than " + std::to_string(max_bytes) + " bytes",
                          field);
    return std::nullopt;
  }
  // JSON may carry \u0000, and C strings, terminals and logs cut text there.
  if (value.find('\0') != std::string::npos) {
    error = ErrorResponse(ApiError::kInvalidValue,
                          "'" + field + "' must not contain NUL characters", field);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> RequireString(const nlohmann::json& object, const std::string& field,
                                         size_t max_bytes, HttpResponse& error) {
  if (!object.contains(field)) {
    error = ErrorResponse(ApiError::kMissingField, "'" + field + "' is required", field);
    return std::nullopt;
  }
  auto value = OptionalString(object, field, max_bytes, "", error);
  if (!value) return std::nullopt;
  if (value->find_first_not_of(" \t\r\n") == std::string::npos) {
    error = ErrorResponse(ApiError::kEmptyField, "'" + field + "' must not be empty", field);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> QueryInt(const HttpRequest& request, std::string_view name, int64_t fallback,
                                int64_t max, HttpResponse& error) {
  const std::string text = request.QueryParam(name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
    error = ErrorResponse(
        ApiError::kInvalidValue,
        "'" + std::string(name) + "' must be a whole number from 0 to " + std::to_string(max),
        std::string(name));
    return std::nullopt;
  }
  return value;
}

}  // namespace candor

#include "server/internal/http_types.h"

#include <charconv>

#include "core/text.h"

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

HttpResponse ErrorResponse(int http_status, std::string_view code, std::string_view message,
                           std::string_view field) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  error["field"] = field.empty() ? nlohmann::json(nullptr) : nlohmann::json(field);
  return HttpResponse::Json(http_status, {{"error", error}});
}

HttpResponse ErrorFromStatus(const Status& status) {
  struct Mapping {
    StatusCode code;
    int http;
  };
  static constexpr Mapping kTable[] = {
      {StatusCode::kInvalidArgument, 400},   {StatusCode::kUnauthenticated, 401},
      {StatusCode::kPermissionDenied, 403},  {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},     {StatusCode::kConflict, 409},
      {StatusCode::kResourceExhausted, 429}, {StatusCode::kUnavailable, 503},
      {StatusCode::kIoError, 500},           {StatusCode::kInternal, 500},
  };
  int http = 500;
  for (const auto& m : kTable)
    if (m.code == status.code()) http = m.http;
  // Server-side failures do not describe our internals to the caller.
  const std::string message =
      http >= 500 ? "the server could not complete the request" : status.message();
  return ErrorResponse(http, StatusCodeName(status.code()), message, status.field());
}

std::optional<nlohmann::json> ParseJsonObject(std::string_view body, bool allow_empty,
                                              HttpResponse& error) {
  if (body.empty() && allow_empty) return nlohmann::json::object();
  if (!IsValidUtf8(body)) {
    error = ErrorResponse(400, "invalid_utf8", "the body is not valid UTF-8", "body");
    return std::nullopt;
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    error = ErrorResponse(400, "invalid_json", "the body is not valid JSON", "body");
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    error = ErrorResponse(400, "not_an_object", "the body must be a JSON object", "body");
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
    error = ErrorResponse(400, "wrong_type", "'" + field + "' must be a string", field);
    return std::nullopt;
  }
  std::string value = it->get<std::string>();
  if (value.size() > max_bytes) {
    error = ErrorResponse(400, "too_long",
                          "'" + field + "' is longer than " + std::to_string(max_bytes) + " bytes",
                          field);
    return std::nullopt;
  }
  // JSON may carry \u0000, and C strings, terminals and logs cut text there.
  if (value.find('\0') != std::string::npos) {
    error = ErrorResponse(400, "invalid_value", "'" + field + "' must not contain NUL characters",
                          field);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> RequireString(const nlohmann::json& object, const std::string& field,
                                         size_t max_bytes, HttpResponse& error) {
  if (!object.contains(field)) {
    error = ErrorResponse(400, "missing_field", "'" + field + "' is required", field);
    return std::nullopt;
  }
  auto value = OptionalString(object, field, max_bytes, "", error);
  if (!value) return std::nullopt;
  if (value->find_first_not_of(" \t\r\n") == std::string::npos) {
    error = ErrorResponse(400, "empty_field", "'" + field + "' must not be empty", field);
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
        400, "invalid_parameter",
        "'" + std::string(name) + "' must be a whole number from 0 to " + std::to_string(max),
        std::string(name));
    return std::nullopt;
  }
  return value;
}

}  // namespace candor

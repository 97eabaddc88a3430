// The request and response the API handlers see: plain values, free of Beast.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace candor {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // raw, without '?'
  std::string body;
  std::string authorization;
  std::string last_event_id;
  std::string content_type;
  std::string remote_ip;
  // X-Candor-Background: 1, sent by a page refreshing itself: the request
  // does not count as the agent's activity (it renews no idle time).
  bool background = false;
  std::vector<std::string> params;  // the {id} parts of the matched route

  // The decoded value of ?name=..., or "" when absent.
  std::string QueryParam(std::string_view name) const;
  // The bearer token from the Authorization header (or, for streams that a
  // browser opens without headers, ?access_token=).
  std::string BearerToken(bool allow_query) const;
  // Content-Type is application/json (parameters such as charset aside).
  bool HasJsonBody() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Json(int status, const nlohmann::json& body);
};

// Body and field checks. Each returns the value, or nothing and sets `error`
// to a 400 response naming the problem and the field (internal/errors.h):
// invalid_utf8, invalid_json, not_an_object, missing_field, wrong_type,
// empty_field, too_long, invalid_value.
std::optional<nlohmann::json> ParseJsonObject(std::string_view body, bool allow_empty,
                                              HttpResponse& error);
std::optional<std::string> RequireString(const nlohmann::json& object, const std::string& field,
                                         size_t max_bytes, HttpResponse& error);
// Absent: `fallback`.
std::optional<std::string> OptionalString(const nlohmann::json& object, const std::string& field,
                                          size_t max_bytes, std::string fallback,
                                          HttpResponse& error);
// A non-negative integer query parameter; absent: `fallback`.
std::optional<int64_t> QueryInt(const HttpRequest& request, std::string_view name, int64_t fallback,
                                int64_t max, HttpResponse& error);

}  // namespace candor

#include "server/internal/errors.h"

#include <array>
#include <string>

namespace candor {
namespace {

constexpr std::array kTable = {
    ApiErrorInfo{ApiError::kBadRequest, 400, "bad_request", "the request is not valid HTTP/1.1"},
    ApiErrorInfo{ApiError::kInvalidUtf8, 400, "invalid_utf8",
                 "the body, or a text in the query, is not valid UTF-8"},
    ApiErrorInfo{ApiError::kInvalidJson, 400, "invalid_json", "the body is not valid JSON"},
    ApiErrorInfo{ApiError::kNotAnObject, 400, "not_an_object", "the body is not a JSON object"},
    ApiErrorInfo{ApiError::kMissingField, 400, "missing_field",
                 "a required field or query parameter is absent"},
    ApiErrorInfo{ApiError::kWrongType, 400, "wrong_type", "a field has the wrong JSON type"},
    ApiErrorInfo{ApiError::kEmptyField, 400, "empty_field", "a required text is blank"},
    ApiErrorInfo{ApiError::kTooLong, 400, "too_long", "a text is longer than allowed"},
    ApiErrorInfo{ApiError::kInvalidValue, 400, "invalid_value",
                 "a field, query parameter or header has a value it may not have"},
    ApiErrorInfo{ApiError::kUnauthenticated, 401, "unauthenticated",
                 "no token, a token candor did not give out, or a session that ended"},
    ApiErrorInfo{ApiError::kInvalidCredentials, 401, "invalid_credentials",
                 "the agent's name or password is wrong"},
    ApiErrorInfo{ApiError::kForbidden, 403, "forbidden", "the caller may not do this"},
    ApiErrorInfo{ApiError::kNotFound, 404, "not_found",
                 "no such thing, or not one the caller may see"},
    ApiErrorInfo{ApiError::kNoWhy, 404, "no_why", "the message carries no explanation"},
    ApiErrorInfo{ApiError::kMethodNotAllowed, 405, "method_not_allowed",
                 "the path exists, but not with this method"},
    ApiErrorInfo{ApiError::kConflict, 409, "conflict",
                 "the state changed meanwhile; the request no longer applies"},
    ApiErrorInfo{ApiError::kAlreadyExists, 409, "already_exists", "it exists already"},
    ApiErrorInfo{ApiError::kAlreadyReviewed, 409, "already_reviewed",
                 "a person has already reviewed this draft"},
    ApiErrorInfo{ApiError::kHeldByOther, 409, "held_by_other",
                 "another agent holds the conversation (error.agent names them)"},
    ApiErrorInfo{ApiError::kNotWithPeople, 409, "not_with_people",
                 "the AI answers this conversation; no person holds it"},
    ApiErrorInfo{ApiError::kTooLarge, 413, "too_large", "the body is larger than allowed"},
    ApiErrorInfo{ApiError::kUnsupportedMediaType, 415, "unsupported_media_type",
                 "the body must be application/json"},
    ApiErrorInfo{ApiError::kRateLimited, 429, "rate_limited",
                 "too many requests; try again later (Retry-After)"},
    ApiErrorInfo{ApiError::kTooManyStreams, 429, "too_many_streams",
                 "too many live streams for this conversation or from this address"},
    ApiErrorInfo{ApiError::kHeadersTooLarge, 431, "headers_too_large",
                 "the request headers are too large"},
    ApiErrorInfo{ApiError::kInternal, 500, "internal", "the server could not complete the request"},
    ApiErrorInfo{ApiError::kUnavailable, 503, "unavailable",
                 "stopping, too many connections, or a part that is not configured"},
};

// The table is indexed by the enum: a row out of order fails the build.
constexpr bool TableFollowsEnum() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].error) != i) return false;
  }
  return kTable.back().error == ApiError::kUnavailable;
}
static_assert(TableFollowsEnum(), "kTable must list every ApiError in enum order");

}  // namespace

std::span<const ApiErrorInfo> ApiErrorTable() { return kTable; }

const ApiErrorInfo& InfoOf(ApiError error) { return kTable[static_cast<size_t>(error)]; }

nlohmann::json ErrorBody(ApiError error, std::string_view message, std::string_view field) {
  nlohmann::json body = {{"code", InfoOf(error).code}, {"message", message}};
  body["field"] = field.empty() ? nlohmann::json(nullptr) : nlohmann::json(field);
  return {{"error", body}};
}

HttpResponse ErrorResponse(ApiError error, std::string_view message, std::string_view field) {
  return HttpResponse::Json(InfoOf(error).http_status, ErrorBody(error, message, field));
}

ApiError ApiErrorOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return ApiError::kInvalidValue;
    case StatusCode::kUnauthenticated:
      return ApiError::kUnauthenticated;
    case StatusCode::kPermissionDenied:
      return ApiError::kForbidden;
    case StatusCode::kNotFound:
      return ApiError::kNotFound;
    case StatusCode::kAlreadyExists:
      return ApiError::kAlreadyExists;
    case StatusCode::kConflict:
      return ApiError::kConflict;
    case StatusCode::kResourceExhausted:
      return ApiError::kRateLimited;
    case StatusCode::kUnavailable:
      return ApiError::kUnavailable;
    case StatusCode::kOk:  // not an error; answering one as such is a bug
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      break;
  }
  return ApiError::kInternal;
}

HttpResponse ErrorFromStatus(const Status& status) {
  const ApiError error = ApiErrorOf(status.code());
  if (InfoOf(error).http_status >= 500) return ErrorResponse(error, InfoOf(error).meaning);
  return ErrorResponse(error, status.message(), status.field());
}

nlohmann::json ErrorSchema() {
  nlohmann::json codes = nlohmann::json::array();
  nlohmann::json listed = nlohmann::json::array();
  for (const auto& row : kTable) {
    codes.push_back(row.code);
    listed.push_back({{"code", row.code}, {"status", row.http_status}, {"meaning", row.meaning}});
  }
  return {{"type", "object"},
          {"required", {"error"}},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"required", {"code", "message", "field"}},
              {"properties",
               {{"code", {{"type", "string"}, {"enum", codes}}},
                {"message", {{"type", "string"}}},
                {"field",
                 {{"type", "string"},
                  {"nullable", true},
                  {"description", "the offending body field, query parameter or header"}}}}}}}}},
          {"x-candor-errors", listed}};
}

}  // namespace candor

// The one table of API errors: each meaning has one code and one HTTP status.
// Every error the server sends is built from it, by a handler naming the
// meaning (ErrorResponse) or from a domain Status (ErrorFromStatus), so a
// client can rely on the code alone. The table is also published in the
// OpenAPI document (components.schemas.Error), and the README lists it.
//
// The body is always {"error": {"code", "message", "field"}}; `field` names
// the offending input (a body field, a query parameter or a header) or is null.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "core/status.h"
#include "server/internal/http_types.h"

namespace candor {

enum class ApiError {
  kBadRequest,            // 400: not valid HTTP/1.1
  kInvalidUtf8,           // 400: the body (or a text in the query) is not UTF-8
  kInvalidJson,           // 400: the body is not JSON
  kNotAnObject,           // 400: the body is JSON but not an object
  kMissingField,          // 400: a required field or parameter is absent
  kWrongType,             // 400: a field has the wrong JSON type
  kEmptyField,            // 400: a required text is blank
  kTooLong,               // 400: a text is longer than allowed
  kInvalidValue,          // 400: a value outside what it may be (field, parameter or header)
  kUnauthenticated,       // 401: no token, or not one candor gave out, or it ended
  kInvalidCredentials,    // 401: wrong agent name or password
  kForbidden,             // 403: a valid caller, but not for this
  kNotFound,              // 404: no such thing, or not visible to the caller
  kNoWhy,                 // 404: the message carries no explanation
  kMethodNotAllowed,      // 405
  kConflict,              // 409: the state changed meanwhile; the request no longer applies
  kAlreadyExists,         // 409
  kAlreadyReviewed,       // 409: another person reviewed the draft first
  kHeldByOther,           // 409: another agent holds the conversation
  kNotWithPeople,         // 409: the AI answers this conversation; there is nothing to hand back
  kTooLarge,              // 413: the body is larger than allowed
  kUnsupportedMediaType,  // 415: the body is not application/json
  kRateLimited,           // 429: too many requests (or over a limit); try again later
  kTooManyStreams,        // 429: too many live streams for the conversation or the address
  kHeadersTooLarge,       // 431
  kInternal,              // 500: the server failed; the message says nothing of its internals
  kUnavailable,           // 503: stopping, overloaded, or a part is not configured
};

struct ApiErrorInfo {
  ApiError error;
  int http_status;
  std::string_view code;     // "invalid_value"
  std::string_view meaning;  // one line, for the OpenAPI document and the README
};

// Every row, in the order of ApiError.
std::span<const ApiErrorInfo> ApiErrorTable();
const ApiErrorInfo& InfoOf(ApiError error);

// {"error": {"code", "message", "field"}}, for responses that add members.
nlohmann::json ErrorBody(ApiError error, std::string_view message, std::string_view field = {});
HttpResponse ErrorResponse(ApiError error, std::string_view message, std::string_view field = {});

// What each Status code means to a client; the message and field carried over,
// except for server-side failures, whose message would describe our internals.
ApiError ApiErrorOf(StatusCode code);
HttpResponse ErrorFromStatus(const Status& status);

// For the OpenAPI document: the Error schema, its code an enum of the table's
// codes, and x-candor-errors listing each code with its status and meaning.
nlohmann::json ErrorSchema();

}  // namespace candor

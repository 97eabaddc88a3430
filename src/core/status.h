// Status and Result<T>: how every module reports failure at its edge.
//
// A Status is a code, a human-readable message and, for bad input, the name of
// the offending field. Result<T> holds either a value or a non-OK Status. No
// exceptions cross a module boundary. Both types are plain values: safe to copy
// and to move between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace candor {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // the caller sent something malformed
  kNotFound,          // no such thing (or not visible to the caller)
  kUnauthenticated,   // missing or wrong credentials
  kPermissionDenied,  // valid credentials, but not for this
  kAlreadyExists,
  kResourceExhausted,  // a limit or a rate was exceeded
  kConflict,           // the state changed meanwhile: the request no longer applies
  kUnavailable,        // shutting down, overloaded, try again
  kIoError,            // the disk or database failed
  kInternal,           // a bug
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::string field = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status Unauthenticated(std::string message) {
    return Status(StatusCode::kUnauthenticated, std::move(message));
  }
  static Status PermissionDenied(std::string message) {
    return Status(StatusCode::kPermissionDenied, std::move(message));
  }
  static Status AlreadyExists(std::string message) {
    return Status(StatusCode::kAlreadyExists, std::move(message));
  }
  static Status ResourceExhausted(std::string message) {
    return Status(StatusCode::kResourceExhausted, std::move(message));
  }
  static Status Conflict(std::string message) {
    return Status(StatusCode::kConflict, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message));
  }
  static Status IoError(std::string message) {
    return Status(StatusCode::kIoError, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace candor

// Returns early from the enclosing function when `expr` is a non-OK Status.
#define CANDOR_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::candor::Status candor_status_ = (expr);        \
    if (!candor_status_.ok()) return candor_status_; \
  } while (0)

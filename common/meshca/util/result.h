#pragma once
// Errors are values until main: every fallible function returns Result<T>.

#include "meshca/util/exit_status.h"

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace meshca {

// What went wrong, phrased for the user: the object, what failed, and what to do.
struct Error {
  ExitStatus status = ExitStatus::cluster_error;
  std::string message;
};

inline Error bad_input(std::string message) {
  return {ExitStatus::bad_input, std::move(message)};
}
inline Error cluster_error(std::string message) {
  return {ExitStatus::cluster_error, std::move(message)};
}
inline Error check_failed(std::string message) {
  return {ExitStatus::check_failed, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}     // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {} // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// For functions that only succeed or fail.
struct Done {};
using Status = Result<Done>;
inline Status done() {
  return Done{};
}

} // namespace meshca

// Returns the error of a failed Result from the enclosing function.
#define MESHCA_TRY(expr)                                                                           \
  do {                                                                                             \
    if (auto meshca_try_result_ = (expr); !meshca_try_result_.ok())                                \
      return meshca_try_result_.error();                                                           \
  } while (false)

// Declares `declaration` with the value of a Result, or returns its error from the enclosing
// function: `MESHCA_TRY_ASSIGN(auto plane, read_control_plane(kubectl));` then use `plane`.
// It expands to several statements: not the body of an unbraced if/else.
#define MESHCA_TRY_ASSIGN(declaration, expr)                                                       \
  MESHCA_TRY_ASSIGN_IMPL(MESHCA_TRY_CONCAT(meshca_try_assign_, __LINE__), declaration, expr)
#define MESHCA_TRY_ASSIGN_IMPL(result, declaration, expr)                                          \
  auto result = (expr);                                                                            \
  if (!result.ok())                                                                                \
    return result.error();                                                                         \
  declaration = std::move(*result)
#define MESHCA_TRY_CONCAT(a, b) MESHCA_TRY_CONCAT_INNER(a, b)
#define MESHCA_TRY_CONCAT_INNER(a, b) a##b

// c_api/errors.hpp — how the C ABI reports a failure: a seglog_errc
// returned, and the code plus a malloc'ed message stored in the caller's
// optional seglog_error (docs/c-api.md, "Errors"); and the guard that
// keeps every C++ exception on this side of the boundary.
#pragma once

#include <seglog/error.hpp>
#include <seglog/seglog.h>

#include <exception>
#include <new>
#include <string_view>

namespace seglog::detail {

// Stores code and the message `what` + `detail` in *err (when err is not
// NULL), freeing any message it held; returns code. Never throws: when the
// message cannot be allocated, err->message is NULL.
seglog_errc set_error(seglog_error* err, seglog_errc code, std::string_view what,
                      std::string_view detail = {}) noexcept;

// A seglog::Error as a C error: the same number, the same message.
seglog_errc set_error(seglog_error* err, const Error& error) noexcept;

// invalid_argument naming the function and the argument refused.
inline seglog_errc null_argument(seglog_error* err, std::string_view function,
                                 std::string_view argument) noexcept {
  return set_error(err, SEGLOG_INVALID_ARGUMENT, function, argument);
}

// Runs body (which returns a seglog_errc) and turns any exception into a
// code: std::bad_alloc is out_of_memory, anything else internal (with
// what() in the message). Every extern "C" function that can fail runs
// its work through this.
template <class Body>
seglog_errc guarded(seglog_error* err, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return set_error(err, SEGLOG_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(err, SEGLOG_INTERNAL, "unexpected C++ exception: ", e.what());
  } catch (...) {
    return set_error(err, SEGLOG_INTERNAL, "unexpected C++ exception of unknown type");
  }
}

// The C code of a Status or Result: SEGLOG_OK or its error, stored.
template <class R>
seglog_errc report(seglog_error* err, const R& result) noexcept {
  return result ? SEGLOG_OK : set_error(err, result.error());
}

}  // namespace seglog::detail

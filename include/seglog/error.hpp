// seglog/error.hpp — error codes and the Result type every call returns.
// See docs/design.md, "Errors".
#pragma once

#include <seglog/export.hpp>

#include <boost/system/result.hpp>

#include <iosfwd>
#include <string>
#include <system_error>
#include <utility>

namespace seglog {

// What went wrong. The first four are the seed's errors, by the same names.
enum class errc {
  not_found = 1,     // no such thing (e.g. an index that was never stored)
  corrupted,         // a checksum or structure check failed on stored bytes
  out_of_range,      // an index above last_index()
  compacted,         // an index below first_index()
  gap,               // an append would leave a hole in the log
  conflict,          // an append disagrees with an existing entry's term
  entry_too_large,   // an entry exceeds Options::max_entry_size
  invalid_argument,  // a malformed argument or option
  locked,            // another writer holds the directory
  read_only,         // a write on a read-only handle
  closed,            // a call after close()
  no_space,          // the file system is full
  io_error,          // the OS failed a call (also: sticky after a failed sync)
  stale,             // a read-only handle's view is out of date: the writer
                     // removed or replaced a file since the open; reopen
};

// The category of seglog::errc; its name() is "seglog".
SEGLOG_API const std::error_category& error_category() noexcept;

SEGLOG_API std::error_code make_error_code(errc e) noexcept;

// What every failing call returns: a code from seglog's category and a
// message naming what and where (file, offset, index, errno text).
class Error {
 public:
  Error() = default;  // no error (code() is 0); result::error() needs it
  Error(errc code, std::string message)
      : code_(make_error_code(code)), message_(std::move(message)) {}

  std::error_code code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

  // True when code() is `e`: `if (r.error() == errc::gap)`.
  friend bool operator==(const Error& error, errc e) noexcept {
    return error.code_ == make_error_code(e);
  }

 private:
  std::error_code code_;
  std::string message_;
};

// Prints "<code message>: <message>" (for logs and test output).
SEGLOG_API std::ostream& operator<<(std::ostream& out, const Error& error);

// Thrown only by Result::value() on an error (never by seglog itself).
class SEGLOG_API Exception : public std::system_error {
 public:
  explicit Exception(const Error& error) : std::system_error(error.code(), error.message()) {}
};

// Found by argument-dependent lookup from boost::system::result::value().
[[noreturn]] SEGLOG_API void throw_exception_from_error(const Error& error,
                                                        const boost::source_location&);

template <class T>
using Result = boost::system::result<T, Error>;
using Status = Result<void>;

}  // namespace seglog

template <>
struct std::is_error_code_enum<seglog::errc> : std::true_type {};

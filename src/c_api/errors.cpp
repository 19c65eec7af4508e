// c_api/errors.cpp — seglog_error and seglog_errc (docs/c-api.md,
// "Errors"): the codes mirror seglog::errc number for number.
#include "c_api/errors.hpp"

#include <cstdlib>
#include <cstring>

namespace seglog::detail {
namespace {

// The C enum is seglog::errc with the same numbers: a C caller and a C++
// caller compare the same values.
#define SEGLOG_SAME_CODE(c_code, cpp_code) \
  static_assert(static_cast<int>(c_code) == static_cast<int>(errc::cpp_code))
SEGLOG_SAME_CODE(SEGLOG_NOT_FOUND, not_found);
SEGLOG_SAME_CODE(SEGLOG_CORRUPTED, corrupted);
SEGLOG_SAME_CODE(SEGLOG_OUT_OF_RANGE, out_of_range);
SEGLOG_SAME_CODE(SEGLOG_COMPACTED, compacted);
SEGLOG_SAME_CODE(SEGLOG_GAP, gap);
SEGLOG_SAME_CODE(SEGLOG_CONFLICT, conflict);
SEGLOG_SAME_CODE(SEGLOG_ENTRY_TOO_LARGE, entry_too_large);
SEGLOG_SAME_CODE(SEGLOG_INVALID_ARGUMENT, invalid_argument);
SEGLOG_SAME_CODE(SEGLOG_LOCKED, locked);
SEGLOG_SAME_CODE(SEGLOG_READ_ONLY, read_only);
SEGLOG_SAME_CODE(SEGLOG_CLOSED, closed);
SEGLOG_SAME_CODE(SEGLOG_NO_SPACE, no_space);
SEGLOG_SAME_CODE(SEGLOG_IO_ERROR, io_error);
SEGLOG_SAME_CODE(SEGLOG_STALE, stale);
#undef SEGLOG_SAME_CODE
// The codes the C layer adds stay clear of any errc to come.
static_assert(SEGLOG_OUT_OF_MEMORY > static_cast<int>(errc::stale) + 32);

}  // namespace

seglog_errc set_error(seglog_error* err, seglog_errc code, std::string_view what,
                      std::string_view detail) noexcept {
  if (err == nullptr) return code;
  std::free(err->message);
  err->code = code;
  err->message = static_cast<char*>(std::malloc(what.size() + detail.size() + 1));
  if (err->message != nullptr) {
    // memcpy from an empty string_view's null data() is undefined, even
    // for 0 bytes (UBSan says so).
    if (!what.empty()) std::memcpy(err->message, what.data(), what.size());
    if (!detail.empty()) std::memcpy(err->message + what.size(), detail.data(), detail.size());
    err->message[what.size() + detail.size()] = '\0';
  }
  return code;
}

seglog_errc set_error(seglog_error* err, const Error& error) noexcept {
  const seglog_errc code = error.code().category() == error_category()
                               ? static_cast<seglog_errc>(error.code().value())
                               : SEGLOG_INTERNAL;
  return set_error(err, code, error.message());
}

}  // namespace seglog::detail

extern "C" {

void seglog_error_clear(seglog_error* err) {
  if (err == nullptr) return;
  std::free(err->message);
  err->message = nullptr;
  err->code = SEGLOG_OK;
}

const char* seglog_errc_name(seglog_errc code) {
  switch (code) {
    case SEGLOG_OK:
      return "ok";
    case SEGLOG_NOT_FOUND:
      return "not_found";
    case SEGLOG_CORRUPTED:
      return "corrupted";
    case SEGLOG_OUT_OF_RANGE:
      return "out_of_range";
    case SEGLOG_COMPACTED:
      return "compacted";
    case SEGLOG_GAP:
      return "gap";
    case SEGLOG_CONFLICT:
      return "conflict";
    case SEGLOG_ENTRY_TOO_LARGE:
      return "entry_too_large";
    case SEGLOG_INVALID_ARGUMENT:
      return "invalid_argument";
    case SEGLOG_LOCKED:
      return "locked";
    case SEGLOG_READ_ONLY:
      return "read_only";
    case SEGLOG_CLOSED:
      return "closed";
    case SEGLOG_NO_SPACE:
      return "no_space";
    case SEGLOG_IO_ERROR:
      return "io_error";
    case SEGLOG_STALE:
      return "stale";
    case SEGLOG_OUT_OF_MEMORY:
      return "out_of_memory";
    case SEGLOG_INTERNAL:
      return "internal";
  }
  return "unknown";
}

}  // extern "C"

// c_api/options.cpp — seglog_options: defaults, growth by struct_size, and
// the C logger callback as a seglog::Logger (docs/c-api.md, "Options").
#include "c_api/options.hpp"

#include "c_api/errors.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace seglog::detail {
namespace {

static_assert(static_cast<int>(SEGLOG_LOG_DEBUG) == static_cast<int>(Logger::Level::debug));
static_assert(static_cast<int>(SEGLOG_LOG_INFO) == static_cast<int>(Logger::Level::info));
static_assert(static_cast<int>(SEGLOG_LOG_WARN) == static_cast<int>(Logger::Level::warn));
static_assert(static_cast<int>(SEGLOG_LOG_ERROR) == static_cast<int>(Logger::Level::error));

// Hands each message to the caller's function, as is.
class CallbackLogger final : public Logger {
 public:
  CallbackLogger(seglog_logger_fn fn, void* context) : fn_(fn), context_(context) {}
  void log(Level level, std::string_view message) override {
    fn_(context_, static_cast<seglog_log_level>(level), message.data(), message.size());
  }

 private:
  seglog_logger_fn fn_;
  void* context_;
};

// The smallest struct_size accepted: up to and including dir.
constexpr std::size_t kMinOptionsSize = offsetof(seglog_options, dir) + sizeof(const char*);

}  // namespace

seglog_errc to_options(const seglog_options* options, Options& out, seglog_error* err) {
  if (options == nullptr) return null_argument(err, "seglog_open: ", "options is NULL");
  if (options->struct_size < kMinOptionsSize) {
    return set_error(err, SEGLOG_INVALID_ARGUMENT,
                     "seglog_open: options->struct_size is too small "
                     "(call seglog_options_init first)");
  }
  seglog_options given;
  seglog_options_init(&given);
  std::memcpy(&given, options, std::min(options->struct_size, sizeof given));
  if (given.dir == nullptr) return null_argument(err, "seglog_open: ", "options->dir is NULL");
  out.dir = given.dir;
  out.segment_size = given.segment_size;
  out.index_interval_bytes = given.index_interval_bytes;
  out.max_mapped_segments = given.max_mapped_segments;
  out.max_mapped_bytes = given.max_mapped_bytes;
  out.max_entry_size = given.max_entry_size;
  out.read_only = given.read_only;
  out.verify_checksums = given.verify_checksums;
  if (given.logger != nullptr) {
    out.logger = std::make_shared<CallbackLogger>(given.logger, given.logger_context);
  }
  return SEGLOG_OK;
}

}  // namespace seglog::detail

extern "C" void seglog_options_init(seglog_options* options) {
  if (options == nullptr) return;
  const seglog::Options defaults;
  *options = seglog_options{};
  options->struct_size = sizeof *options;
  options->segment_size = defaults.segment_size;
  options->index_interval_bytes = defaults.index_interval_bytes;
  options->max_mapped_segments = defaults.max_mapped_segments;
  options->max_mapped_bytes = defaults.max_mapped_bytes;
  options->max_entry_size = defaults.max_entry_size;
  options->read_only = defaults.read_only;
  options->verify_checksums = defaults.verify_checksums;
}

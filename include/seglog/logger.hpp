// seglog/logger.hpp — where seglog reports what it did on its own
// (torn tails cut, leftovers removed, slow syncs). The seed's Logger.
#pragma once

#include <seglog/export.hpp>

#include <string_view>

namespace seglog {

class SEGLOG_API Logger {
 public:
  enum class Level { debug, info, warn, error };
  virtual ~Logger() = default;
  // Called from the thread that made the call being logged, or from the
  // log's background threads (seals, spare segments, compaction): must be
  // thread-safe and must not call back into the storage.
  virtual void log(Level level, std::string_view message) = 0;
};

}  // namespace seglog

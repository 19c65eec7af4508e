// meta/atomic_replace.cpp — write temp, fsync, rename, fsync directory
// (docs/format-meta.md, "Replacing a file").
#include "meta/atomic_replace.hpp"

#include "io/file.hpp"

namespace seglog::detail {

std::filesystem::path temp_path_for(const std::filesystem::path& dir, std::string_view name) {
  std::string temp(name);
  temp += kTempSuffix;
  return dir / temp;
}

namespace {

// Steps 1 and 2 of the replace: the temporary file, complete and durable.
Status write_durably(const std::filesystem::path& temp, std::span<const std::byte> bytes) {
  auto file = File::open(temp, File::Mode::create_or_truncate);
  if (!file) return file.error();
  if (auto written = file->write_at(0, bytes); !written) return written.error();
  if (auto synced = file->sync(); !synced) return synced.error();
  return {};
}

}  // namespace

Status atomic_replace(const std::filesystem::path& dir, std::string_view name,
                      std::span<const std::byte> bytes) {
  const std::filesystem::path temp = temp_path_for(dir, name);
  // Steps 1-2: write and fsync the temporary file. The target is untouched.
  auto written = write_durably(temp, bytes);
  if (!written) {
    (void)remove_file(temp);  // best effort; the first error is the one to report
    return written.error();
  }
  // Step 3: the rename publishes the new contents atomically.
  if (auto renamed = rename_file(temp, dir / name); !renamed) {
    (void)remove_file(temp);
    return renamed.error();
  }
  // Step 4: make the rename itself durable.
  if (auto synced = sync_directory(dir); !synced) return replaced_not_durable(name, synced.error());
  return {};
}

Error replaced_not_durable(std::string_view file, const Error& error) {
  return Error(errc::io_error, std::string(file) +
                                   " was replaced, but the replace may not survive a power loss (" +
                                   error.message() + ")");
}

}  // namespace seglog::detail

// meta/snapshot_writer.cpp — SnapshotWriter: streams data into a temporary
// file, then commits it as snapshot.bin (docs/format-meta.md, "Writing a
// snapshot").
#include "errors.hpp"
#include "format/file_names.hpp"
#include "io/file.hpp"
#include "meta/atomic_replace.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/snapshot_header.hpp"

#include <sys/random.h>
#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace seglog::detail {

namespace {

struct HashStateFree {
  void operator()(XXH3_state_t* state) const noexcept { XXH3_freeState(state); }
};
using HashState = std::unique_ptr<XXH3_state_t, HashStateFree>;

// 64 unpredictable bits for a temporary name; getrandom(2) when it answers,
// else time, pid and a counter (uniqueness is all the name needs).
std::uint64_t random_u64() {
  std::uint64_t value = 0;
  if (::getrandom(&value, sizeof value, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof value)) {
    return value;
  }
  static std::atomic<std::uint64_t> counter{0};
  const std::uint64_t seed[3] = {
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()),
      static_cast<std::uint64_t>(::getpid()), counter.fetch_add(1)};
  return XXH3_64bits(seed, sizeof seed);
}

// snapshot.bin.<16 lowercase hex>.tmp
std::string temp_snapshot_name() {
  constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = random_u64();
  std::string hex(16, '0');
  for (std::size_t i = 16; i-- > 0; bits >>= 4) hex[i] = kHex[bits & 0xF];
  return std::string(kSnapshotFileName) + "." + hex + std::string(kTempSuffix);
}

}  // namespace

// One snapshot being written. Invariants: while `phase` is writing, `file`
// is open on `temp` and `hash` covers exactly the `bytes_written` data bytes
// stored at [data_offset, data_offset + bytes_written) of it; in every other phase the
// temporary file is gone (renamed by a commit or removed).
struct SnapshotWriterState {
  enum class Phase { writing, committed, abandoned, failed };

  std::filesystem::path dir;
  std::filesystem::path temp;
  File file;
  HashState hash;
  std::uint64_t last_index = 0;
  std::uint64_t last_term = 0;
  std::uint64_t bytes_written = 0;
  std::vector<std::byte> metadata;  // written at commit, at offset 4096
  std::uint64_t data_offset = kSnapshotHeaderBytes;
  SnapshotCommitHook on_commit;
  Phase phase = Phase::abandoned;  // writing once the temporary file exists
  std::optional<Error> failure;    // set in Phase::failed

  ~SnapshotWriterState() {
    if (phase == Phase::writing) drop_temp();
  }

  // Removes the temporary file; no directory fsync needed: a crash that
  // resurrects it leaves a *.tmp leftover, which the log's open removes.
  void drop_temp() noexcept {
    file.close();
    (void)remove_file(temp);
  }

  // A failed write or commit is sticky: the file's content is unknown, so
  // the temporary file goes and every later call repeats the error.
  Error fail(Error error) {
    drop_temp();
    phase = Phase::failed;
    failure = error;
    return error;
  }

  // invalid_argument (or the earlier failure) unless still writing.
  std::optional<Error> not_writing(std::string_view call) const {
    switch (phase) {
      case Phase::writing:
        return std::nullopt;
      case Phase::failed:
        return failure;
      case Phase::committed:
        return make_error(errc::invalid_argument,
                          std::string(call) + " after commit() of " + temp.string());
      case Phase::abandoned:
        break;
    }
    return make_error(errc::invalid_argument,
                      std::string(call) + " after abandon() of " + temp.string());
  }
};

Result<SnapshotWriter> begin_snapshot(const std::filesystem::path& dir, std::uint64_t last_index,
                                      std::uint64_t last_term, std::span<const std::byte> metadata,
                                      SnapshotCommitHook on_commit) {
  auto state = std::make_unique<SnapshotWriterState>();
  state->dir = dir;
  state->temp = dir / temp_snapshot_name();
  state->hash.reset(XXH3_createState());
  if (!state->hash || XXH3_64bits_reset(state->hash.get()) != XXH_OK) {
    return make_error(errc::io_error,
                      "cannot allocate a checksum state for " + state->temp.string());
  }
  // create_new: never truncate (or later remove) a file this writer did not
  // create.
  auto file = File::open(state->temp, File::Mode::create_new);
  if (!file) return file.error();
  state->file = std::move(*file);
  state->phase = SnapshotWriterState::Phase::writing;
  state->last_index = last_index;
  state->last_term = last_term;
  state->metadata.assign(metadata.begin(), metadata.end());
  state->data_offset = snapshot_data_offset(metadata.size());
  state->on_commit = std::move(on_commit);
  return SnapshotWriter(std::move(state));
}

}  // namespace seglog::detail

namespace seglog {

SnapshotWriter::SnapshotWriter(std::unique_ptr<detail::SnapshotWriterState> state)
    : state_(std::move(state)) {}
SnapshotWriter::SnapshotWriter(SnapshotWriter&&) noexcept = default;
// The assigned-over writer's state is destroyed, which abandons it.
SnapshotWriter& SnapshotWriter::operator=(SnapshotWriter&&) noexcept = default;
SnapshotWriter::~SnapshotWriter() = default;

Status SnapshotWriter::write(std::span<const std::byte> chunk) {
  if (!state_) {
    return detail::make_error(errc::invalid_argument, "write() on a moved-from SnapshotWriter");
  }
  if (auto refused = state_->not_writing("write()")) return *refused;
  const std::uint64_t offset = state_->data_offset + state_->bytes_written;
  if (auto written = state_->file.write_at(offset, chunk); !written) {
    return state_->fail(written.error());
  }
  (void)XXH3_64bits_update(state_->hash.get(), chunk.data(), chunk.size());
  state_->bytes_written += chunk.size();
  return {};
}

Result<SnapshotMeta> SnapshotWriter::commit() {
  if (!state_) {
    return detail::make_error(errc::invalid_argument, "commit() on a moved-from SnapshotWriter");
  }
  detail::SnapshotWriterState& s = *state_;
  if (auto refused = s.not_writing("commit()")) return *refused;

  const SnapshotMeta meta{s.last_index, s.last_term, s.bytes_written, s.metadata};
  detail::SnapshotHeader fields{s.last_index, s.last_term, s.bytes_written,
                                XXH3_64bits_digest(s.hash.get())};
  fields.metadata_size = s.metadata.size();
  fields.metadata_xxh3 = XXH3_64bits(s.metadata.data(), s.metadata.size());
  const detail::SnapshotHeaderBytes header = detail::encode_snapshot_header(fields);
  // Step 1 of 4 (docs/format-meta.md, "Writing a snapshot"): the metadata,
  // then the header, last, so a temporary file is never a valid snapshot
  // before it is whole.
  if (!s.metadata.empty()) {
    if (auto written = s.file.write_at(detail::kSnapshotHeaderBytes, s.metadata); !written) {
      return s.fail(written.error());
    }
    // The data starts at the page after the metadata; with no data, the
    // file must still reach that offset, or the length check at open
    // (length == data offset + data size) calls the snapshot corrupted.
    if (s.bytes_written == 0) {
      if (auto padded = s.file.truncate(s.data_offset); !padded) return s.fail(padded.error());
    }
  }
  if (auto written = s.file.write_at(0, header); !written) return s.fail(written.error());
  // Step 2: the whole file durable before it gets the name.
  if (auto synced = s.file.sync(); !synced) return s.fail(synced.error());
  s.file.close();
  // Step 3: the rename publishes it, replacing the previous snapshot.
  if (auto renamed = detail::rename_file(s.temp, s.dir / detail::kSnapshotFileName); !renamed) {
    return s.fail(renamed.error());
  }
  s.phase = detail::SnapshotWriterState::Phase::committed;
  // Step 4: the rename durable. snapshot.bin already holds the new snapshot
  // whatever this returns, so the storage learns of it either way.
  auto dir_synced = detail::sync_directory(s.dir);
  if (s.on_commit) s.on_commit(meta);
  if (!dir_synced)
    return detail::replaced_not_durable(detail::kSnapshotFileName, dir_synced.error());
  return meta;
}

void SnapshotWriter::abandon() noexcept {
  if (state_ && state_->phase == detail::SnapshotWriterState::Phase::writing) {
    state_->drop_temp();
    state_->phase = detail::SnapshotWriterState::Phase::abandoned;
  }
}

std::uint64_t SnapshotWriter::bytes_written() const noexcept {
  return state_ ? state_->bytes_written : 0;
}

}  // namespace seglog

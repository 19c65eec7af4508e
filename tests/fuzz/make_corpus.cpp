// fuzz/make_corpus.cpp — writes the seed corpus of every fuzz target
// (tests/fuzz/corpus/<target>/): small valid files made by the library
// itself, so each fuzzer starts from bytes that pass every checksum.
//
//   ninja -C build-fuzz tests/fuzz/fuzz_make_corpus
//   build-fuzz/tests/fuzz/fuzz_make_corpus tests/fuzz/corpus
//
// Salts are random, so a new run changes the bytes (not the shapes).
#include "format/endian.hpp"
#include "format/file_names.hpp"
#include "format/record.hpp"
#include "format/segment_header.hpp"
#include "meta/cluster_file.hpp"
#include "meta/snapshot_file.hpp"
#include "meta/state_file.hpp"

#include <seglog/segmented_storage.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace seglog;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "make_corpus: %s\n", what.c_str());
  std::exit(1);
}

template <class R>
auto must(R result, const char* what) {
  if (!result) fail(std::string(what) + ": " + result.error().message());
  if constexpr (!std::is_void_v<typename R::value_type>) return std::move(*result);
}

std::vector<char> read_file(const fs::path& path, std::uint64_t max_bytes = UINT64_MAX) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() > max_bytes) bytes.resize(max_bytes);
  return bytes;
}

void write_file(const fs::path& path, const std::vector<char>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) fail("cannot write " + path.string());
  std::printf("%8zu %s\n", bytes.size(), path.string().c_str());
}

std::vector<std::byte> payload(std::uint64_t index, std::size_t size) {
  std::vector<std::byte> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = std::byte(index * 31 + i);
  return data;
}

class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "seglog-corpus-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
    path_ = pattern;
  }
  ~Scratch() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A log of entries [1, count] (payload sizes cycle through `sizes`), then
// `after_append` on it; returns the first segment file as it is then.
template <class AfterAppend>
std::vector<char> segment(std::uint64_t count, std::uint32_t index_interval_bytes,
                          AfterAppend after_append) {
  Scratch dir;
  Options options;
  options.dir = dir.path();
  options.segment_size = 64 * 1024;
  options.index_interval_bytes = index_interval_bytes;
  auto storage = must(SegmentedStorage::open(options), "open");
  const std::size_t sizes[] = {0, 5, 17, 64, 200};
  std::vector<LogEntry> entries;
  for (std::uint64_t i = 1; i <= count; ++i) {
    entries.push_back(LogEntry{i, 1 + i / 8, static_cast<std::uint8_t>(i % 3),
                               payload(i, sizes[i % std::size(sizes)])});
  }
  must(storage->append_entries(entries), "append");
  const fs::path file = dir.path() / detail::segment_name(1);
  return after_append(*storage, file);
}

std::vector<char> closed(SegmentedStorage& storage, const fs::path& file) {
  must(storage.close(), "close");
  return read_file(file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) fail("usage: fuzz_make_corpus <corpus dir>");
  const fs::path out = argv[1];

  // Segments: sealed by close (one and many sparse points), sealed after a
  // truncate_after (stale records before the footer), and active (synced,
  // still open: preallocated zeros after the records).
  const auto two = segment(2, 4096, closed);
  const auto sparse = segment(40, 64, closed);
  const auto cut = segment(30, 128, [](SegmentedStorage& s, const fs::path& file) {
    must(s.truncate_after(17), "truncate_after");
    return closed(s, file);
  });
  const auto active = segment(6, 256, [](SegmentedStorage& s, const fs::path& file) {
    must(s.sync(), "sync");
    return read_file(file);
  });
  for (const auto& [name, bytes] : {std::pair{"sealed_two", &two},
                                    {"sealed_sparse", &sparse},
                                    {"sealed_cut", &cut},
                                    {"active", &active}}) {
    // The active segment is cut to 8 KiB (records, then zeros): its 64 KiB
    // of preallocation would raise libFuzzer's input size limit (the
    // largest seed) eightfold and cut the exec rate. Open accepts a file
    // shorter than its capacity.
    std::vector<char> seed = *bytes;
    if (seed.size() > 8192) seed.resize(8192);
    write_file(out / "segment_log" / name, seed);
    write_file(out / "segment_header" / name, seed);
  }

  // Records: the salt, then the record area of the sparse segment; and one
  // empty and one 1-byte record with salt 0.
  {
    std::vector<char> records(sparse.begin() + 24, sparse.begin() + 32);  // salt
    const auto* sparse_bytes = reinterpret_cast<const std::byte*>(sparse.data());
    const auto identity = detail::decode_identity(sparse_bytes);
    if (!identity) fail("sealed_sparse has no identity");
    const auto state = detail::current_state(sparse_bytes, identity->salt);
    if (!state || state->end_offset < 4096 || state->end_offset > sparse.size()) {
      fail("sealed_sparse has no end_offset");
    }
    const auto state_end = static_cast<std::ptrdiff_t>(state->end_offset);
    records.insert(records.end(), sparse.begin() + 4096, sparse.begin() + state_end);
    write_file(out / "record" / "sparse_records", records);

    std::vector<char> small(8 + 2 * 40, 0);
    const std::byte one[] = {std::byte{0x42}};
    auto* at = reinterpret_cast<std::byte*>(small.data() + 8);
    detail::encode_record(at, 0, {1, 1, 0}, {});
    detail::encode_record(at + 32, 0, {2, 1, 9}, one);
    small.resize(8 + 32 + 40);
    write_file(out / "record" / "two_small", small);
  }

  // state.json, cluster.json and snapshot.bin as the library stores them.
  {
    Scratch dir;
    const auto state_path = dir.path() / detail::kStateFileName;
    must(detail::store_state(dir.path(), {0, "", 0}), "store_state");
    write_file(out / "state_file" / "empty", read_file(state_path));
    must(detail::store_state(dir.path(), {7, "node-2", 41}), "store_state");
    write_file(out / "state_file" / "voted", read_file(state_path));
    must(detail::store_state(dir.path(), {UINT64_MAX, "n\"\\\x01\xc3\xa9", 3}), "store_state");
    write_file(out / "state_file" / "escapes", read_file(state_path));

    const auto cluster_path = dir.path() / detail::kClusterFileName;
    must(detail::store_cluster_config(dir.path(), {0, 0, {}}), "store_cluster_config");
    write_file(out / "cluster_file" / "empty", read_file(cluster_path));
    must(detail::store_cluster_config(dir.path(), {12,
                                                   3,
                                                   {{"a", "10.0.0.1:7000", true},
                                                    {"b", "10.0.0.2:7000", true},
                                                    {"c\"\x02", "[::1]:7000", false}}}),
         "store_cluster_config");
    write_file(out / "cluster_file" / "three", read_file(cluster_path));

    const auto snapshot_path = dir.path() / detail::kSnapshotFileName;
    must(detail::store_snapshot(dir.path(), {}, 0, 0, {}, {}), "store_snapshot");
    write_file(out / "snapshot_file" / "empty", read_file(snapshot_path));
    const auto data = payload(5, 100);
    must(detail::store_snapshot(dir.path(), data, 99, 4, {}, {}), "store_snapshot");
    write_file(out / "snapshot_file" / "hundred_bytes", read_file(snapshot_path));
  }
  return 0;
}

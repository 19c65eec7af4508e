// sweep/sweep_log.cpp — builds the sweep's log through the public API and
// reads its layout back from the bytes (docs/format.md).
#include "sweep/sweep_log.hpp"

#include "log/log_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace seglog::sweep {

using test::Model;

namespace {

// Payload sizes from 0 to 1,499 bytes, or 5,999 for big ones (most not a
// multiple of 8, so most records end in padding), some empty.
std::size_t bulk_payload_size(std::uint64_t index, std::uint64_t term, bool big) {
  if (index % 37 == 0) return 0;
  return (index * 389 + term * 101) % (big ? 6000 : 1500);
}

// The newest segment's entries are small, so the three batches around its
// two syncs fit in it.
std::size_t tail_payload_size(std::uint64_t index) {
  if (index % 37 == 0) return 0;
  return (index * 131) % 400;
}

// The payload depends on the term too: an entry removed by truncate_after
// and appended again by a later leader has other bytes.
LogEntry sweep_entry(std::uint64_t index, std::uint64_t term, std::size_t size) {
  return LogEntry{index, term, static_cast<std::uint8_t>(index % 5),
                  test::payload_for(index ^ (term << 40), size)};
}

std::vector<LogEntry> bulk(std::uint64_t first, std::uint64_t count, std::uint64_t term,
                           bool big = false) {
  std::vector<LogEntry> out;
  for (std::uint64_t i = first; i < first + count; ++i) {
    out.push_back(sweep_entry(i, term, bulk_payload_size(i, term, big)));
  }
  return out;
}

std::vector<LogEntry> tail(std::uint64_t first, std::uint64_t count, std::uint64_t term) {
  std::vector<LogEntry> out;
  for (std::uint64_t i = first; i < first + count; ++i) {
    out.push_back(sweep_entry(i, term, tail_payload_size(i)));
  }
  return out;
}

std::uint64_t newest_first_index(const fs::path& dir) {
  return test::segment_files(dir).back().first_index;
}

// Appends single entries of `term` until one of them starts a new segment.
void append_until_roll(Storage& storage, const fs::path& dir, Model& model, std::uint64_t term,
                       bool big) {
  const std::uint64_t before = newest_first_index(dir);
  for (int guard = 0; guard < 1000; ++guard) {
    const std::uint64_t next = storage.last_index() + 1;
    test::append_all(storage, model, bulk(next, 1, term, big));
    if (newest_first_index(dir) != before) {
      REQUIRE(newest_first_index(dir) == next);
      return;
    }
  }
  FAIL("no roll after 1000 entries");
}

Image load_image(const fs::path& dir) {
  Image image;
  for (const auto& e : fs::directory_iterator(dir)) {
    REQUIRE(e.is_regular_file());
    image[e.path().filename().string()] = test::read_file(e.path());
  }
  return image;
}

SegmentLayout layout_of(const std::string& name, const std::vector<std::byte>& bytes) {
  SegmentLayout s;
  s.name = name;
  s.file_bytes = bytes.size();
  REQUIRE(bytes.size() >= detail::kSegmentHeaderBytes);
  const auto identity = detail::decode_identity(bytes.data());
  REQUIRE(identity);
  const auto state = detail::current_state(bytes.data(), identity->salt);
  REQUIRE(state);
  s.first_index = identity->first_index;
  s.sealed = state->sealed;
  s.current_slot = detail::next_slot_offset(state->sequence);
  s.other_slot = s.current_slot == 512 ? 1024 : 512;
  s.synced_end = state->synced_end;
  // The sweep's log never compacts inside a segment without rewriting it.
  REQUIRE((state->start_index == 0 || state->start_index == s.first_index));
  const std::uint64_t bound = s.sealed ? state->end_offset : bytes.size();
  std::uint64_t pos = detail::kSegmentHeaderBytes;
  for (std::uint64_t index = s.first_index; pos < bound; ++index) {
    detail::DecodedRecord r;
    if (detail::decode_record(bytes.data() + pos, bound - pos, identity->salt, true, r) !=
            detail::RecordStatus::ok ||
        r.fields.index != index) {
      break;
    }
    s.records.push_back({index, pos, 32 + r.payload.size(), r.bytes});
    pos += r.bytes;
  }
  s.records_end = pos;
  if (s.sealed) {
    REQUIRE(pos == state->end_offset);
    REQUIRE((s.records.empty() ? s.first_index - 1 : s.records.back().index) == state->last_index);
    s.footer_offset = state->footer_offset;
    s.footer_bytes = detail::footer_bytes(state->point_count);
    REQUIRE(s.footer_offset + s.footer_bytes == bytes.size());
  }
  return s;
}

}  // namespace

const SegmentLayout* SweepLog::segment_named(const std::string& name) const {
  for (const SegmentLayout& s : segments) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Options SweepLog::options_for(const fs::path& dir) const { return test::small_options(dir); }

SweepLog::SweepLog() {
  const fs::path writer_dir = scratch.path() / "writer";
  const fs::path pristine_dir = scratch.path() / "pristine";
  const Options options = options_for(writer_dir);
  Model model;

  // Few entries and short sealed segments keep each case cheap (a case
  // opens and reads everything); writer sessions make the segments short:
  // every session starts a new segment, and close() seals it.
  // Session 1: entries 1..40 of term 1; session 2: 41..80.
  for (const std::uint64_t first : {1, 41}) {
    auto writer = test::open_or_fail(options);
    test::append_all(*writer, model, bulk(first, 40, 1));
    REQUIRE(writer->close());
  }
  auto writer = test::open_or_fail(options);
  // A snapshot, then compaction to just after it, inside the sealed second
  // segment: the boundary rewrite makes the first segment (its start index
  // in its state slot); the first session's segment goes.
  const std::uint64_t snapshot_last = 50;
  snapshot_data = test::payload_for(777, 3000);
  REQUIRE(writer->save_snapshot(snapshot_data, snapshot_last, 1));
  snapshot_meta = {snapshot_last, 1, snapshot_data.size()};
  REQUIRE(writer->truncate_before(snapshot_last + 1));
  test::model_truncate_before(model, snapshot_last + 1);

  // A new leader overwrites the last entries: truncate_after inside the
  // active segment seals it, with the removed records' bytes left between
  // its kept records and its footer.
  test::append_all(*writer, model, bulk(81, 20, 1));
  const std::uint64_t cut = 95;
  REQUIRE(writer->truncate_after(cut));
  test::model_truncate_after(model, cut);

  // Term 2, large entries: a segment filled up and rolled, then a few
  // entries in the next one, sealed by the end of the session.
  append_until_roll(*writer, writer_dir, model, 2, true);
  append_until_roll(*writer, writer_dir, model, 2, true);
  test::append_all(*writer, model, bulk(writer->last_index() + 1, 6, 2));
  REQUIRE(writer->close());

  // The last session: its first append starts the newest segment, which
  // then gets a batch and sync(), a batch and sync() (whose slot records
  // the first sync's end), and a batch never synced.
  writer = test::open_or_fail(options);
  const std::uint64_t newest_first = writer->last_index() + 1;
  test::append_all(*writer, model, tail(newest_first, 16, 2), 5);
  REQUIRE(writer->sync());
  durable_synced_last = writer->last_index();
  test::append_all(*writer, model, tail(writer->last_index() + 1, 10, 2), 5);
  REQUIRE(writer->sync());
  synced_last = writer->last_index();
  test::append_all(*writer, model, tail(writer->last_index() + 1, 8, 2), 5);
  REQUIRE(newest_first_index(writer_dir) == newest_first);

  state = {2, "node-b", synced_last};
  REQUIRE(writer->save_state(state));
  cluster = {cut + 1,
             2,
             {{"node-a", "10.0.0.1:7000", true},
              {"node-b", "10.0.0.2:7000", true},
              {"node-c", "[fe80::3]:7000", false}}};
  REQUIRE(writer->save_cluster_config(cluster));

  // The crash image: the directory while the writer is still open, as if
  // every page it wrote had reached the disk (the log is a shared mapping,
  // so a copy sees the unsynced records too). Then the writer goes.
  test::copy_dir(writer_dir, pristine_dir);
  writer.reset();
  image = load_image(pristine_dir);
  fs::remove_all(pristine_dir);
  fs::remove_all(writer_dir);

  for (const auto& [name, bytes] : image) {
    if (detail::parse_segment_name(name)) segments.push_back(layout_of(name, bytes));
  }
  std::sort(segments.begin(), segments.end(), [](const SegmentLayout& a, const SegmentLayout& b) {
    return a.first_index < b.first_index;
  });
  segments.back().newest = true;
  REQUIRE(segments.size() >= 5);
  // The boundary rewrite made the first segment: it starts at the start.
  REQUIRE(segments.front().first_index == snapshot_last + 1);
  for (std::size_t k = 0; k + 1 < segments.size(); ++k) REQUIRE(segments[k].sealed);
  REQUIRE_FALSE(newest().sealed);
  REQUIRE(newest().first_index == newest_first);
  REQUIRE(image.count("state.json") == 1);
  REQUIRE(image.count("cluster.json") == 1);
  REQUIRE(image.count("snapshot.bin") == 1);

  for (const auto& [index, e] : model) entries.push_back(e);
  first_index = model.begin()->first;
  last_index = model.rbegin()->first;
  REQUIRE(first_index == snapshot_last + 1);

  // The layout read back from the bytes is the log appended: every index
  // once, in order, across the segments.
  std::uint64_t expected = first_index;
  for (const SegmentLayout& s : segments) {
    REQUIRE(s.first_index == expected);
    for (const RecordSpan& r : s.records) {
      REQUIRE(r.index == expected);
      REQUIRE(r.payload_bytes() == entry(expected).data.size());
      ++expected;
    }
  }
  REQUIRE(expected == last_index + 1);

  const SegmentLayout& n = newest();
  for (const RecordSpan& r : n.records) {
    if (r.index == durable_synced_last) durable_synced_end = r.end();
    if (r.index == synced_last) synced_end = r.end();
  }
  // The slot lags one sync (design.md, "sync"): it records the first sync.
  REQUIRE(n.synced_end == durable_synced_end);
  REQUIRE(n.synced_end > detail::kSegmentHeaderBytes);
  REQUIRE(synced_end > durable_synced_end);
  REQUIRE(n.records.back().index == last_index);
}

}  // namespace seglog::sweep

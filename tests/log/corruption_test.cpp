// corruption_test.cpp — damaged bytes and files in a seglog directory
// (invariants 1 and 3 of DESIGN.md): a flipped byte anywhere is either
// corrupted at open or corrupted when the damaged entry is read (the
// message naming file and offset), never other bytes; a torn tail beyond
// the synced end is cut and counted, damage in synced data fails the open
// and deletes nothing; a read-only open serves the valid prefix; stray,
// empty, missing, misnamed and duplicate files are told apart.
//
// Offsets come from the format headers: records from 4096, the identity at
// 0, state slots at 512 and 1024, a sealed segment's footer where its state
// slot says.
#include "log/log_helpers.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>

using namespace seglog;
using namespace seglog::test;

namespace {

std::vector<LogEntry> sized_entries(std::uint64_t first, std::uint64_t count, std::size_t size,
                                    std::uint64_t term = 1) {
  std::vector<LogEntry> out;
  for (std::uint64_t i = first; i < first + count; ++i) {
    out.push_back(
        make_entry(i, term, size == 0 ? (i * 137) % 700 : size, static_cast<std::uint8_t>(i % 4)));
  }
  return out;
}

// A closed log of about ten sealed segments (1,200 entries of 0-699 bytes).
struct ClosedLog {
  TempDir dir;
  Options options = small_options(dir.path() / "log");
  Model model;

  ClosedLog() {
    auto storage = open_or_fail(options);
    append_all(*storage, model, sized_entries(1, 1200, 0));
    REQUIRE(storage->close());
    REQUIRE(segment_files(options.dir).size() >= 8);
  }
  std::vector<SegmentFile> files() const { return segment_files(options.dir); }
  // A sealed segment in the middle of the log, and its neighbour's first index.
  SegmentFile middle() const { return files()[files().size() / 2]; }
  std::uint64_t after(const SegmentFile& f) const {
    const auto all = files();
    for (std::size_t k = 0; k + 1 < all.size(); ++k) {
      if (all[k].first_index == f.first_index) return all[k + 1].first_index;
    }
    return model.rbegin()->first + 1;
  }
};

// What reading every entry of `model` from `options` gave when it did not
// give the model's bytes.
struct Damage {
  bool open_failed = false;  // open was corrupted
  std::string open_message;
  std::map<std::uint64_t, std::string> corrupted;  // index -> get_entry's message
};

bool mentions(const std::string& message, const fs::path& file) {
  return message.find(file.filename().string()) != std::string::npos;
}

// Opens `options` and reads every entry of `model` through get_entry,
// read_entry, term and get_entries: each read must return the model's
// entry or corrupted (with a message naming a segment file), nothing else.
// An open that fails must fail with corrupted.
Damage read_everything(const Options& options, const Model& model) {
  Damage damage;
  auto opened = SegmentedStorage::open(options);
  if (!opened) {
    INFO(describe(outcome(opened)));
    REQUIRE(outcome(opened) == errc::corrupted);
    damage.open_failed = true;
    damage.open_message = opened.error().message();
    CHECK(damage.open_message.find(".seg") != std::string::npos);
    return damage;
  }
  SegmentedStorage& s = **opened;
  REQUIRE(s.first_index() == model.begin()->first);
  REQUIRE(s.last_index() == model.rbegin()->first);  // no entry lost, none added
  for (const auto& [index, expected] : model) {
    const auto entry = s.get_entry(index);
    const auto view = s.read_entry(index);
    const auto term = s.term(index);
    INFO("index " << index << ": " << describe(outcome(entry)));
    if (entry) {
      REQUIRE(*entry == expected);
      REQUIRE(view);
      REQUIRE(view->to_entry() == expected);
      REQUIRE(term);
      REQUIRE(*term == expected.term);
    } else {
      REQUIRE(outcome(entry) == errc::corrupted);
      REQUIRE(outcome(view) == errc::corrupted);
      REQUIRE(entry.error().message().find(".seg") != std::string::npos);
      if (term) REQUIRE(*term == expected.term);  // a term may come from a valid header
      damage.corrupted[index] = entry.error().message();
    }
  }
  for (std::uint64_t begin = model.begin()->first; begin <= model.rbegin()->first; begin += 37) {
    const auto got = s.get_entries(begin, begin + 37);
    if (!got) {
      REQUIRE(outcome(got) == errc::corrupted);
      continue;
    }
    for (const LogEntry& e : *got) REQUIRE(e == model.at(e.index));
  }
  return damage;
}

std::set<std::uint64_t> keys(const std::map<std::uint64_t, std::string>& m) {
  std::set<std::uint64_t> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

// Every file of a directory but LOCK, with its bytes.
std::map<std::string, std::vector<std::byte>> contents(const fs::path& dir) {
  std::map<std::string, std::vector<std::byte>> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name != "LOCK" && e.is_regular_file()) out[name] = read_file(e.path());
  }
  return out;
}

// A read-only open serves exactly the model's entries [first, end).
void expect_read_only_prefix(const Options& options, const Model& model, std::uint64_t end) {
  auto reader = open_or_fail(read_only(options));
  Model prefix(model.begin(), model.lower_bound(end));
  expect_model(*reader, prefix, model.begin()->first);
}

std::vector<std::byte> garbage(std::size_t size) {
  std::vector<std::byte> out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::byte>(0xA5 ^ (i * 29));
  return out;
}

}  // namespace

// ---- damage in sealed segments (after a clean close) -------------------------

TEST_CASE("a flipped byte in a sealed record's header is corrupted when that entry is read",
          "[log][corruption][sealed]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  const auto records = records_of(victim.path);
  REQUIRE(records.size() >= 10);
  const RecordAt target = records[records.size() / 2];
  const std::uint64_t field = GENERATE(0, 7, 8, 9, 12, 13, 16, 23, 24, 31);
  INFO("header byte " << field << " of index " << target.index);
  flip_byte(victim.path, target.offset + field, 0x04);

  const Damage damage = read_everything(log.options, log.model);
  if (damage.open_failed) return;  // corrupted at open is fine
  REQUIRE(damage.corrupted.count(target.index) == 1);
  const std::string& message = damage.corrupted.at(target.index);
  CHECK(mentions(message, victim.path));
  CHECK(message.find("offset") != std::string::npos);
  // The damage stays inside its segment.
  for (const auto& [index, ignored] : damage.corrupted) {
    CHECK(index >= victim.first_index);
    CHECK(index < log.after(victim));
  }
}

TEST_CASE("a flipped payload byte of a sealed record is corrupted for that entry only",
          "[log][corruption][sealed]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  const auto records = records_of(victim.path);
  const std::size_t which = GENERATE(as<std::size_t>{}, 0, 1, 5, 999);  // 999: the last
  const RecordAt target = records[std::min(which, records.size() - 1)];
  REQUIRE(target.payload >= 2);
  const std::uint64_t at = GENERATE(as<std::uint64_t>{}, 0, 1, 9999);  // 9999: the last byte
  const std::uint64_t offset = target.offset + 32 + std::min(at, target.payload - 1);
  INFO("index " << target.index << ", payload byte at file offset " << offset);
  flip_byte(victim.path, offset, 0x01);

  const Damage damage = read_everything(log.options, log.model);
  REQUIRE_FALSE(damage.open_failed);
  CHECK(keys(damage.corrupted) == std::set<std::uint64_t>{target.index});
  const std::string& message = damage.corrupted.begin()->second;
  CHECK(mentions(message, victim.path));
  CHECK(message.find("offset " + std::to_string(target.offset)) != std::string::npos);
  CHECK(message.find(std::to_string(target.index)) != std::string::npos);
}

TEST_CASE("a flipped byte in a sealed segment's footer makes that segment's reads corrupted",
          "[log][corruption][sealed][footer]") {
  ClosedLog log;
  const bool newest = GENERATE(false, true);
  const SegmentFile victim = newest ? log.files().back() : log.middle();
  const SegmentHeader header = read_header(victim.path);
  REQUIRE(header.state);
  REQUIRE(header.state->sealed);
  const std::uint64_t footer = header.state->footer_offset;
  const std::uint64_t size = detail::footer_bytes(header.state->point_count);
  REQUIRE(fs::file_size(victim.path) == footer + size);  // sealing trimmed the file
  const std::uint64_t at = GENERATE(as<std::uint64_t>{}, 0, 4, 8, 9999);  // 9999: checksum
  const std::uint64_t offset = footer + std::min(at, size - 1);
  INFO("footer byte at file offset " << offset << " of " << victim.path.filename().string());
  flip_byte(victim.path, offset, 0x10);

  const Damage damage = read_everything(log.options, log.model);
  if (damage.open_failed) {
    CHECK(mentions(damage.open_message, victim.path));
    return;
  }
  REQUIRE_FALSE(damage.corrupted.empty());
  for (const auto& [index, message] : damage.corrupted) {
    CHECK(index >= victim.first_index);
    CHECK(index < log.after(victim));
    CHECK(mentions(message, victim.path));
    CHECK(message.find("offset") != std::string::npos);
  }
}

TEST_CASE(
    "a flipped byte in a segment's identity fails the open and a read-only open serves "
    "the log before it",
    "[log][corruption][sealed][identity]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  const std::uint64_t at = GENERATE(0, 8, 16, 24, 32, 40, 48, 56, 63);
  INFO("identity byte " << at);
  flip_byte(victim.path, at, 0x20);
  const auto before = contents(log.options.dir);

  const Damage damage = read_everything(log.options, log.model);
  REQUIRE(damage.open_failed);
  CHECK(mentions(damage.open_message, victim.path));
  CHECK(contents(log.options.dir) == before);  // nothing deleted or changed
  expect_read_only_prefix(log.options, log.model, victim.first_index);
}

TEST_CASE("both state slots of a sealed middle segment flipped fail the open",
          "[log][corruption][sealed][state]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  const std::uint64_t at = GENERATE(0, 8, 40, 52, 60);
  flip_byte(victim.path, 512 + at, 0x01);
  flip_byte(victim.path, 1024 + at, 0x01);
  const auto before = contents(log.options.dir);
  const Damage damage = read_everything(log.options, log.model);
  REQUIRE(damage.open_failed);
  CHECK(mentions(damage.open_message, victim.path));
  CHECK(contents(log.options.dir) == before);
  expect_read_only_prefix(log.options, log.model, victim.first_index);
}

TEST_CASE("one state slot of a sealed segment flipped never changes what is read",
          "[log][corruption][sealed][state]") {
  ClosedLog log;
  const bool newest = GENERATE(false, true);
  const SegmentFile victim = newest ? log.files().back() : log.middle();
  const SegmentHeader header = read_header(victim.path);
  REQUIRE(header.state);
  // The slot that holds the current (sealed) state.
  const std::uint64_t slot = detail::next_slot_offset(header.state->sequence);
  flip_byte(victim.path, slot + 16, 0x08);
  INFO((newest ? "newest" : "middle") << " segment, slot at " << slot);
  const Damage damage = read_everything(log.options, log.model);
  CHECK(damage.corrupted.empty());
}

TEST_CASE("both state slots of the newest sealed segment flipped never change what is read",
          "[log][corruption][sealed][state]") {
  ClosedLog log;
  const SegmentFile victim = log.files().back();
  flip_byte(victim.path, 512 + 8, 0x01);
  flip_byte(victim.path, 1024 + 8, 0x01);
  const Damage damage = read_everything(log.options, log.model);
  CHECK(damage.corrupted.empty());
}

TEST_CASE(
    "entries removed by truncate_after never come back when the newest segment's state "
    "slots are damaged",
    "[log][corruption][sealed][state][!mayfail]") {
  ClosedLog log;
  const std::uint64_t cut = log.files().back().first_index + 3;  // inside the newest segment
  {
    auto storage = open_or_fail(log.options);
    REQUIRE(storage->truncate_after(cut));
    REQUIRE(storage->close());
  }
  model_truncate_after(log.model, cut);
  const SegmentFile victim = log.files().back();
  REQUIRE(victim.first_index <= cut);
  flip_byte(victim.path, 512 + 8, 0x01);
  flip_byte(victim.path, 1024 + 8, 0x01);
  // Open fails (corrupted), or the log ends at `cut` with every entry intact;
  // the entries after `cut`, whose bytes are still in the file, must not be
  // served again (invariant 2: never an entry that truncate_after removed).
  const Damage damage = read_everything(log.options, log.model);
  CHECK(damage.corrupted.empty());
}

// ---- torn tails and damage in an unsealed newest segment ------------------------

namespace {

// A log still open (never closed): 300 entries of 2,000 bytes (ten sealed
// segments), then 301..500 of 60 bytes (the newest segment holds them from
// about 303 on), sync, 501..540, sync, and 541..570 never synced. The synced
// end the newest segment durably records is the end of 500 (a state slot
// written by a sync records the end of the previous one).
struct LiveLog {
  static constexpr std::uint64_t kFirstSync = 500;
  static constexpr std::uint64_t kSecondSync = 540;
  static constexpr std::uint64_t kLast = 570;

  TempDir dir;
  Options options = small_options(dir.path() / "live");
  std::unique_ptr<SegmentedStorage> storage = open_or_fail(options);
  Model model;
  int copies = 0;

  LiveLog() {
    append_all(*storage, model, sized_entries(1, 300, 2000));
    append_all(*storage, model, sized_entries(301, 200, 60));
    REQUIRE(storage->sync());
    append_all(*storage, model, sized_entries(501, 40, 60));
    REQUIRE(storage->sync());
    append_all(*storage, model, sized_entries(541, 30, 60));
  }

  // A copy of the live directory, as a crash would leave it if every
  // written page had reached the disk: the newest segment unsealed.
  Options copy() {
    Options o = options;
    o.dir = dir.path() / ("copy" + std::to_string(++copies));
    REQUIRE(storage->flush());  // no background seal changes files mid-copy
    copy_dir(options.dir, o.dir);
    return o;
  }
};

fs::path newest_segment(const Options& options) { return segment_files(options.dir).back().path; }

Model prefix_of(const Model& model, std::uint64_t last) {
  return Model(model.begin(), model.upper_bound(last));
}

// Opens the damaged copy writable and checks it holds model[..last] with
// one torn tail cut; then appends, reopens and checks that the cut was
// clean (no torn tail found again).
void expect_torn_tail_cut(const Options& copy, const Model& model, std::uint64_t last) {
  Model kept = prefix_of(model, last);
  {
    auto storage = open_or_fail(copy);
    const Stats stats = storage->stats();
    CHECK(stats.torn_tails_cut == 1);
    CHECK(stats.torn_bytes_cut > 0);
    CHECK_FALSE(stats.clean_open);
    expect_model(*storage, kept, 1, copy.dir);
    append_all(*storage, kept, sized_entries(last + 1, 100, 300, 2));
    REQUIRE(storage->close());
  }
  auto storage = open_or_fail(copy);
  CHECK(storage->stats().torn_tails_cut == 0);
  expect_model(*storage, kept, 1, copy.dir);
  CHECK(count_suffix(copy.dir, ".tmp") == 0);
}

}  // namespace

TEST_CASE("the live copy's newest segment is unsealed with the layout the torn-tail cases use",
          "[log][corruption][torn]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const SegmentHeader header = read_header(newest);
  REQUIRE(header.state);
  CHECK_FALSE(header.state->sealed);
  CHECK(header.state->synced_end == record_of(newest, LiveLog::kFirstSync).offset +
                                        record_of(newest, LiveLog::kFirstSync).bytes);
  CHECK(records_of(newest).back().index == LiveLog::kLast);
  CHECK(read_header(newest).identity.first_index <= 310);  // 320.. are in it
  // Undamaged, the copy opens with everything (valid unsynced records after
  // the synced end are kept) and nothing cut.
  auto storage = open_or_fail(copy);
  CHECK(storage->stats().torn_tails_cut == 0);
  expect_model(*storage, log.model, 1, copy.dir);
}

TEST_CASE(
    "garbage after the last record of the newest segment is a torn tail: cut, counted "
    "and zeroed",
    "[log][corruption][torn]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const RecordAt last = record_of(newest, LiveLog::kLast);
  const std::size_t size = GENERATE(as<std::size_t>{}, 1, 8, 32, 300, 5000);
  INFO(size << " bytes of garbage");
  write_at(newest, last.offset + last.bytes, garbage(size));
  expect_torn_tail_cut(copy, log.model, LiveLog::kLast);
}

TEST_CASE("a partially written record at the tail is a torn tail", "[log][corruption][torn]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const RecordAt last = record_of(newest, LiveLog::kLast);

  SECTION("the second half of the last record never reached the disk") {
    write_at(newest, last.offset + last.bytes / 2,
             std::vector<std::byte>(last.bytes - last.bytes / 2, std::byte{0}));
    expect_torn_tail_cut(copy, log.model, LiveLog::kLast - 1);
  }
  SECTION("only the first bytes of a next record were written") {
    const std::uint64_t prefix = GENERATE(as<std::uint64_t>{}, 8, 12, 20, 40);
    std::vector<std::byte> next(detail::record_bytes(60));
    detail::encode_record(next.data(), read_header(newest).identity.salt,
                          {LiveLog::kLast + 1, 1, 0}, payload_for(LiveLog::kLast + 1, 60));
    next.resize(prefix);
    INFO(prefix << " bytes of the next record");
    write_at(newest, last.offset + last.bytes, next);
    expect_torn_tail_cut(copy, log.model, LiveLog::kLast);
  }
}

TEST_CASE("damage in never-synced records is a torn tail even when valid records follow",
          "[log][corruption][torn]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const std::uint64_t index = GENERATE(as<std::uint64_t>{}, LiveLog::kSecondSync + 1, 555);
  const RecordAt target = record_of(newest, index);
  REQUIRE(target.offset >= read_header(newest).state->synced_end);
  flip_byte(newest, target.offset + 40, 0x01);
  INFO("payload of unsynced index " << index);
  expect_torn_tail_cut(copy, log.model, index - 1);
}

TEST_CASE(
    "damage below the synced end of the unsealed newest segment fails the open and "
    "deletes nothing; a read-only open serves the prefix",
    "[log][corruption][torn][synced]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const std::uint64_t synced_end = read_header(newest).state->synced_end;
  const std::uint64_t index = GENERATE(as<std::uint64_t>{}, 320, 450, LiveLog::kFirstSync);
  const RecordAt target = record_of(newest, index);
  REQUIRE(target.offset + target.bytes <= synced_end);
  const std::uint64_t at =
      GENERATE(as<std::uint64_t>{}, 0, 8, 16, 40);  // checksum, size, index, payload
  INFO("byte " << at << " of the record of index " << index);
  flip_byte(newest, target.offset + at, 0x02);
  const auto before = contents(copy.dir);

  const auto opened = SegmentedStorage::open(copy);
  REQUIRE(outcome(opened) == errc::corrupted);
  CHECK(mentions(opened.error().message(), newest));
  CHECK(opened.error().message().find("offset " + std::to_string(target.offset)) !=
        std::string::npos);
  CHECK(contents(copy.dir) == before);  // nothing deleted, nothing cut
  expect_read_only_prefix(copy, log.model, index);
  CHECK(contents(copy.dir) == before);
  CHECK(outcome(SegmentedStorage::open(copy)) == errc::corrupted);  // and again
}

TEST_CASE(
    "damage in records a returned sync() covered fails the open even where the durable "
    "synced end lags behind",
    "[log][corruption][torn][synced][!mayfail]") {
  // Entries 501..540 were made durable by the second sync(), which returned;
  // its state slot recorded the end of the first sync only. Damage in them
  // is damage in synced data (invariant 3), not a torn tail: the open must
  // fail rather than silently drop acknowledged entries.
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const RecordAt target = record_of(newest, 520);
  flip_byte(newest, target.offset + 40, 0x01);
  const auto opened = SegmentedStorage::open(copy);
  CHECK(outcome(opened) == errc::corrupted);
  if (opened) CHECK((*opened)->last_index() >= LiveLog::kSecondSync);
}

TEST_CASE(
    "with both state slots of the unsealed newest segment unreadable, damage followed by "
    "the next record is corrupted and garbage after the last record is torn",
    "[log][corruption][torn][state]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  flip_byte(newest, 512, 0x01);
  flip_byte(newest, 1024, 0x01);

  SECTION("a damaged record with its successor intact behind it") {
    const RecordAt target = record_of(newest, 450);
    flip_byte(newest, target.offset + 40, 0x01);
    const auto before = contents(copy.dir);
    CHECK(outcome(SegmentedStorage::open(copy)) == errc::corrupted);
    CHECK(contents(copy.dir) == before);
    expect_read_only_prefix(copy, log.model, 450);
  }
  SECTION("garbage after the last record") {
    const RecordAt last = record_of(newest, LiveLog::kLast);
    write_at(newest, last.offset + last.bytes, garbage(100));
    expect_torn_tail_cut(copy, log.model, LiveLog::kLast);
  }
}

TEST_CASE("a torn first record of a freshly rolled segment is cut, and appends reuse its name",
          "[log][corruption][torn]") {
  TempDir dir;
  const Options options = small_options(dir.path() / "live");
  auto storage = open_or_fail(options);
  Model model;
  append_all(*storage, model, sized_entries(1, 6, 20'000));  // three to a segment
  REQUIRE(storage->sync());
  append_all(*storage, model, sized_entries(7, 1, 20'000));  // rolls; never synced
  REQUIRE(segment_files(options.dir).back().first_index == 7);

  Options copy = options;
  copy.dir = dir.path() / "copy";
  REQUIRE(storage->flush());  // no background seal changes files mid-copy
  copy_dir(options.dir, copy.dir);
  const fs::path newest = segment_files(copy.dir).back().path;
  flip_byte(newest, record_of(newest, 7).offset + 100, 0x01);

  model_truncate_after(model, 6);
  {
    auto recovered = open_or_fail(copy);
    CHECK(recovered->stats().torn_tails_cut == 1);
    expect_model(*recovered, model, 1, copy.dir);
    append_all(*recovered, model, sized_entries(7, 5, 300, 2));
    CHECK(segment_files(copy.dir).size() == 3);  // 7's segment replaced, not added
    REQUIRE(recovered->close());
  }
  auto reopened = open_or_fail(copy);
  CHECK(reopened->stats().torn_tails_cut == 0);
  expect_model(*reopened, model, 1, copy.dir);
}

TEST_CASE(
    "a read-only open of a copy with a torn tail serves the records before it and "
    "changes nothing",
    "[log][corruption][torn][read_only]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const RecordAt target = record_of(newest, 560);
  flip_byte(newest, target.offset + 33, 0x40);
  const auto before = contents(copy.dir);
  expect_read_only_prefix(copy, log.model, 560);
  CHECK(contents(copy.dir) == before);
}

// ---- files that do not belong -------------------------------------------------------

TEST_CASE("stray files are ignored, temporary files removed at a writable open only",
          "[log][corruption][directory]") {
  ClosedLog log;
  const fs::path& dir = log.options.dir;
  const std::vector<std::string> strays = {"notes.txt", "00000000000000000001.seg.bak",
                                           "abc.seg",   "0000000000000000001.seg",
                                           "SEG",       "000000000000000000001.seg"};
  for (const auto& name : strays) write_file(dir / name, garbage(100));
  fs::create_directory(dir / "subdir");
  write_file(dir / "00000000000000000999.seg.tmp", garbage(5000));
  write_file(dir / "state.json.tmp", garbage(10));

  {
    auto reader = open_or_fail(read_only(log.options));
    expect_model(*reader, log.model, 1);
    CHECK(count_suffix(dir, ".tmp") == 2);  // a read-only open removes nothing
  }
  auto storage = open_or_fail(log.options);
  CHECK(count_suffix(dir, ".tmp") == 0);
  CHECK(storage->stats().leftovers_removed == 2);
  for (const auto& name : strays) CHECK(fs::exists(dir / name));
  CHECK(fs::is_directory(dir / "subdir"));
  expect_model(*storage, log.model, 1, dir);
}

TEST_CASE("an empty or short file named like a segment is corrupted and is not deleted",
          "[log][corruption][directory]") {
  ClosedLog log;
  const auto files = log.files();
  const std::uint64_t last = log.model.rbegin()->first;
  const std::uint64_t index =
      GENERATE_COPY(as<std::uint64_t>{}, 0, files[3].first_index + 1, last + 1);
  const std::size_t size = GENERATE(as<std::size_t>{}, 0, 100, 4095, 4096, 8192);
  const fs::path bogus = log.options.dir / detail::segment_name(index);
  write_file(bogus, std::vector<std::byte>(size, std::byte{0}));
  INFO(bogus.filename().string() << " of " << size << " zero bytes");
  const auto opened = SegmentedStorage::open(log.options);
  REQUIRE(outcome(opened) == errc::corrupted);
  CHECK(mentions(opened.error().message(), bogus));
  CHECK(fs::exists(bogus));
  CHECK(fs::file_size(bogus) == size);
}

TEST_CASE("a missing middle segment is corrupted; a read-only open serves the log before the hole",
          "[log][corruption][directory]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  fs::remove(victim.path);
  const auto before = contents(log.options.dir);
  const auto opened = SegmentedStorage::open(log.options);
  REQUIRE(outcome(opened) == errc::corrupted);
  CHECK(contents(log.options.dir) == before);
  expect_read_only_prefix(log.options, log.model, victim.first_index);
}

TEST_CASE("a segment file renamed to another index is corrupted", "[log][corruption][directory]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  const std::uint64_t last = log.model.rbegin()->first;
  const std::uint64_t to =
      GENERATE_COPY(as<std::uint64_t>{}, victim.first_index + 1, victim.first_index - 1, last + 1);
  const fs::path renamed = log.options.dir / detail::segment_name(to);
  fs::rename(victim.path, renamed);
  INFO(victim.path.filename().string() << " renamed to " << renamed.filename().string());
  const auto opened = SegmentedStorage::open(log.options);
  REQUIRE(outcome(opened) == errc::corrupted);
  CHECK(mentions(opened.error().message(), renamed));
  CHECK(fs::exists(renamed));
}

TEST_CASE("a copy of a segment under another plausible name is corrupted",
          "[log][corruption][directory]") {
  ClosedLog log;
  const auto files = log.files();
  const std::uint64_t last = log.model.rbegin()->first;
  const std::size_t which = GENERATE(as<std::size_t>{}, 0, 1, 2);  // first, middle, newest
  const SegmentFile source = files[which == 0   ? 0
                                   : which == 1 ? files.size() / 2
                                                : files.size() - 1];
  const std::uint64_t to = GENERATE_COPY(as<std::uint64_t>{}, source.first_index + 1, last + 1);
  const fs::path duplicate = log.options.dir / detail::segment_name(to);
  if (fs::exists(duplicate)) return;  // a one-entry segment: that name is taken
  fs::copy_file(source.path, duplicate);
  INFO(source.path.filename().string() << " copied to " << duplicate.filename().string());
  const auto opened = SegmentedStorage::open(log.options);
  REQUIRE(outcome(opened) == errc::corrupted);
  CHECK(mentions(opened.error().message(), duplicate));
  CHECK(fs::exists(duplicate));
  CHECK(fs::exists(source.path));
}

TEST_CASE("a log that lost its first segment does not open as if it had been compacted",
          "[log][corruption][directory][!mayfail]") {
  // Nothing was ever compacted and there is no snapshot, so the log must
  // start at 1: without 1's segment, entries 1.. are a hole, not a prefix.
  ClosedLog log;
  fs::remove(log.files().front().path);
  const auto opened = SegmentedStorage::open(log.options);
  CHECK(outcome(opened) == errc::corrupted);
  if (opened) CHECK((*opened)->first_index() == 1);
}

// ---- crafted headers: valid checksums around impossible values -----------------------
//
// Invariant 1 holds for any file content, not only for random damage: these
// headers carry valid checksums (the identity's is unseeded, a slot's is
// seeded by the salt the identity shows) around values no writer produces.
// Each open runs in a forked child, so that a crash fails the case instead
// of ending the run.

namespace {

enum Verdict : int {
  kRefusedOrIntact = 0,  // open was corrupted, or every read was right or corrupted
  kOtherError = 2,       // open failed with another code
  kWrongData = 3,        // a read returned other bytes
  kException = 4,        // an exception escaped the API
  kSelfDamaged = 5,      // after an open that succeeded, an append and close, the log
                         // no longer opens or reads
};

// Runs `body` in a forked child; "exit 0" is kRefusedOrIntact, "signal N" a
// crash.
std::string run_isolated(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Catch2's handlers would report a crash of the child as the parent's.
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) std::signal(sig, SIG_DFL);
    int code = kException;
    try {
      code = body();
    } catch (...) {
      code = kException;
    }
    ::_exit(code);  // no destructors: the parent owns the TempDir
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "unknown status " + std::to_string(status);
}

// Reads every entry of `model`: right, corrupted, or out_of_range beyond a
// shorter log.
int read_model(const Storage& storage, const Model& model) {
  for (const auto& [index, expected] : model) {
    const auto entry = storage.get_entry(index);
    if (entry ? *entry != expected
              : !(entry.error() == errc::corrupted || entry.error() == errc::out_of_range)) {
      return kWrongData;
    }
  }
  return kRefusedOrIntact;
}

// The child's check: open and read every entry of the model; where the
// open succeeded, append one entry, close, and open and read again (what
// recovery wrote must itself be sound).
int open_and_read(const Options& options, const Model& model) {
  auto opened = SegmentedStorage::open(options);
  if (!opened) return opened.error() == errc::corrupted ? kRefusedOrIntact : kOtherError;
  if (int verdict = read_model(**opened, model); verdict != kRefusedOrIntact) return verdict;
  const std::uint64_t next = (*opened)->last_index() + 1;
  if (!(*opened)->append_entries(std::vector<LogEntry>{make_entry(next, 99, 10)}) ||
      !(*opened)->close()) {
    return kSelfDamaged;
  }
  opened->reset();
  auto again = SegmentedStorage::open(options);
  if (!again || (*again)->last_index() != next) return kSelfDamaged;
  Model shorter(model.begin(), model.lower_bound(next));
  if (int verdict = read_model(**again, shorter); verdict != kRefusedOrIntact) return verdict;
  if (!(*again)->get_entry(next) || (*again)->get_entry(next)->term != 99) return kSelfDamaged;
  return kRefusedOrIntact;
}

// Rewrites the identity of a segment file with `change` applied (and its
// checksum recomputed).
template <class Change>
void craft_identity(const fs::path& path, Change change) {
  SegmentHeader header = read_header(path);
  change(header.identity);
  std::vector<std::byte> block(detail::kIdentityBytes);
  detail::encode_identity(block.data(), header.identity);
  write_at(path, 0, block);
}

// Writes a newer state slot (`change` applied to the current state) that
// wins over both existing ones.
template <class Change>
void craft_state(const fs::path& path, Change change) {
  const SegmentHeader header = read_header(path);
  REQUIRE(header.state);
  detail::SegmentState state = *header.state;
  change(state);
  state.sequence = header.state->sequence + 1;
  std::vector<std::byte> slot(detail::kSlotBytes);
  detail::encode_state(slot.data(), state, header.identity.salt);
  write_at(path, detail::next_slot_offset(state.sequence), slot);
  REQUIRE(read_header(path).state == state);
}

}  // namespace

TEST_CASE("a sealed state whose footer offset wraps around 2^64 is refused, not followed",
          "[log][corruption][crafted]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  craft_state(victim.path, [](detail::SegmentState& s) {
    // footer_offset + footer_bytes(point_count) wraps to 4096, inside the
    // file; the footer itself would start 32 GiB before the mapping.
    s.point_count = 0xFFFF'FFFFu;
    s.footer_offset = 4096 - detail::footer_bytes(s.point_count);  // mod 2^64
  });
  CHECK(run_isolated([&] { return open_and_read(log.options, log.model); }) == "exit 0");
}

TEST_CASE("an identity whose capacity is smaller than the records it holds is refused",
          "[log][corruption][crafted]") {
  LiveLog log;
  const Options copy = log.copy();
  craft_identity(newest_segment(copy), [](detail::SegmentIdentity& id) { id.capacity = 4096; });
  CHECK(run_isolated([&] { return open_and_read(copy, log.model); }) == "exit 0");
}

TEST_CASE("an identity claiming an enormous capacity is refused without an exception",
          "[log][corruption][crafted]") {
  LiveLog log;
  const Options copy = log.copy();
  craft_identity(newest_segment(copy), [](detail::SegmentIdentity& id) {
    id.capacity = std::uint64_t{1} << 62;
    id.index_interval_bytes = 64;
  });
  CHECK(run_isolated([&] { return open_and_read(copy, log.model); }) == "exit 0");
}

// ---- shrunk files --------------------------------------------------------------------

TEST_CASE("a sealed segment cut short is corrupted at open and nothing is deleted",
          "[log][corruption][shrunk]") {
  ClosedLog log;
  const SegmentFile victim = log.middle();
  const std::uint64_t size = fs::file_size(victim.path);
  const std::uint64_t to = GENERATE_COPY(as<std::uint64_t>{}, 4096, 4096 + 100, size / 2, size - 1);
  INFO(victim.path.filename().string() << " cut from " << size << " to " << to << " bytes");
  fs::resize_file(victim.path, to);
  const auto before = contents(log.options.dir);
  const auto opened = SegmentedStorage::open(log.options);
  REQUIRE(outcome(opened) == errc::corrupted);
  CHECK(mentions(opened.error().message(), victim.path));
  CHECK(contents(log.options.dir) == before);
  expect_read_only_prefix(log.options, log.model, victim.first_index);
}

TEST_CASE(
    "the unsealed newest segment cut short opens to a prefix or is corrupted, and what "
    "recovery writes stays readable",
    "[log][corruption][shrunk][torn]") {
  LiveLog log;
  const Options copy = log.copy();
  const fs::path newest = newest_segment(copy);
  const RecordAt unsynced = record_of(newest, 555);
  const std::uint64_t synced_end = read_header(newest).state->synced_end;
  const std::uint64_t to = GENERATE_COPY(as<std::uint64_t>{}, 4096, 8192, synced_end,
                                         unsynced.offset + 50, unsynced.offset + unsynced.bytes);
  INFO(newest.filename().string() << " cut to " << to << " bytes");
  fs::resize_file(newest, to);
  CHECK(run_isolated([&] { return open_and_read(copy, log.model); }) == "exit 0");
}

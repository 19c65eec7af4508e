// support/results.hpp — how tests look at what a seglog call returned:
// `CHECK(outcome(s.sync()) == errc::closed)`, plus Catch2 printers for
// errc, results, entries and the Raft records, so that a failed check shows
// what came back instead of "{?}".
#pragma once

#include <seglog/entry.hpp>
#include <seglog/error.hpp>
#include <seglog/raft_state.hpp>
#include <seglog/snapshot.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>

namespace seglog::test {

inline const char* errc_name(errc e) {
  switch (e) {
    case errc::not_found:
      return "not_found";
    case errc::corrupted:
      return "corrupted";
    case errc::out_of_range:
      return "out_of_range";
    case errc::compacted:
      return "compacted";
    case errc::gap:
      return "gap";
    case errc::conflict:
      return "conflict";
    case errc::entry_too_large:
      return "entry_too_large";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::locked:
      return "locked";
    case errc::read_only:
      return "read_only";
    case errc::closed:
      return "closed";
    case errc::no_space:
      return "no_space";
    case errc::io_error:
      return "io_error";
    case errc::stale:
      return "stale";
  }
  return "unknown errc";
}

// What a call returned, its value left out: ok, or an error's code and
// message.
struct Outcome {
  std::optional<std::error_code> code;  // empty: ok
  std::string message;
};

template <class T>
Outcome outcome(const Result<T>& result) {
  if (result) return {};
  const Error error = result.error();
  return Outcome{error.code(), error.message()};
}

// An outcome matches an errc when it is an error with that code (in seglog's
// category) and a non-empty message: every seglog error says what and where.
inline bool operator==(const Outcome& outcome, errc e) {
  return outcome.code && *outcome.code == make_error_code(e) && !outcome.message.empty();
}

inline bool is_ok(const Outcome& outcome) { return !outcome.code; }

inline std::string describe(const Outcome& outcome) {
  if (!outcome.code) return "ok";
  std::string name = outcome.code->category() == error_category()
                         ? errc_name(static_cast<errc>(outcome.code->value()))
                         : outcome.code->category().name() + std::string(":") +
                               std::to_string(outcome.code->value());
  return name + " \"" + outcome.message + "\"";
}

inline std::string describe(const LogEntry& entry) {
  std::string out = "{index " + std::to_string(entry.index) + ", term " +
                    std::to_string(entry.term) + ", type " + std::to_string(entry.type) + ", " +
                    std::to_string(entry.data.size()) + " bytes";
  // A few leading bytes and a hash make differing payloads visible.
  std::uint64_t hash = 1469598103934665603ull;
  for (std::byte b : entry.data) hash = (hash ^ static_cast<std::uint8_t>(b)) * 1099511628211ull;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, " fnv %016llx", static_cast<unsigned long long>(hash));
  return out + buffer + "}";
}

}  // namespace seglog::test

namespace Catch {

template <>
struct StringMaker<seglog::errc> {
  static std::string convert(seglog::errc e) { return seglog::test::errc_name(e); }
};

template <>
struct StringMaker<seglog::test::Outcome> {
  static std::string convert(const seglog::test::Outcome& o) { return seglog::test::describe(o); }
};

template <class T>
struct StringMaker<boost::system::result<T, seglog::Error>> {
  static std::string convert(const boost::system::result<T, seglog::Error>& r) {
    return seglog::test::describe(seglog::test::outcome(r));
  }
};

template <>
struct StringMaker<seglog::LogEntry> {
  static std::string convert(const seglog::LogEntry& e) { return seglog::test::describe(e); }
};

template <>
struct StringMaker<seglog::PersistentState> {
  static std::string convert(const seglog::PersistentState& s) {
    return "{current_term " + std::to_string(s.current_term) + ", voted_for \"" + s.voted_for +
           "\", commit_index " + std::to_string(s.commit_index) + "}";
  }
};

template <>
struct StringMaker<seglog::ClusterConfig> {
  static std::string convert(const seglog::ClusterConfig& c) {
    std::string out =
        "{index " + std::to_string(c.index) + ", term " + std::to_string(c.term) + ", members [";
    for (const auto& m : c.members) {
      out += " {\"" + m.id + "\", \"" + m.address + "\", " + (m.voter ? "voter" : "learner") + "}";
    }
    return out + " ]}";
  }
};

template <>
struct StringMaker<std::optional<seglog::ClusterConfig>> {
  static std::string convert(const std::optional<seglog::ClusterConfig>& c) {
    return c ? StringMaker<seglog::ClusterConfig>::convert(*c) : "nullopt";
  }
};

template <>
struct StringMaker<seglog::SnapshotMeta> {
  static std::string convert(const seglog::SnapshotMeta& m) {
    return "{last_index " + std::to_string(m.last_index) + ", last_term " +
           std::to_string(m.last_term) + ", size " + std::to_string(m.size) + ", metadata " +
           std::to_string(m.metadata.size()) + " bytes}";
  }
};

}  // namespace Catch

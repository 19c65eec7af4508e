// seglog/raft_state.hpp — Raft's hard state and cluster configuration.
// Stored as state.json and cluster.json; see docs/format-meta.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seglog {

// Raft's hard state: what a node must never forget across a crash.
struct PersistentState {
  std::uint64_t current_term = 0;
  std::string voted_for;  // empty: no vote this term
  std::uint64_t commit_index = 0;

  friend bool operator==(const PersistentState&, const PersistentState&) = default;
};

struct ClusterMember {
  std::string id;
  std::string address;
  bool voter = true;

  friend bool operator==(const ClusterMember&, const ClusterMember&) = default;
};

struct ClusterConfig {
  std::uint64_t index = 0;  // log index that introduced this config
  std::uint64_t term = 0;
  std::vector<ClusterMember> members;

  friend bool operator==(const ClusterConfig&, const ClusterConfig&) = default;
};

}  // namespace seglog

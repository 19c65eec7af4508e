// Package raftseglog puts hashicorp/raft (1.1.2) on seglog: one Store, on
// one seglog directory per node, is the node's raft.LogStore,
// raft.StableStore and raft.SnapshotStore (docs/engines.md).
//
// How raft's calls map onto seglog:
//
//   - A raft.Log is a seglog entry with the same Index and Term; Type is the
//     seglog type and Data the payload, byte for byte. A Log with
//     Extensions is stored with type Type|0x80 and payload
//     uvarint(len(Data)) ‖ Data ‖ Extensions (raft's types are below 0x80).
//   - StoreLogs appends and syncs before it returns. An index 0 is refused
//     (raft never writes one). A batch whose first index lies beyond
//     LastIndex()+1 restarts the log there (seglog's restart_log, the
//     previous term from the snapshot at that index if there is one): raft
//     only leaves such a gap after installing a snapshot, which covers
//     every entry before it. A batch that rewrites a stored index with
//     another term removes the stored suffix from there first (Raft's rule;
//     raft itself deletes that suffix before storing).
//   - FirstIndex and LastIndex are 0 while the log holds no entry.
//   - DeleteRange is seglog's delete_range: a prefix (compaction) or a
//     suffix (a conflicting tail); a range strictly inside is refused.
//   - GetLog answers raft.ErrLogNotFound for an index the log does not hold.
//   - The StableStore is seglog's key-value store; Get and GetUint64 of an
//     absent key answer ErrKeyNotFound, whose text is "not found" (what
//     raft tests for). SetUint64 stores 8 bytes, big-endian.
//   - The SnapshotStore keeps one snapshot, seglog's: Create streams into
//     seglog's snapshot writer with raft's SnapshotMeta (Configuration
//     included) as the snapshot's opaque metadata (JSON); List answers it,
//     Open reads it zero-copy from the mapping.
//
// A Store is safe for raft's goroutines (seglog.Log serialises writers).
package raftseglog

// Package seglog is the Go binding of seglog, a memory-mapped segmented log
// for a Raft node's storage, over its C ABI (include/seglog/seglog.h,
// docs/c-api.md). The hashicorp/raft stores are in package raftseglog.
//
// # Threads
//
// A *Log is safe for concurrent use: any number of goroutines may read
// (FirstIndex, LastIndex, Term, Entry, Entries, ReadEntry, State, Value,
// ClusterConfig, Snapshot, OpenSnapshot, Stats) while writer calls run.
// Writer calls (Append, TruncateAfter, TruncateBefore, DeleteRange,
// RestartLog, SaveState, SetValue, SaveClusterConfig, SaveSnapshot,
// BeginSnapshot and a SnapshotWriter's Commit, Sync, Flush, Close) are
// serialised by the Log, as the C ABI requires (its writer calls must not
// overlap). The intended use is one writer goroutine and many readers;
// several writers are correct but take turns. Close waits for the calls in
// flight; a call after Close returns ErrClosed.
//
// # Memory
//
// No C code keeps a Go pointer beyond a call: payloads are passed for the
// duration of one call only (an Append of several entries packs them into
// one buffer first, since a Go array of pointers may not be handed to C).
// A View and a SnapshotReader point into the mapped log or snapshot: their
// bytes stay valid and unchanged until Release / Close, whatever the writer
// does meanwhile. Release them; a finalizer releases a forgotten one, late.
//
// # Errors
//
// Every error from a seglog call is an *Error carrying its Code and
// seglog's message; errors.Is(err, seglog.ErrCompacted) and the other Err
// values test the code.
package seglog

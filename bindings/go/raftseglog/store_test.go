// store_test.go: the behaviour hashicorp/raft's inmem_store.go implies,
// exact round trips, the gap and conflict rules, and reopen after every
// kind of operation.

package raftseglog

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

func TestStore_EveryFieldRoundTripsExactly(t *testing.T) {
	s, dir := newStore(t)
	want := []*raft.Log{
		{Index: 1, Term: 1, Type: raft.LogCommand, Data: []byte("cmd")},
		{Index: 2, Term: 1, Type: raft.LogNoop, Data: []byte{}},
		{Index: 3, Term: 7, Type: raft.LogBarrier, Data: []byte{}, Extensions: []byte("ext")},
		{Index: 4, Term: 7, Type: raft.LogConfiguration, Data: bytes.Repeat([]byte{0xff, 0}, 5000), Extensions: []byte{0}},
		{Index: 5, Term: 1 << 40, Type: raft.LogRemovePeerDeprecated, Data: []byte{0x80, 0x81}},
	}
	mustStore(t, s, want)
	for _, l := range want {
		expectLog(t, s, l)
	}
	s = reopen(t, s, dir)
	for _, l := range want {
		expectLog(t, s, l)
	}
}

func TestStore_IndexZeroIsRefusedAsAnInvalidArgument(t *testing.T) {
	s, _ := newStore(t)
	if err := s.StoreLog(testLog(0, 1, "zero")); !errors.Is(err, seglog.ErrInvalidArgument) {
		t.Fatalf("StoreLog(0): got %v, want ErrInvalidArgument", err)
	}
	expectBounds(t, s, 0, 0)
	expectNoLog(t, s, 0)
}

// inmem_store: FirstIndex/LastIndex follow deletions, back to 0, 0.
func TestStore_BoundsFollowDeletionsOfPrefixAndSuffix(t *testing.T) {
	s, _ := newStore(t)
	mustStore(t, s, logs(1, 10, 1))
	if err := s.DeleteRange(1, 4); err != nil {
		t.Fatal(err)
	}
	expectBounds(t, s, 5, 10)
	if err := s.DeleteRange(8, 10); err != nil {
		t.Fatal(err)
	}
	expectBounds(t, s, 5, 7)
	expectNoLog(t, s, 8)
	if err := s.DeleteRange(5, 7); err != nil {
		t.Fatal(err)
	}
	expectBounds(t, s, 0, 0)
}

func TestStore_DeleteRangeInTheMiddleIsRefused(t *testing.T) {
	s, _ := newStore(t)
	mustStore(t, s, logs(1, 10, 1))
	if err := s.DeleteRange(4, 6); !errors.Is(err, seglog.ErrInvalidArgument) {
		t.Fatalf("DeleteRange(4, 6): got %v, want ErrInvalidArgument", err)
	}
	expectBounds(t, s, 1, 10)
}

// raft's follower: a conflicting suffix is deleted and the same indices
// are stored again with a new term.
func TestStore_ASuffixDeletedThenRewrittenInANewTermReadsTheNewEntries(t *testing.T) {
	s, _ := newStore(t)
	mustStore(t, s, logs(1, 10, 1))
	if err := s.DeleteRange(6, 10); err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, logs(6, 8, 2))
	expectBounds(t, s, 1, 8)
	expectLog(t, s, logs(6, 6, 2)[0])
}

func TestStore_TheWholeLogDeletedThenTheSameIndicesStoredAgain(t *testing.T) {
	s, _ := newStore(t)
	mustStore(t, s, logs(1, 5, 1))
	if err := s.DeleteRange(1, 5); err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, logs(1, 5, 2))
	expectBounds(t, s, 1, 5)
	expectLog(t, s, logs(3, 3, 2)[0])
}

func TestStore_AConflictingBatchReplacesTheStoredSuffix(t *testing.T) {
	s, _ := newStore(t)
	mustStore(t, s, logs(1, 10, 1))
	mustStore(t, s, logs(4, 5, 2))
	expectBounds(t, s, 1, 5)
	expectLog(t, s, logs(4, 4, 2)[0])
}

func TestStore_RepeatingStoredEntriesIsANoOp(t *testing.T) {
	s, _ := newStore(t)
	mustStore(t, s, logs(1, 10, 1))
	mustStore(t, s, logs(3, 12, 1))
	expectBounds(t, s, 1, 12)
}

// A gap (raft after installing a snapshot) restarts the log there.
func TestStore_ABatchPastAGapRestartsTheLogThere(t *testing.T) {
	s, dir := newStore(t)
	mustStore(t, s, logs(1, 5, 1))
	sink, err := s.Create(raft.SnapshotVersionMax, 100, 3, raft.Configuration{}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink.Write([]byte("state"))
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	mustStore(t, s, logs(101, 103, 3))
	expectBounds(t, s, 101, 103)
	expectNoLog(t, s, 5)
	if term, err := s.Log().Term(100); err != nil || term != 3 {
		t.Fatalf("term of the snapshot's index: %d, %v", term, err)
	}
	s = reopen(t, s, dir)
	expectBounds(t, s, 101, 103)
	expectLog(t, s, logs(102, 102, 3)[0])
}

func TestStore_ReopenAfterEveryKindOfOperation(t *testing.T) {
	ops := []struct {
		name  string
		do    func(t *testing.T, s *Store)
		check func(t *testing.T, s *Store)
	}{
		{"StoreLogs", func(t *testing.T, s *Store) { mustStore(t, s, logs(1, 300, 1)) },
			func(t *testing.T, s *Store) { expectBounds(t, s, 1, 300); expectLog(t, s, logs(150, 150, 1)[0]) }},
		{"StoreLog", func(t *testing.T, s *Store) { s.StoreLog(testLog(1, 2, "one")) },
			func(t *testing.T, s *Store) { expectBounds(t, s, 1, 1); expectLog(t, s, testLog(1, 2, "one")) }},
		{"DeleteRange prefix", func(t *testing.T, s *Store) { mustStore(t, s, logs(1, 300, 1)); s.DeleteRange(1, 200) },
			func(t *testing.T, s *Store) { expectBounds(t, s, 201, 300); expectNoLog(t, s, 200) }},
		{"DeleteRange suffix", func(t *testing.T, s *Store) { mustStore(t, s, logs(1, 300, 1)); s.DeleteRange(101, 300) },
			func(t *testing.T, s *Store) { expectBounds(t, s, 1, 100); expectNoLog(t, s, 101) }},
		{"DeleteRange all", func(t *testing.T, s *Store) { mustStore(t, s, logs(1, 30, 1)); s.DeleteRange(1, 30) },
			func(t *testing.T, s *Store) { expectBounds(t, s, 0, 0) }},
		{"Set", func(t *testing.T, s *Store) { s.Set([]byte("k"), []byte("v")); s.Set([]byte("k"), []byte("w")) },
			func(t *testing.T, s *Store) {
				if v, err := s.Get([]byte("k")); err != nil || string(v) != "w" {
					t.Fatalf("Get: %q, %v", v, err)
				}
			}},
		{"SetUint64", func(t *testing.T, s *Store) { s.SetUint64([]byte("CurrentTerm"), 42) },
			func(t *testing.T, s *Store) {
				if v, err := s.GetUint64([]byte("CurrentTerm")); err != nil || v != 42 {
					t.Fatalf("GetUint64: %d, %v", v, err)
				}
			}},
		{"snapshot", func(t *testing.T, s *Store) { mustSnapshot(t, s, 10, 2, "data") },
			func(t *testing.T, s *Store) { expectSnapshot(t, s, 10, 2, "data") }},
		{"snapshot cancelled", func(t *testing.T, s *Store) {
			mustSnapshot(t, s, 10, 2, "data")
			sink, _ := s.Create(raft.SnapshotVersionMax, 20, 2, raft.Configuration{}, 1, nil)
			sink.Write([]byte("other"))
			sink.Cancel()
		}, func(t *testing.T, s *Store) { expectSnapshot(t, s, 10, 2, "data") }},
		{"restart past a gap", func(t *testing.T, s *Store) {
			mustStore(t, s, logs(1, 5, 1))
			mustSnapshot(t, s, 50, 2, "data")
			mustStore(t, s, logs(51, 52, 2))
		}, func(t *testing.T, s *Store) { expectBounds(t, s, 51, 52); expectSnapshot(t, s, 50, 2, "data") }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			s, dir := newStore(t)
			op.do(t, s)
			op.check(t, s)
			s = reopen(t, s, dir)
			op.check(t, s)
		})
	}
}

func TestStore_CallsAfterCloseAnswerErrClosed(t *testing.T) {
	s, _ := newStore(t)
	s.Close()
	if err := s.StoreLog(testLog(1, 1, "x")); !errors.Is(err, seglog.ErrClosed) {
		t.Fatalf("StoreLog after Close: %v", err)
	}
	if _, err := s.Get([]byte("k")); !errors.Is(err, seglog.ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if err := s.Close(); !errors.Is(err, seglog.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

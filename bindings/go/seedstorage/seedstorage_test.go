// seedstorage_test.go: the seed's Storage interface, declared here as the
// seed declares it, implemented by the adapter, and the seed's semantics
// run through it.

package seedstorage

import (
	"errors"
	"reflect"
	"testing"

	"seglog/seglog"
)

// Storage as in the seed's hybrid_storage.go, method for method.
type seedStorage interface {
	GetState() (*PersistentState, error)
	SaveState(state *PersistentState) error
	GetFirstIndex() uint64
	GetLastIndex() uint64
	GetEntry(index uint64) (*LogEntry, error)
	GetEntries(startIndex, endIndex uint64) ([]LogEntry, error)
	AppendEntries(entries []LogEntry) error
	TruncateAfter(index uint64) error
	TruncateBefore(index uint64) error
	GetSnapshot() ([]byte, uint64, uint64, error)
	SaveSnapshot(data []byte, lastIndex, lastTerm uint64) error
	GetClusterConfig() (*ClusterConfig, error)
	SaveClusterConfig(config *ClusterConfig) error
	Close() error
	Sync() error
	Flush() error
}

var _ seedStorage = (*Storage)(nil)

func open(t *testing.T, dir string) seedStorage {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func entries(from, to, term uint64) []LogEntry {
	var out []LogEntry
	for i := from; i <= to; i++ {
		out = append(out, LogEntry{Index: i, Term: term, Data: []byte{byte(i)}})
	}
	return out
}

func TestSeed_ANewStorageIsEmptyWithZeroStateAndNoConfigOrSnapshot(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	if s.GetFirstIndex() != 0 || s.GetLastIndex() != 0 {
		t.Fatalf("bounds %d, %d", s.GetFirstIndex(), s.GetLastIndex())
	}
	if st, err := s.GetState(); err != nil || *st != (PersistentState{}) {
		t.Fatalf("state %+v, %v", st, err)
	}
	if cfg, err := s.GetClusterConfig(); err != nil || cfg != nil {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	if _, _, _, err := s.GetSnapshot(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("snapshot: %v", err)
	}
}

func TestSeed_AppendReadTruncateAndTheSeedsErrors(t *testing.T) {
	s := open(t, t.TempDir())
	defer s.Close()
	if err := s.AppendEntries(entries(1, 100, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEntries(entries(90, 110, 1)); err != nil { // the overlap is skipped
		t.Fatal(err)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if s.GetFirstIndex() != 1 || s.GetLastIndex() != 110 {
		t.Fatalf("bounds %d, %d", s.GetFirstIndex(), s.GetLastIndex())
	}
	if e, err := s.GetEntry(7); err != nil || !reflect.DeepEqual(*e, entries(7, 7, 1)[0]) {
		t.Fatalf("GetEntry(7): %+v, %v", e, err)
	}
	if _, err := s.GetEntry(111); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("GetEntry(111): %v", err)
	}
	got, err := s.GetEntries(105, 500) // end clamped
	if err != nil || !reflect.DeepEqual(got, entries(105, 110, 1)) {
		t.Fatalf("GetEntries: %v, %v", got, err)
	}
	if got, err := s.GetEntries(120, 130); err != nil || got != nil {
		t.Fatalf("GetEntries past the end: %v, %v", got, err)
	}
	if err := s.TruncateAfter(200); err != nil || s.GetLastIndex() != 110 {
		t.Fatalf("TruncateAfter past the end: %v", err)
	}
	if err := s.TruncateAfter(80); err != nil || s.GetLastIndex() != 80 {
		t.Fatalf("TruncateAfter(80): %v, last %d", err, s.GetLastIndex())
	}
	if err := s.TruncateBefore(50); err != nil || s.GetFirstIndex() != 50 {
		t.Fatalf("TruncateBefore(50): %v, first %d", err, s.GetFirstIndex())
	}
	if _, err := s.GetEntry(49); !errors.Is(err, ErrCompacted) || !errors.Is(err, seglog.ErrCompacted) {
		t.Fatalf("GetEntry(49): %v", err)
	}
	if _, err := s.GetEntries(10, 60); !errors.Is(err, ErrCompacted) {
		t.Fatalf("GetEntries(10, 60): %v", err)
	}
	if err := s.AppendEntries(entries(90, 90, 1)); !errors.Is(err, seglog.ErrGap) {
		t.Fatalf("a gap: %v (the seed dropped it silently; seglog refuses it)", err)
	}
	if err := s.AppendEntries(entries(80, 81, 2)); !errors.Is(err, seglog.ErrConflict) {
		t.Fatalf("a conflict: %v (the seed kept the old entry silently)", err)
	}
}

func TestSeed_StateConfigAndSnapshotSurviveAReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	st := &PersistentState{CurrentTerm: 3, VotedFor: "b", CommitIndex: 9}
	cfg := &ClusterConfig{Index: 2, Term: 1, Members: []ClusterMember{{"a", "127.0.0.1:1", true}, {"b", "127.0.0.1:2", true}}}
	if err := s.AppendEntries(entries(1, 20, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(st); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveClusterConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot([]byte("fsm"), 15, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.TruncateBefore(16); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	if got, err := s.GetState(); err != nil || *got != *st {
		t.Fatalf("state %+v, %v", got, err)
	}
	if got, err := s.GetClusterConfig(); err != nil || !reflect.DeepEqual(got, cfg) {
		t.Fatalf("config %+v, %v", got, err)
	}
	if data, idx, term, err := s.GetSnapshot(); err != nil || string(data) != "fsm" || idx != 15 || term != 1 {
		t.Fatalf("snapshot %q %d %d %v", data, idx, term, err)
	}
	if s.GetFirstIndex() != 16 || s.GetLastIndex() != 20 {
		t.Fatalf("bounds %d, %d", s.GetFirstIndex(), s.GetLastIndex())
	}
}

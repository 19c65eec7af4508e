// bolt_cases_test.go: every case of raft-boltdb's bolt_store_test.go, on
// seglog (written anew; same cases, same expectations).

package raftseglog

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

func TestStore_Implements(t *testing.T) {
	var s interface{} = &Store{}
	if _, ok := s.(raft.LogStore); !ok {
		t.Fatal("Store is not a raft.LogStore")
	}
	if _, ok := s.(raft.StableStore); !ok {
		t.Fatal("Store is not a raft.StableStore")
	}
	if _, ok := s.(raft.SnapshotStore); !ok {
		t.Fatal("Store is not a raft.SnapshotStore")
	}
}

// bolt's OptionsTimeout: a second open of a directory in use is refused.
func TestStore_SecondOpenIsRefusedWhileTheFirstHoldsTheDirectory(t *testing.T) {
	_, dir := newStore(t)
	if _, err := Open(dir, testOptions); !errors.Is(err, seglog.ErrLocked) {
		t.Fatalf("second open: got %v, want ErrLocked", err)
	}
}

// bolt's OptionsReadOnly: a read-only open reads what was written and
// refuses writes.
func TestStore_ReadOnlyOpenReadsAndRefusesWrites(t *testing.T) {
	s, dir := newStore(t)
	want := testLog(1, 1, "log1")
	mustStore(t, s, []*raft.Log{want})
	s.Close()
	ro, err := Open(dir, &seglog.Options{SegmentSize: testOptions.SegmentSize, ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open: %v", err)
	}
	defer ro.Close()
	expectLog(t, ro, want)
	if err := ro.StoreLog(testLog(2, 1, "log2")); !errors.Is(err, seglog.ErrReadOnly) {
		t.Fatalf("write on read-only: got %v, want ErrReadOnly", err)
	}
}

// bolt's NewBoltStore: the directory holds the store, and a reopen finds
// what was written.
func TestStore_OpenCreatesTheDirectoryAndReopenFindsTheData(t *testing.T) {
	dir := t.TempDir() + "/node"
	s := openStore(t, dir)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("directory not created: %v", err)
	}
	mustStore(t, s, logs(1, 3, 1))
	if err := s.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, dir)
	expectBounds(t, s, 1, 3)
	if v, err := s.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get after reopen: %q, %v", v, err)
	}
}

func TestStore_FirstIndexIsZeroWhenEmptyThenTheFirstStored(t *testing.T) {
	s, _ := newStore(t)
	expectBounds(t, s, 0, 0)
	mustStore(t, s, logs(1, 3, 1))
	if idx, _ := s.FirstIndex(); idx != 1 {
		t.Fatalf("FirstIndex: %d, want 1", idx)
	}
}

func TestStore_LastIndexIsZeroWhenEmptyThenTheLastStored(t *testing.T) {
	s, _ := newStore(t)
	if idx, _ := s.LastIndex(); idx != 0 {
		t.Fatalf("LastIndex: %d, want 0", idx)
	}
	mustStore(t, s, logs(1, 3, 1))
	if idx, _ := s.LastIndex(); idx != 3 {
		t.Fatalf("LastIndex: %d, want 3", idx)
	}
}

func TestStore_GetLogAnswersErrLogNotFoundThenTheStoredEntry(t *testing.T) {
	s, _ := newStore(t)
	expectNoLog(t, s, 1)
	ls := logs(1, 3, 1)
	mustStore(t, s, ls)
	expectLog(t, s, ls[1])
}

func TestStore_StoreLogRoundTripsOneEntry(t *testing.T) {
	s, _ := newStore(t)
	want := testLog(1, 1, "log1")
	if err := s.StoreLog(want); err != nil {
		t.Fatal(err)
	}
	expectLog(t, s, want)
}

func TestStore_StoreLogsRoundTripsABatch(t *testing.T) {
	s, _ := newStore(t)
	ls := []*raft.Log{testLog(1, 1, "log1"), testLog(2, 1, "log2")}
	mustStore(t, s, ls)
	expectLog(t, s, ls[0])
	expectLog(t, s, ls[1])
}

func TestStore_DeleteRangeOfAPrefixRemovesItAndKeepsTheRest(t *testing.T) {
	s, _ := newStore(t)
	ls := logs(1, 3, 1)
	mustStore(t, s, ls)
	if err := s.DeleteRange(1, 2); err != nil {
		t.Fatal(err)
	}
	expectNoLog(t, s, 1)
	expectNoLog(t, s, 2)
	expectLog(t, s, ls[2])
	expectBounds(t, s, 3, 3)
}

func TestStore_GetOfAnAbsentKeyIsErrKeyNotFoundThenSetGetRoundTrips(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.Get([]byte("bad")); err != ErrKeyNotFound {
		t.Fatalf("Get absent: got %v, want ErrKeyNotFound", err)
	}
	k, v := []byte("hello"), []byte("world")
	if err := s.Set(k, v); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(k)
	if err != nil || !bytes.Equal(got, v) {
		t.Fatalf("Get: %q, %v", got, err)
	}
}

func TestStore_GetUint64OfAnAbsentKeyIsErrKeyNotFoundThenRoundTrips(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.GetUint64([]byte("bad")); err != ErrKeyNotFound {
		t.Fatalf("GetUint64 absent: got %v, want ErrKeyNotFound", err)
	}
	if ErrKeyNotFound.Error() != "not found" {
		t.Fatalf("raft compares the text: %q", ErrKeyNotFound.Error())
	}
	k, v := []byte("abc"), uint64(123)
	if err := s.SetUint64(k, v); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetUint64(k); err != nil || got != v {
		t.Fatalf("GetUint64: %d, %v", got, err)
	}
}

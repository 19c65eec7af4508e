// helpers_test.go: small helpers the store tests share.

package raftseglog

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

// testOptions keep segments small so tests cross segment boundaries.
var testOptions = &seglog.Options{SegmentSize: 64 << 10}

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, testOptions)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	return s
}

// newStore opens a store in a fresh directory, closed at the end of the test.
func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s := openStore(t, dir)
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// reopen closes s and opens its directory again.
func reopen(t testing.TB, s *Store, dir string) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s = openStore(t, dir)
	t.Cleanup(func() { s.Close() })
	return s
}

func testLog(index, term uint64, data string) *raft.Log {
	return &raft.Log{Index: index, Term: term, Type: raft.LogCommand, Data: []byte(data)}
}

// logs makes entries [from, to] in term, with data naming the index.
func logs(from, to, term uint64) []*raft.Log {
	var out []*raft.Log
	for i := from; i <= to; i++ {
		out = append(out, testLog(i, term, fmt.Sprintf("entry-%d", i)))
	}
	return out
}

func mustStore(t testing.TB, s *Store, ls []*raft.Log) {
	t.Helper()
	if err := s.StoreLogs(ls); err != nil {
		t.Fatalf("StoreLogs [%d..]: %v", ls[0].Index, err)
	}
}

func expectBounds(t testing.TB, s *Store, first, last uint64) {
	t.Helper()
	f, err := s.FirstIndex()
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.LastIndex()
	if err != nil {
		t.Fatal(err)
	}
	if f != first || l != last {
		t.Fatalf("bounds: got [%d, %d], want [%d, %d]", f, l, first, last)
	}
}

func expectLog(t testing.TB, s *Store, want *raft.Log) {
	t.Helper()
	var got raft.Log
	if err := s.GetLog(want.Index, &got); err != nil {
		t.Fatalf("GetLog(%d): %v", want.Index, err)
	}
	if !reflect.DeepEqual(&got, want) {
		t.Fatalf("GetLog(%d): got %+v, want %+v", want.Index, got, *want)
	}
}

func expectNoLog(t testing.TB, s *Store, index uint64) {
	t.Helper()
	var got raft.Log
	if err := s.GetLog(index, &got); err != raft.ErrLogNotFound {
		t.Fatalf("GetLog(%d): got %v (%+v), want raft.ErrLogNotFound", index, err, got)
	}
}

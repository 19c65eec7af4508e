// log_test.go: the Go API over the C ABI, on a directory and in memory:
// entries, views, errors, state, configuration, values and snapshots.

package seglog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"testing"
)

// eachLog runs a test on a directory log and on a memory log.
func eachLog(t *testing.T, test func(t *testing.T, l *Log)) {
	t.Run("dir", func(t *testing.T) {
		l, err := Open(t.TempDir(), &Options{SegmentSize: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		test(t, l)
	})
	t.Run("memory", func(t *testing.T) {
		l, err := OpenMemory(0)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		test(t, l)
	})
}

func entries(from, to, term uint64) []Entry {
	var out []Entry
	for i := from; i <= to; i++ {
		out = append(out, Entry{Index: i, Term: term, Type: uint8(i % 3), Data: []byte(fmt.Sprintf("payload-%d", i))})
	}
	return out
}

func mustAppend(t *testing.T, l *Log, es []Entry) {
	t.Helper()
	if err := l.Append(es); err != nil {
		t.Fatalf("Append [%d..]: %v", es[0].Index, err)
	}
}

func TestLog_AppendedEntriesReadBackAsCopiesAndViews(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		if l.FirstIndex() != 1 || l.LastIndex() != 0 {
			t.Fatalf("empty log: [%d, %d]", l.FirstIndex(), l.LastIndex())
		}
		want := entries(1, 100, 2)
		mustAppend(t, l, want[:1])
		mustAppend(t, l, want[1:])
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
		got, err := l.Entries(1, 101, 0)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Entries: %d entries, %v", len(got), err)
		}
		e, err := l.Entry(50)
		if err != nil || !reflect.DeepEqual(e, want[49]) {
			t.Fatalf("Entry(50): %+v, %v", e, err)
		}
		v, err := l.ReadEntry(7)
		if err != nil {
			t.Fatal(err)
		}
		if v.Index() != 7 || v.Term() != 2 || v.Type() != 1 || string(v.Data()) != "payload-7" {
			t.Fatalf("view: %d %d %d %q", v.Index(), v.Term(), v.Type(), v.Data())
		}
		v.Release()
		if term, err := l.Term(100); err != nil || term != 2 {
			t.Fatalf("Term(100): %d, %v", term, err)
		}
	})
}

func TestLog_EntriesStopAtTheByteBudgetButReturnAtLeastOne(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		mustAppend(t, l, entries(1, 600, 1)) // payloads of 9 to 11 bytes
		got, err := l.Entries(1, 601, 1)
		if err != nil || len(got) != 1 {
			t.Fatalf("budget 1: %d entries, %v", len(got), err)
		}
		got, err = l.Entries(1, 601, 5000)
		var sum int
		for _, e := range got {
			sum += len(e.Data)
		}
		if err != nil || sum > 5000 || sum+11 <= 5000 {
			t.Fatalf("budget 5000: %d entries, %d bytes, %v", len(got), sum, err)
		}
		if got, _ := l.Entries(1, 601, 0); len(got) != 600 {
			t.Fatalf("no budget: %d entries", len(got))
		}
	})
}

func TestLog_ErrorsCarryTheirCode(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		mustAppend(t, l, entries(1, 10, 2))
		cases := []struct {
			name string
			err  error
			want Code
		}{
			{"gap", l.Append(entries(12, 12, 2)), ErrGap},
			{"conflict", l.Append(entries(5, 5, 1)), ErrConflict},
			{"index 0", l.Append([]Entry{{Index: 0, Term: 1}}), ErrInvalidArgument},
			{"out of range", func() error { _, err := l.Entry(11); return err }(), ErrOutOfRange},
			{"middle range", l.DeleteRange(4, 6), ErrInvalidArgument},
		}
		for _, c := range cases {
			var se *Error
			if !errors.Is(c.err, c.want) || !errors.As(c.err, &se) || se.Code != c.want || se.Message == "" {
				t.Errorf("%s: got %v, want %v with a message", c.name, c.err, c.want)
			}
		}
		if err := l.TruncateBefore(5); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Entry(4); !errors.Is(err, ErrCompacted) {
			t.Errorf("compacted: got %v", err)
		}
	})
}

func TestLog_CallsAfterCloseAnswerErrClosedAndViewsStayValid(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		mustAppend(t, l, entries(1, 3, 1))
		v, err := l.ReadEntry(2)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if string(v.Data()) != "payload-2" {
			t.Fatalf("view after Close: %q", v.Data())
		}
		v.Release()
		if err := l.Append(entries(4, 4, 1)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Append after Close: %v", err)
		}
		if _, err := l.Entry(1); !errors.Is(err, ErrClosed) {
			t.Fatalf("Entry after Close: %v", err)
		}
		if err := l.Close(); !errors.Is(err, ErrClosed) {
			t.Fatalf("second Close: %v", err)
		}
	})
}

func TestLog_ASecondWriterOfADirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v", err)
	}
}

func TestLog_TruncationsRestartAndReopen(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, &Options{SegmentSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, entries(1, 2000, 1))
	if err := l.TruncateAfter(1500); err != nil {
		t.Fatal(err)
	}
	if err := l.TruncateBefore(1000); err != nil {
		t.Fatal(err)
	}
	if l.FirstIndex() != 1000 || l.LastIndex() != 1500 {
		t.Fatalf("bounds [%d, %d]", l.FirstIndex(), l.LastIndex())
	}
	l.Sync()
	l.Close()
	if l, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	if l.FirstIndex() != 1000 || l.LastIndex() != 1500 {
		t.Fatalf("after reopen [%d, %d]", l.FirstIndex(), l.LastIndex())
	}
	if err := l.RestartLog(5000, 7); err != nil {
		t.Fatal(err)
	}
	if l.FirstIndex() != 5000 || l.LastIndex() != 4999 {
		t.Fatalf("after restart [%d, %d]", l.FirstIndex(), l.LastIndex())
	}
	if term, err := l.Term(4999); err != nil || term != 7 {
		t.Fatalf("Term(4999): %d, %v", term, err)
	}
	mustAppend(t, l, entries(5000, 5001, 7))
	l.Close()
	if l, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.FirstIndex() != 5000 || l.LastIndex() != 5001 {
		t.Fatalf("after restart and reopen [%d, %d]", l.FirstIndex(), l.LastIndex())
	}
}

func TestLog_StateConfigurationAndValuesRoundTrip(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		if st, err := l.State(); err != nil || st != (State{}) {
			t.Fatalf("initial state: %+v, %v", st, err)
		}
		st := State{CurrentTerm: 5, VotedFor: "node-b", CommitIndex: 9}
		if err := l.SaveState(st); err != nil {
			t.Fatal(err)
		}
		if got, err := l.State(); err != nil || got != st {
			t.Fatalf("State: %+v, %v", got, err)
		}
		if _, found, err := l.ClusterConfig(); err != nil || found {
			t.Fatalf("initial config: %v, %v", found, err)
		}
		cfg := ClusterConfig{Index: 3, Term: 2, Members: []Member{{"a", "127.0.0.1:1", true}, {"b", "127.0.0.1:2", false}}}
		if err := l.SaveClusterConfig(cfg); err != nil {
			t.Fatal(err)
		}
		if got, found, err := l.ClusterConfig(); err != nil || !found || !reflect.DeepEqual(got, cfg) {
			t.Fatalf("ClusterConfig: %+v, %v, %v", got, found, err)
		}
		if _, found, err := l.Value([]byte("k")); err != nil || found {
			t.Fatalf("absent value: %v, %v", found, err)
		}
		for _, v := range [][]byte{[]byte("v1"), {}, bytes.Repeat([]byte{0}, 1000)} {
			if err := l.SetValue([]byte("k"), v); err != nil {
				t.Fatal(err)
			}
			if got, found, err := l.Value([]byte("k")); err != nil || !found || !bytes.Equal(got, v) {
				t.Fatalf("Value: %q, %v, %v", got, found, err)
			}
		}
	})
}

func TestLog_SnapshotsStreamInAndOut(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		if _, err := l.OpenSnapshot(); !errors.Is(err, ErrNotFound) {
			t.Fatalf("OpenSnapshot on none: %v", err)
		}
		w, err := l.BeginSnapshot(10, 2, []byte("meta"))
		if err != nil {
			t.Fatal(err)
		}
		data := bytes.Repeat([]byte("0123456789"), 10000)
		if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		meta, err := w.Commit()
		w.Close()
		if err != nil || meta.LastIndex != 10 || meta.LastTerm != 2 || meta.Size != uint64(len(data)) || string(meta.Metadata) != "meta" {
			t.Fatalf("Commit: %+v, %v", meta, err)
		}
		r, err := l.OpenSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		if err := l.SaveSnapshot([]byte("newer"), 20, 3, nil); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data) || r.Meta().LastIndex != 10 {
			t.Fatalf("reader: %d bytes, %v", len(got), err)
		}
		m, d, found, err := l.Snapshot()
		if err != nil || !found || string(d) != "newer" || m.LastIndex != 20 || len(m.Metadata) != 0 {
			t.Fatalf("Snapshot: %+v %q %v %v", m, d, found, err)
		}
	})
}

func TestLog_ReadersBesideTheWriter(t *testing.T) {
	eachLog(t, func(t *testing.T, l *Log) {
		var wg sync.WaitGroup
		done := make(chan struct{})
		errs := make(chan error, 4)
		for r := 0; r < 4; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					last := l.LastIndex()
					if last == 0 {
						continue
					}
					v, err := l.ReadEntry(last)
					if err != nil {
						if errors.Is(err, ErrCompacted) || errors.Is(err, ErrOutOfRange) {
							continue
						}
						errs <- err
						return
					}
					if string(v.Data()) != fmt.Sprintf("payload-%d", last) {
						errs <- fmt.Errorf("entry %d: %q", last, v.Data())
					}
					v.Release()
				}
			}()
		}
		for i := uint64(1); i <= 2000; i += 20 {
			mustAppend(t, l, entries(i, i+19, 1))
			if i%400 == 1 && i > 1 {
				l.TruncateBefore(i - 100)
			}
		}
		close(done)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	})
}

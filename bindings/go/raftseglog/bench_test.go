// bench_test.go: hashicorp's shared store benchmarks (raft/bench) on seglog
// and on raft-boltdb side by side, plus StoreLogs of 64 entries (issue 17,
// section 5). Both stores sync on every StoreLogs and Set, as raft asks.
//
//	go test -run '^$' -bench . -benchtime 2s seglog/raftseglog
//
// The benchmarks write index 0 and, for DeleteRange, 3 entries every 10
// indices. Raft writes neither (its first index is 1, its log has no
// holes), and the Store refuses index 0 and restarts the log past a gap.
// So seglog runs them through benchLogStore: raft index i is stored at
// i+1, and a hole is filled with empty LogNoop entries (written in the
// untimed setup). The translation costs one addition per call.

package raftseglog

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"
	raftbench "github.com/hashicorp/raft/bench"
)

type benchLogStore struct{ s *Store }

func (b benchLogStore) FirstIndex() (uint64, error) {
	i, err := b.s.FirstIndex()
	if i > 0 {
		i--
	}
	return i, err
}

func (b benchLogStore) LastIndex() (uint64, error) {
	i, err := b.s.LastIndex()
	if i > 0 {
		i--
	}
	return i, err
}

func (b benchLogStore) GetLog(index uint64, out *raft.Log) error {
	if err := b.s.GetLog(index+1, out); err != nil {
		return err
	}
	out.Index = index
	return nil
}

func (b benchLogStore) StoreLog(l *raft.Log) error { return b.StoreLogs([]*raft.Log{l}) }

func (b benchLogStore) StoreLogs(ls []*raft.Log) error {
	next, _ := b.s.LastIndex()
	next++
	out := make([]*raft.Log, 0, len(ls))
	for _, l := range ls {
		for ; next < l.Index+1; next++ {
			out = append(out, &raft.Log{Index: next, Type: raft.LogNoop})
		}
		c := *l
		c.Index++
		out = append(out, &c)
		next = c.Index + 1
	}
	return b.s.StoreLogs(out)
}

func (b benchLogStore) DeleteRange(min, max uint64) error { return b.s.DeleteRange(min+1, max+1) }

func benchSeglog(b *testing.B) *Store {
	s, err := Open(filepath.Join(b.TempDir(), "seglog"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchBolt(b *testing.B) *raftboltdb.BoltStore {
	s, err := raftboltdb.NewBoltStore(filepath.Join(b.TempDir(), "raft.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkSeglog_FirstIndex(b *testing.B) { raftbench.FirstIndex(b, benchLogStore{benchSeglog(b)}) }
func BenchmarkBoltDB_FirstIndex(b *testing.B) { raftbench.FirstIndex(b, benchBolt(b)) }
func BenchmarkSeglog_LastIndex(b *testing.B)  { raftbench.LastIndex(b, benchLogStore{benchSeglog(b)}) }
func BenchmarkBoltDB_LastIndex(b *testing.B)  { raftbench.LastIndex(b, benchBolt(b)) }
func BenchmarkSeglog_GetLog(b *testing.B)     { raftbench.GetLog(b, benchLogStore{benchSeglog(b)}) }
func BenchmarkBoltDB_GetLog(b *testing.B)     { raftbench.GetLog(b, benchBolt(b)) }
func BenchmarkSeglog_StoreLog(b *testing.B)   { raftbench.StoreLog(b, benchLogStore{benchSeglog(b)}) }
func BenchmarkBoltDB_StoreLog(b *testing.B)   { raftbench.StoreLog(b, benchBolt(b)) }
func BenchmarkSeglog_StoreLogs(b *testing.B)  { raftbench.StoreLogs(b, benchLogStore{benchSeglog(b)}) }
func BenchmarkBoltDB_StoreLogs(b *testing.B)  { raftbench.StoreLogs(b, benchBolt(b)) }
func BenchmarkSeglog_DeleteRange(b *testing.B) {
	raftbench.DeleteRange(b, benchLogStore{benchSeglog(b)})
}
func BenchmarkBoltDB_DeleteRange(b *testing.B) { raftbench.DeleteRange(b, benchBolt(b)) }
func BenchmarkSeglog_Set(b *testing.B)         { raftbench.Set(b, benchSeglog(b)) }
func BenchmarkBoltDB_Set(b *testing.B)         { raftbench.Set(b, benchBolt(b)) }
func BenchmarkSeglog_Get(b *testing.B)         { raftbench.Get(b, benchSeglog(b)) }
func BenchmarkBoltDB_Get(b *testing.B)         { raftbench.Get(b, benchBolt(b)) }
func BenchmarkSeglog_SetUint64(b *testing.B)   { raftbench.SetUint64(b, benchSeglog(b)) }
func BenchmarkBoltDB_SetUint64(b *testing.B)   { raftbench.SetUint64(b, benchBolt(b)) }
func BenchmarkSeglog_GetUint64(b *testing.B)   { raftbench.GetUint64(b, benchSeglog(b)) }
func BenchmarkBoltDB_GetUint64(b *testing.B)   { raftbench.GetUint64(b, benchBolt(b)) }

// storeLogs64 stores batches of 64 entries of 256 bytes, each batch synced
// (the goal: at least twice raft-boltdb's rate).
func storeLogs64(b *testing.B, store raft.LogStore) {
	data := make([]byte, 256)
	batch := make([]*raft.Log, 64)
	b.SetBytes(64 * 256)
	for n := 0; n < b.N; n++ {
		for i := range batch {
			batch[i] = &raft.Log{Index: uint64(n*64 + i + 1), Term: 1, Data: data}
		}
		if err := store.StoreLogs(batch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeglog_StoreLogs64(b *testing.B) { storeLogs64(b, benchSeglog(b)) }
func BenchmarkBoltDB_StoreLogs64(b *testing.B) { storeLogs64(b, benchBolt(b)) }

// getLog256 reads random-ish entries of 256 bytes from 10,000.
func getLog256(b *testing.B, store raft.LogStore) {
	data := make([]byte, 256)
	for i := 0; i < 10000; i += 100 {
		var batch []*raft.Log
		for j := 1; j <= 100; j++ {
			batch = append(batch, &raft.Log{Index: uint64(i + j), Term: 1, Data: data})
		}
		if err := store.StoreLogs(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var l raft.Log
	for n := 0; n < b.N; n++ {
		if err := store.GetLog(uint64(n*7919%10000+1), &l); err != nil {
			b.Fatal(fmt.Sprint(n, err))
		}
	}
}

func BenchmarkSeglog_GetLog256(b *testing.B) { getLog256(b, benchSeglog(b)) }
func BenchmarkBoltDB_GetLog256(b *testing.B) { getLog256(b, benchBolt(b)) }

// raft_test.go: a single hashicorp/raft node on the Store: it elects
// itself, applies, snapshots, compacts, and restarts through its snapshot.

package raftseglog

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

type countFSM struct {
	mu sync.Mutex
	n  int
}

func (f *countFSM) Apply(*raft.Log) interface{} { f.mu.Lock(); f.n++; f.mu.Unlock(); return nil }
func (f *countFSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return countSnap(f.n), nil
}
func (f *countFSM) Restore(r io.ReadCloser) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.n = len(b)
	f.mu.Unlock()
	return nil
}

type countSnap int

func (c countSnap) Persist(sink raft.SnapshotSink) error {
	sink.Write(make([]byte, int(c)))
	return sink.Close()
}
func (c countSnap) Release() {}

func startNode(t *testing.T, s *Store, fsm raft.FSM) *raft.Raft {
	t.Helper()
	conf := raft.DefaultConfig()
	conf.LocalID = "n1"
	conf.HeartbeatTimeout, conf.ElectionTimeout = 50*time.Millisecond, 50*time.Millisecond
	conf.LeaderLeaseTimeout, conf.CommitTimeout = 50*time.Millisecond, 5*time.Millisecond
	conf.SnapshotThreshold, conf.TrailingLogs = 32, 16
	conf.LogOutput = io.Discard
	addr, trans := raft.NewInmemTransport("n1")
	if ok, err := raft.HasExistingState(s, s, s); err != nil {
		t.Fatal(err)
	} else if !ok {
		cfg := raft.Configuration{Servers: []raft.Server{{Suffrage: raft.Voter, ID: "n1", Address: addr}}}
		if err := raft.BootstrapCluster(conf, s, s, s, trans, cfg); err != nil {
			t.Fatal(err)
		}
	}
	r, err := raft.NewRaft(conf, fsm, s, s, s, trans)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.State() != raft.Leader {
		if time.Now().After(deadline) {
			t.Fatal("no leader")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

func TestRaft_ASingleNodeAppliesSnapshotsCompactsAndRestartsThroughItsSnapshot(t *testing.T) {
	s, dir := newStore(t)
	fsm := &countFSM{}
	r := startNode(t, s, fsm)
	for i := 0; i < 200; i++ {
		if err := r.Apply([]byte("x"), time.Second).Error(); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Snapshot().Error(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if err := r.Shutdown().Error(); err != nil {
		t.Fatal(err)
	}
	first, _ := s.FirstIndex()
	if first <= 1 {
		t.Fatalf("not compacted: first index %d", first)
	}
	s = reopen(t, s, dir)
	fsm2 := &countFSM{}
	r = startNode(t, s, fsm2)
	defer func() { _ = r.Shutdown().Error() }() // before t.Cleanup closes s
	if err := r.Barrier(time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	fsm2.mu.Lock()
	n := fsm2.n
	fsm2.mu.Unlock()
	if n != 200 {
		t.Fatalf("after restart the FSM holds %d commands, want 200", n)
	}
}

// install_test.go: a follower cut off while the leader snapshots and
// compacts installs the leader's snapshot when it comes back, and its
// seglog log goes on after the snapshot (restart_log), through raft itself.

package raftseglog

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

type clusterNode struct {
	raft  *raft.Raft
	store *Store
	fsm   *countFSM
	trans *raft.InmemTransport
	addr  raft.ServerAddress
}

func TestRaft_AFollowerBehindTheLeadersSnapshotInstallsItAndItsLogGoesOnAfterIt(t *testing.T) {
	var nodes []*clusterNode
	var cfg raft.Configuration
	for i := 0; i < 3; i++ {
		s, _ := newStore(t)
		addr, trans := raft.NewInmemTransport(raft.ServerAddress(fmt.Sprintf("n%d", i)))
		nodes = append(nodes, &clusterNode{store: s, fsm: &countFSM{}, trans: trans, addr: addr})
		cfg.Servers = append(cfg.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(addr), Address: addr})
	}
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				a.trans.Connect(b.addr, b.trans)
			}
		}
	}
	for _, n := range nodes {
		conf := raft.DefaultConfig()
		conf.LocalID = raft.ServerID(n.addr)
		conf.HeartbeatTimeout, conf.ElectionTimeout = 100*time.Millisecond, 100*time.Millisecond
		conf.LeaderLeaseTimeout, conf.CommitTimeout = 50*time.Millisecond, 5*time.Millisecond
		conf.SnapshotThreshold, conf.TrailingLogs = 32, 16
		conf.LogOutput = io.Discard
		if err := raft.BootstrapCluster(conf, n.store, n.store, n.store, n.trans, cfg); err != nil {
			t.Fatal(err)
		}
		r, err := raft.NewRaft(conf, n.fsm, n.store, n.store, n.store, n.trans)
		if err != nil {
			t.Fatal(err)
		}
		n.raft = r
		// Waits for raft's goroutines: the stores close in t.Cleanup, after
		// the defers, and a node still running would read a closed log
		// (raft panics on a failed GetLog). Without the wait it did, once.
		defer func() { _ = r.Shutdown().Error() }()
	}
	leader := waitLeader(t, nodes)
	var lagger *clusterNode
	for _, n := range nodes {
		if n != leader {
			lagger = n
		}
	}
	apply(t, leader, 10)
	// Cut the lagger off in both directions.
	for _, n := range nodes {
		if n != lagger {
			n.trans.Disconnect(lagger.addr)
			lagger.trans.Disconnect(n.addr)
		}
	}
	oldLast, _ := lagger.store.LastIndex()
	apply(t, leader, 300)
	// Both connected nodes snapshot and compact, not only the leader: the
	// lagger, campaigning alone, comes back with a higher term, which can
	// end the leader's term, and the other node may lead next. With its
	// log whole it sent the lagger entries, not its snapshot (seen once in
	// CI).
	for _, n := range nodes {
		if n != lagger {
			if err := n.raft.Snapshot().Error(); err != nil {
				t.Fatalf("snapshot of %s: %v", n.addr, err)
			}
		}
	}
	for _, n := range nodes {
		if n != lagger {
			n.trans.Connect(lagger.addr, lagger.trans)
			lagger.trans.Connect(n.addr, n.trans)
		}
	}
	applyThroughAnyLeader(t, nodes, 10)
	// A command whose leader changed under it may have been applied and
	// then retried: the three FSMs must agree, on 320 or more.
	deadline := time.Now().Add(10 * time.Second)
	for {
		counts := make([]int, 0, len(nodes))
		for _, n := range nodes {
			n.fsm.mu.Lock()
			counts = append(counts, n.fsm.n)
			n.fsm.mu.Unlock()
		}
		if counts[0] >= 320 && counts[0] == counts[1] && counts[1] == counts[2] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the FSMs hold %v commands, want the same 320 or more on each", counts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	metas, err := lagger.store.List()
	if err != nil || len(metas) != 1 || metas[0].Index <= oldLast {
		t.Fatalf("the follower's snapshot: %v, %v (its log ended at %d)", metas, err, oldLast)
	}
	first, _ := lagger.store.FirstIndex()
	if first <= oldLast {
		t.Fatalf("the follower's log starts at %d, before its old end %d: no restart", first, oldLast)
	}
	t.Logf("follower log ended at %d, installed snapshot %d, log now starts at %d", oldLast, metas[0].Index, first)
}

func waitLeader(t *testing.T, nodes []*clusterNode) *clusterNode {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range nodes {
			if n.raft.State() == raft.Leader {
				return n
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no leader")
	return nil
}

// applyThroughAnyLeader applies count commands through whichever node
// leads, trying again when leadership moves under a command.
func applyThroughAnyLeader(t *testing.T, nodes []*clusterNode, count int) {
	t.Helper()
	for i := 0; i < count; {
		err := waitLeader(t, nodes).raft.Apply([]byte("x"), 2*time.Second).Error()
		switch err {
		case nil:
			i++
		case raft.ErrNotLeader, raft.ErrLeadershipLost, raft.ErrLeadershipTransferInProgress:
			time.Sleep(10 * time.Millisecond)
		default:
			t.Fatalf("apply: %v", err)
		}
	}
}

func apply(t *testing.T, n *clusterNode, count int) {
	t.Helper()
	for i := 0; i < count; i++ {
		if err := n.raft.Apply([]byte("x"), 2*time.Second).Error(); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
}

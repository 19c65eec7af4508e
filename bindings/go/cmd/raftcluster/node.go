// node.go owns one cluster member: a hashicorp/raft node on loopback TCP,
// its stores in its own directory, and the loopback HTTP endpoint the
// driver and client talk to (docs/engines.md, "The cluster test").

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/raft"
)

// peer is one member as the driver passes it: id=raftaddr=httpaddr.
type peer struct{ id, raftAddr, httpAddr string }

func parsePeers(s string) ([]peer, error) {
	var out []peer
	for _, p := range strings.Split(s, ",") {
		f := strings.Split(p, "=")
		if len(f) != 3 {
			return nil, fmt.Errorf("bad peer %q (want id=raftaddr=httpaddr)", p)
		}
		out = append(out, peer{f[0], f[1], f[2]})
	}
	return out, nil
}

// nodeState is what GET /state answers.
type nodeState struct {
	ID              string `json:"id"`
	State           string `json:"state"`
	LeaderHTTP      string `json:"leader_http"`
	AppliedIndex    uint64 `json:"applied_index"`
	FSMIndex        uint64 `json:"fsm_index"`
	FirstLogIndex   uint64 `json:"first_log_index"`
	LastLogIndex    uint64 `json:"last_log_index"`
	SnapshotIndex   uint64 `json:"snapshot_index"`
	StartRestored   uint64 `json:"start_restored_index"` // snapshot restored by NewRaft, 0 if none
	Snapshots       int    `json:"snapshots"`            // FSM snapshots taken by this process
	Restores        int    `json:"restores"`             // FSM restores in this process (start + installs)
	Digest          string `json:"digest"`
	AppliedCommands int    `json:"applied_commands"`
}

// logRecord is one entry as GET /log answers: index, term, type, data hash.
type logRecord struct {
	Index uint64 `json:"i"`
	Term  uint64 `json:"t"`
	Type  uint8  `json:"y"`
	Hash  uint64 `json:"h"`
}

type node struct {
	id        string
	raft      *raft.Raft
	fsm       *kvFSM
	stores    *nodeStores
	httpOf    map[string]string // raft address -> http address
	restoreAt uint64
}

func runNode(args []string) error {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	id := fs.String("id", "", "this node's id")
	dir := fs.String("dir", "", "data directory")
	peersFlag := fs.String("peers", "", "id=raftaddr=httpaddr,...")
	storeKind := fs.String("store", "boltdb", "seglog or boltdb")
	stableKind := fs.String("stable", "", "the StableStore's kind when not the store's (diagnostic)")
	lifetime := fs.Duration("lifetime", 10*time.Minute, "exit after this long whatever happens")
	if err := fs.Parse(args); err != nil {
		return err
	}
	peers, err := parsePeers(*peersFlag)
	if err != nil {
		return err
	}
	var self *peer
	for i := range peers {
		if peers[i].id == *id {
			self = &peers[i]
		}
	}
	if self == nil {
		return fmt.Errorf("node %q not in --peers", *id)
	}
	// A node never outlives its run, even if the driver vanished.
	time.AfterFunc(*lifetime, func() {
		fmt.Fprintf(os.Stderr, "node %s: lifetime %v over, exiting\n", *id, *lifetime)
		os.Exit(3)
	})

	stores, err := openStores(*storeKind, *stableKind, *dir, os.Stderr)
	if err != nil {
		return fmt.Errorf("open stores: %w", err)
	}
	conf := raft.DefaultConfig()
	conf.LocalID = raft.ServerID(*id)
	conf.HeartbeatTimeout = 300 * time.Millisecond
	conf.ElectionTimeout = 300 * time.Millisecond
	conf.LeaderLeaseTimeout = 150 * time.Millisecond
	conf.CommitTimeout = 10 * time.Millisecond
	conf.SnapshotThreshold = 64
	conf.TrailingLogs = 32
	conf.SnapshotInterval = 250 * time.Millisecond
	conf.LogOutput = os.Stderr
	conf.LogLevel = "WARN"

	trans, err := raft.NewTCPTransport(self.raftAddr, nil, 3, 2*time.Second, os.Stderr)
	if err != nil {
		return fmt.Errorf("transport: %w", err)
	}
	existing, err := raft.HasExistingState(stores.logs, stores.stable, stores.snaps)
	if err != nil {
		return fmt.Errorf("existing state: %w", err)
	}
	if !existing {
		var cfg raft.Configuration
		for _, p := range peers {
			cfg.Servers = append(cfg.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(p.id), Address: raft.ServerAddress(p.raftAddr)})
		}
		if err := raft.BootstrapCluster(conf, stores.logs, stores.stable, stores.snaps, trans, cfg); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
	}
	n := &node{id: *id, fsm: newKVFSM(), stores: stores, httpOf: map[string]string{}}
	for _, p := range peers {
		n.httpOf[p.raftAddr] = p.httpAddr
	}
	r, err := raft.NewRaft(conf, n.fsm, stores.logs, stores.stable, stores.snaps, trans)
	if err != nil {
		return fmt.Errorf("new raft: %w", err)
	}
	n.raft = r
	// NewRaft restores the newest snapshot synchronously: a restore seen
	// now is a restart that recovered through a snapshot.
	if n.fsm.restores > 0 {
		_, n.restoreAt, _ = n.fsm.digest()
	}

	ln, err := net.Listen("tcp", self.httpAddr)
	if err != nil {
		return fmt.Errorf("http listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/apply", n.handleApply)
	mux.HandleFunc("/state", n.handleState)
	mux.HandleFunc("/applied", n.handleApplied)
	mux.HandleFunc("/log", n.handleLog)
	srv := &http.Server{Handler: mux, ReadTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// applyReply is the answer to POST /apply. Status 200: applied at Index.
// 409: not the leader (nothing was applied; retry at LeaderHTTP). 503: the
// outcome is unknown.
type applyReply struct {
	Index      uint64 `json:"index,omitempty"`
	LeaderHTTP string `json:"leader_http,omitempty"`
	Error      string `json:"error,omitempty"`
}

func (n *node) handleApply(w http.ResponseWriter, req *http.Request) {
	cmd, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, applyReply{Error: err.Error()})
		return
	}
	if n.raft.State() != raft.Leader {
		writeJSON(w, http.StatusConflict, applyReply{LeaderHTTP: n.httpOf[string(n.raft.Leader())], Error: "not leader"})
		return
	}
	f := n.raft.Apply(cmd, 3*time.Second)
	if err := f.Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) {
			writeJSON(w, http.StatusConflict, applyReply{LeaderHTTP: n.httpOf[string(n.raft.Leader())], Error: err.Error()})
			return
		}
		writeJSON(w, http.StatusServiceUnavailable, applyReply{Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, applyReply{Index: f.Index()})
}

func (n *node) handleState(w http.ResponseWriter, req *http.Request) {
	st := nodeState{ID: n.id, State: n.raft.State().String(), LeaderHTTP: n.httpOf[string(n.raft.Leader())],
		AppliedIndex: n.raft.AppliedIndex(), StartRestored: n.restoreAt}
	st.Digest, st.FSMIndex, st.AppliedCommands = n.fsm.digest()
	n.fsm.mu.Lock()
	st.Snapshots, st.Restores = n.fsm.snapshots, n.fsm.restores
	n.fsm.mu.Unlock()
	var err error
	if st.FirstLogIndex, err = n.stores.logs.FirstIndex(); err != nil {
		writeJSON(w, http.StatusInternalServerError, applyReply{Error: err.Error()})
		return
	}
	if st.LastLogIndex, err = n.stores.logs.LastIndex(); err != nil {
		writeJSON(w, http.StatusInternalServerError, applyReply{Error: err.Error()})
		return
	}
	if metas, err := n.stores.snaps.List(); err == nil && len(metas) > 0 {
		st.SnapshotIndex = metas[0].Index
	}
	writeJSON(w, http.StatusOK, st)
}

func (n *node) handleApplied(w http.ResponseWriter, req *http.Request) {
	writeJSON(w, http.StatusOK, n.fsm.appliedCopy())
}

// handleLog answers the entries in [from, to] that the store holds.
func (n *node) handleLog(w http.ResponseWriter, req *http.Request) {
	from, _ := strconv.ParseUint(req.URL.Query().Get("from"), 10, 64)
	to, _ := strconv.ParseUint(req.URL.Query().Get("to"), 10, 64)
	var out []logRecord
	for i := from; i <= to && i != 0; i++ {
		var l raft.Log
		if err := n.stores.logs.GetLog(i, &l); err != nil {
			if errors.Is(err, raft.ErrLogNotFound) {
				continue
			}
			writeJSON(w, http.StatusInternalServerError, applyReply{Error: err.Error()})
			return
		}
		h := fnv.New64a()
		h.Write(l.Data)
		out = append(out, logRecord{Index: l.Index, Term: l.Term, Type: uint8(l.Type), Hash: h.Sum64()})
	}
	writeJSON(w, http.StatusOK, out)
}

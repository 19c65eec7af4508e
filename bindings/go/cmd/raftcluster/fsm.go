// fsm.go owns the cluster test's state machine: a key-value map that also
// counts how often each command was applied, so the driver can check
// "applied exactly once on every node" (docs/engines.md, "The cluster test").

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/raft"
)

// kvFSM applies commands "<id> <value>": kv[key(id)] = value and
// applied[id]++. A command is never sent twice by the client, so any count
// above one is a duplicate apply.
type kvFSM struct {
	mu        sync.Mutex
	applied   map[string]int
	kv        map[string]string
	lastIndex uint64 // raft index of the last command applied or restored
	snapshots int    // Snapshot calls in this process
	restores  int    // Restore calls in this process
}

// fsmState is what a snapshot holds.
type fsmState struct {
	Applied   map[string]int    `json:"applied"`
	KV        map[string]string `json:"kv"`
	LastIndex uint64            `json:"last_index"`
}

func newKVFSM() *kvFSM {
	return &kvFSM{applied: map[string]int{}, kv: map[string]string{}}
}

// commandKey spreads ids over 64 keys so values get overwritten.
func commandKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return "k" + hex.EncodeToString(h[:1])
}

func (f *kvFSM) Apply(l *raft.Log) interface{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastIndex = l.Index
	cmd := string(l.Data)
	id, value := cmd, ""
	if i := strings.IndexByte(cmd, ' '); i >= 0 {
		id, value = cmd[:i], cmd[i+1:]
	}
	f.applied[id]++
	f.kv[commandKey(id)] = strings.TrimRight(value, ".")
	return l.Index
}

func (f *kvFSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snapshots++
	st := fsmState{Applied: make(map[string]int, len(f.applied)), KV: make(map[string]string, len(f.kv)), LastIndex: f.lastIndex}
	for k, v := range f.applied {
		st.Applied[k] = v
	}
	for k, v := range f.kv {
		st.KV[k] = v
	}
	return &fsmSnapshot{state: st}, nil
}

func (f *kvFSM) Restore(r io.ReadCloser) error {
	defer r.Close()
	var st fsmState
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return err
	}
	if st.Applied == nil {
		st.Applied = map[string]int{}
	}
	if st.KV == nil {
		st.KV = map[string]string{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied, f.kv, f.lastIndex = st.Applied, st.KV, st.LastIndex
	f.restores++
	return nil
}

// digest is a hash of the whole state (applied counts and kv), equal on
// every node once they have applied the same prefix of the log.
func (f *kvFSM) digest() (string, uint64, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := sha256.New()
	writeSorted := func(tag string, m map[string]string) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			io.WriteString(h, tag+k+"="+m[k]+"\n")
		}
	}
	counts := make(map[string]string, len(f.applied))
	for k, v := range f.applied {
		counts[k] = string(rune('0' + v))
	}
	writeSorted("a:", counts)
	writeSorted("k:", f.kv)
	return hex.EncodeToString(h.Sum(nil)), f.lastIndex, len(f.applied)
}

func (f *kvFSM) appliedCopy() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.applied))
	for k, v := range f.applied {
		out[k] = v
	}
	return out
}

type fsmSnapshot struct{ state fsmState }

func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := json.NewEncoder(sink).Encode(&s.state); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *fsmSnapshot) Release() {}

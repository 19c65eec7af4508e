// Package seedstorage is the seed's Storage method set (HybridStorage in
// /work/shared/seed/hybrid_storage.go) on seglog: a Go program written
// against that interface switches by replacing NewHybridStorage with Open
// (docs/porting-from-go.md, "Staying in Go"). Copy this file into your
// package and delete the type declarations below in favour of yours.
//
// What changes for the caller is where the seed was unsafe: appends that
// leave a gap or contradict a stored term are refused (ErrGap, ErrConflict
// from package seglog) instead of being dropped silently, and every save is
// durable on return.
package seedstorage

import (
	"errors"
	"fmt"

	"seglog/seglog"
)

// The seed's errors. seglog's codes are mapped onto them, so code written
// for the seed keeps its errors.Is tests.
var (
	ErrNotFound   = errors.New("not found")
	ErrCorrupted  = errors.New("corrupted data")
	ErrOutOfRange = errors.New("index out of range")
	ErrCompacted  = errors.New("log has been compacted")
)

// The seed's value types (declared in the seed's package; yours replace them).
type LogEntry struct {
	Index uint64 `json:"index"`
	Term  uint64 `json:"term"`
	Type  uint8  `json:"type"`
	Data  []byte `json:"data"`
}

type PersistentState struct {
	CurrentTerm uint64 `json:"current_term"`
	VotedFor    string `json:"voted_for"`
	CommitIndex uint64 `json:"commit_index"`
}

type ClusterMember struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Voter   bool   `json:"voter"`
}

type ClusterConfig struct {
	Index   uint64          `json:"index"`
	Term    uint64          `json:"term"`
	Members []ClusterMember `json:"members"`
}

// Storage is the seed's method set on a seglog log.
type Storage struct{ log *seglog.Log }

// Open replaces NewHybridStorage(dataDir, memoryCapacity, logger): seglog
// needs no entry cache (recent segments are mapped).
func Open(dataDir string) (*Storage, error) {
	l, err := seglog.Open(dataDir, nil)
	if err != nil {
		return nil, mapErr(err)
	}
	return &Storage{log: l}, nil
}

// mapErr turns seglog's codes into the seed's errors, keeping seglog's
// message; the seglog code stays reachable with errors.Is too.
func mapErr(err error) error {
	var seed error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, seglog.ErrNotFound):
		seed = ErrNotFound
	case errors.Is(err, seglog.ErrCorrupted):
		seed = ErrCorrupted
	case errors.Is(err, seglog.ErrOutOfRange):
		seed = ErrOutOfRange
	case errors.Is(err, seglog.ErrCompacted):
		seed = ErrCompacted
	default:
		return err
	}
	return &mappedError{seed: seed, err: err}
}

type mappedError struct{ seed, err error }

func (e *mappedError) Error() string   { return fmt.Sprintf("%v: %v", e.seed, e.err) }
func (e *mappedError) Unwrap() error   { return e.err }
func (e *mappedError) Is(t error) bool { return t == e.seed }

func (s *Storage) GetState() (*PersistentState, error) {
	st, err := s.log.State()
	if err != nil {
		return nil, mapErr(err)
	}
	return &PersistentState{CurrentTerm: st.CurrentTerm, VotedFor: st.VotedFor, CommitIndex: st.CommitIndex}, nil
}

func (s *Storage) SaveState(state *PersistentState) error {
	return mapErr(s.log.SaveState(seglog.State{CurrentTerm: state.CurrentTerm, VotedFor: state.VotedFor, CommitIndex: state.CommitIndex}))
}

// GetFirstIndex is 0 on an empty log, as in the seed.
func (s *Storage) GetFirstIndex() uint64 {
	if first, last := s.log.FirstIndex(), s.log.LastIndex(); last >= first {
		return first
	}
	return 0
}

// GetLastIndex is 0 on a new log, as in the seed.
func (s *Storage) GetLastIndex() uint64 { return s.log.LastIndex() }

func (s *Storage) GetEntry(index uint64) (*LogEntry, error) {
	e, err := s.log.Entry(index)
	if err != nil {
		return nil, mapErr(err)
	}
	return &LogEntry{Index: e.Index, Term: e.Term, Type: e.Type, Data: e.Data}, nil
}

// GetEntries returns [startIndex, endIndex), endIndex clamped to the last
// index; empty when nothing is left, as in the seed.
func (s *Storage) GetEntries(startIndex, endIndex uint64) ([]LogEntry, error) {
	if startIndex < s.log.FirstIndex() {
		return nil, ErrCompacted
	}
	if last := s.log.LastIndex(); endIndex > last+1 {
		endIndex = last + 1
	}
	if startIndex >= endIndex {
		return nil, nil
	}
	es, err := s.log.Entries(startIndex, endIndex, 0)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]LogEntry, len(es))
	for i, e := range es {
		out[i] = LogEntry{Index: e.Index, Term: e.Term, Type: e.Type, Data: e.Data}
	}
	return out, nil
}

// AppendEntries appends; entries already stored with the same term are
// skipped, as in the seed. Not durable until Sync, as in the seed.
func (s *Storage) AppendEntries(entries []LogEntry) error {
	es := make([]seglog.Entry, len(entries))
	for i, e := range entries {
		es[i] = seglog.Entry{Index: e.Index, Term: e.Term, Type: e.Type, Data: e.Data}
	}
	return mapErr(s.log.Append(es))
}

// TruncateAfter keeps ..index (a no-op at or past the last index).
func (s *Storage) TruncateAfter(index uint64) error { return mapErr(s.log.TruncateAfter(index)) }

// TruncateBefore keeps index.. (a no-op at or before the first index).
func (s *Storage) TruncateBefore(index uint64) error { return mapErr(s.log.TruncateBefore(index)) }

// GetSnapshot returns the snapshot; ErrNotFound when none was saved.
func (s *Storage) GetSnapshot() ([]byte, uint64, uint64, error) {
	meta, data, found, err := s.log.Snapshot()
	if err != nil {
		return nil, 0, 0, mapErr(err)
	}
	if !found {
		return nil, 0, 0, ErrNotFound
	}
	return data, meta.LastIndex, meta.LastTerm, nil
}

func (s *Storage) SaveSnapshot(data []byte, lastIndex, lastTerm uint64) error {
	return mapErr(s.log.SaveSnapshot(data, lastIndex, lastTerm, nil))
}

// GetClusterConfig returns nil, nil when none was saved, as in the seed.
func (s *Storage) GetClusterConfig() (*ClusterConfig, error) {
	cfg, found, err := s.log.ClusterConfig()
	if err != nil || !found {
		return nil, mapErr(err)
	}
	out := &ClusterConfig{Index: cfg.Index, Term: cfg.Term}
	for _, m := range cfg.Members {
		out.Members = append(out.Members, ClusterMember{ID: m.ID, Address: m.Address, Voter: m.Voter})
	}
	return out, nil
}

func (s *Storage) SaveClusterConfig(config *ClusterConfig) error {
	cfg := seglog.ClusterConfig{Index: config.Index, Term: config.Term}
	for _, m := range config.Members {
		cfg.Members = append(cfg.Members, seglog.Member{ID: m.ID, Address: m.Address, Voter: m.Voter})
	}
	return mapErr(s.log.SaveClusterConfig(cfg))
}

func (s *Storage) Close() error { return mapErr(s.log.Close()) }

// Sync makes every appended entry durable.
func (s *Storage) Sync() error { return mapErr(s.log.Sync()) }

// Flush waits for seglog's background work; appends are already visible.
func (s *Storage) Flush() error { return mapErr(s.log.Flush()) }

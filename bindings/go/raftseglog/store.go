// store.go owns the Store: opening one seglog directory for a raft node.

package raftseglog

import (
	"seglog/seglog"
)

// Store is a node's LogStore, StableStore and SnapshotStore on one seglog
// directory.
type Store struct {
	log *seglog.Log
}

// Open opens (or creates) the store in dir; opts may be nil.
func Open(dir string, opts *seglog.Options) (*Store, error) {
	l, err := seglog.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	return &Store{log: l}, nil
}

// New wraps an open log (a memory log for tests, for instance).
func New(l *seglog.Log) *Store { return &Store{log: l} }

// Log is the underlying seglog log.
func (s *Store) Log() *seglog.Log { return s.log }

// Close closes the log.
func (s *Store) Close() error { return s.log.Close() }

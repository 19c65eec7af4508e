// stable_store.go owns raft.StableStore on seglog's key-value store.

package raftseglog

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

// ErrKeyNotFound answers Get and GetUint64 of an absent key. Its text is
// "not found", which raft compares against (as raft-boltdb's).
var ErrKeyNotFound = errors.New("not found")

var _ raft.StableStore = (*Store)(nil)

// Set stores val under key, durably on return.
func (s *Store) Set(key, val []byte) error { return s.log.SetValue(key, val) }

// Get returns key's value, or ErrKeyNotFound.
func (s *Store) Get(key []byte) ([]byte, error) {
	v, found, err := s.log.Value(key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrKeyNotFound
	}
	return v, nil
}

// SetUint64 stores val as 8 big-endian bytes.
func (s *Store) SetUint64(key []byte, val uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], val)
	return s.Set(key, b[:])
}

// GetUint64 returns the uint64 under key, or ErrKeyNotFound.
func (s *Store) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("raftseglog: key %q holds %d bytes, not a uint64: %w", key, len(v), seglog.ErrInvalidArgument)
	}
	return binary.BigEndian.Uint64(v), nil
}

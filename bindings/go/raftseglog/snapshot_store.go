// snapshot_store.go owns raft.SnapshotStore on seglog's snapshot: one
// snapshot, raft's SnapshotMeta kept as its opaque metadata.

package raftseglog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

var _ raft.SnapshotStore = (*Store)(nil)

// Create starts a snapshot; the sink commits it on Close.
func (s *Store) Create(version raft.SnapshotVersion, index, term uint64, configuration raft.Configuration,
	configurationIndex uint64, trans raft.Transport) (raft.SnapshotSink, error) {
	if version < raft.SnapshotVersionMin || version > raft.SnapshotVersionMax {
		return nil, fmt.Errorf("raftseglog: unsupported snapshot version %d", version)
	}
	meta := raft.SnapshotMeta{
		Version:            version,
		ID:                 fmt.Sprintf("%d-%d-%d", term, index, time.Now().UnixNano()/int64(time.Millisecond)),
		Index:              index,
		Term:               term,
		Configuration:      configuration,
		ConfigurationIndex: configurationIndex,
	}
	enc, err := json.Marshal(&meta)
	if err != nil {
		return nil, err
	}
	w, err := s.log.BeginSnapshot(index, term, enc)
	if err != nil {
		return nil, err
	}
	return &sink{w: w, meta: meta}, nil
}

// List returns the snapshot, if there is one.
func (s *Store) List() ([]*raft.SnapshotMeta, error) {
	r, err := s.log.OpenSnapshot()
	if errors.Is(err, seglog.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	meta, err := decodeMeta(r.Meta())
	if err != nil {
		return nil, err
	}
	return []*raft.SnapshotMeta{meta}, nil
}

// Open returns the snapshot id and a reader of its data (zero-copy from
// the mapping; close it).
func (s *Store) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	r, err := s.log.OpenSnapshot()
	if err != nil {
		return nil, nil, fmt.Errorf("raftseglog: open snapshot %s: %w", id, err)
	}
	meta, err := decodeMeta(r.Meta())
	if err == nil && meta.ID != id {
		err = fmt.Errorf("raftseglog: snapshot %s not found (the current one is %s): %w", id, meta.ID, seglog.ErrNotFound)
	}
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	return meta, r, nil
}

func decodeMeta(m seglog.SnapshotMeta) (*raft.SnapshotMeta, error) {
	var meta raft.SnapshotMeta
	if err := json.Unmarshal(m.Metadata, &meta); err != nil {
		return nil, fmt.Errorf("raftseglog: snapshot at %d: metadata: %v: %w", m.LastIndex, err, seglog.ErrCorrupted)
	}
	meta.Size = int64(m.Size)
	return &meta, nil
}

// sink streams one snapshot into seglog's writer.
type sink struct {
	w    *seglog.SnapshotWriter
	meta raft.SnapshotMeta
	done bool
}

func (k *sink) ID() string { return k.meta.ID }

func (k *sink) Write(p []byte) (int, error) { return k.w.Write(p) }

// Close commits the snapshot: durable and current on return.
func (k *sink) Close() error {
	if k.done {
		return nil
	}
	k.done = true
	_, err := k.w.Commit()
	k.w.Close()
	return err
}

// Cancel drops the snapshot.
func (k *sink) Cancel() error {
	if k.done {
		return nil
	}
	k.done = true
	return k.w.Close()
}

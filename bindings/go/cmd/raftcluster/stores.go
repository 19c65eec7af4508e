// stores.go owns the choice of a node's stores: --store=boltdb (raft-boltdb
// plus raft's FileSnapshotStore, the usual setup) or --store=seglog.

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"
)

type nodeStores struct {
	logs   raft.LogStore
	stable raft.StableStore
	snaps  raft.SnapshotStore
	close  func() error
}

// storeOpeners maps a --store value to its opener; stores_seglog.go adds
// "seglog".
var storeOpeners = map[string]func(dir string, logw io.Writer) (*nodeStores, error){
	"boltdb": openBoltStores,
}

// openStores opens the --store kind in dir; a --stable other than the
// store (a diagnostic: it isolates the log and snapshot stores) takes the
// StableStore from that kind, in a subdirectory.
func openStores(kind, stable, dir string, logw io.Writer) (*nodeStores, error) {
	open, ok := storeOpeners[kind]
	if !ok {
		return nil, fmt.Errorf("unknown --store %q", kind)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	st, err := open(dir, logw)
	if err != nil || stable == "" || stable == kind {
		return st, err
	}
	openStable, ok := storeOpeners[stable]
	if !ok {
		return nil, fmt.Errorf("unknown --stable %q", stable)
	}
	sdir := filepath.Join(dir, "stable-"+stable)
	if err := os.MkdirAll(sdir, 0o755); err != nil {
		return nil, err
	}
	other, err := openStable(sdir, logw)
	if err != nil {
		return nil, err
	}
	st.stable = other.stable
	return st, nil
}

func openBoltStores(dir string, logw io.Writer) (*nodeStores, error) {
	bolt, err := raftboltdb.NewBoltStore(filepath.Join(dir, "raft.db"))
	if err != nil {
		return nil, err
	}
	snaps, err := raft.NewFileSnapshotStore(dir, 2, logw)
	if err != nil {
		bolt.Close()
		return nil, err
	}
	return &nodeStores{logs: bolt, stable: bolt, snaps: snaps, close: bolt.Close}, nil
}

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

func openStores(kind, dir string, logw io.Writer) (*nodeStores, error) {
	open, ok := storeOpeners[kind]
	if !ok {
		return nil, fmt.Errorf("unknown --store %q", kind)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return open(dir, logw)
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

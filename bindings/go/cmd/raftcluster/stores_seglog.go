// stores_seglog.go adds --store=seglog: one seglog directory is the node's
// log, stable and snapshot store (package raftseglog). Build with
// -tags noseglog to run the harness without the library.

//go:build !noseglog

package main

import (
	"io"

	"seglog/raftseglog"
	"seglog/seglog"
)

func init() {
	storeOpeners["seglog"] = func(dir string, logw io.Writer) (*nodeStores, error) {
		s, err := raftseglog.Open(dir, &seglog.Options{SegmentSize: 1 << 20})
		if err != nil {
			return nil, err
		}
		return &nodeStores{logs: s, stable: s, snaps: s, close: s.Close}, nil
	}
}

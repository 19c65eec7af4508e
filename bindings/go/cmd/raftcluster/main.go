// Command raftcluster runs three hashicorp/raft nodes as three OS processes
// on loopback TCP, drives commands through the leader while it SIGKILLs and
// restarts nodes, and checks the cluster's invariants at the end
// (docs/engines.md, "The cluster test"; issue 17, section 4).
//
//	raftcluster [--store=seglog|boltdb] [--duration=60s] [--seed=N] [--keep]
//
// The same binary is the node: "raftcluster node --id ... --dir ...".
// It prints "raftcluster: PASS ..." and exits 0, or "raftcluster: FAIL: ..."
// and exits 1.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "node" {
		if err := runNode(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "node: %v\n", err)
			os.Exit(2)
		}
		return
	}
	os.Exit(runDriver(os.Args[1:]))
}

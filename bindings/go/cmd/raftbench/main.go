// Command raftbench measures hashicorp/raft's Apply throughput and commit
// latency (p50, p99) on seglog and on raft-boltdb, for a single node or a
// 3-node cluster on loopback TCP in one process (issue 17, section 5;
// docs/engines.md, "Numbers"). Both stores sync where raft asks.
//
//	raftbench [--stores=seglog,boltdb] [--nodes=1,3] [--commands=20000]
//	          [--size=256] [--clients=64] [--runs=3]
//	raftbench --restart=100000,1000000 [--stores=seglog,boltdb]
//
// It prints one line per run and a median line per store and cluster size.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb"
	"seglog/raftseglog"
	"seglog/seglog"
)

type nopFSM struct{}

func (nopFSM) Apply(*raft.Log) interface{}         { return nil }
func (nopFSM) Snapshot() (raft.FSMSnapshot, error) { return nopSnap{}, nil }
func (nopFSM) Restore(r io.ReadCloser) error       { return r.Close() }

type nopSnap struct{}

func (nopSnap) Persist(s raft.SnapshotSink) error { return s.Close() }
func (nopSnap) Release()                          {}

type benchNode struct {
	raft  *raft.Raft
	close func()
}

func openStores(kind, dir string) (raft.LogStore, raft.StableStore, raft.SnapshotStore, func(), error) {
	switch kind {
	case "seglog":
		s, err := raftseglog.Open(dir, &seglog.Options{})
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return s, s, s, func() { s.Close() }, nil
	case "boltdb":
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, nil, nil, err
		}
		b, err := raftboltdb.NewBoltStore(filepath.Join(dir, "raft.db"))
		if err != nil {
			return nil, nil, nil, nil, err
		}
		snaps, err := raft.NewFileSnapshotStore(dir, 2, io.Discard)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return b, b, snaps, func() { b.Close() }, nil
	}
	return nil, nil, nil, nil, fmt.Errorf("unknown store %q", kind)
}

// startCluster starts n nodes in root and returns them once one leads.
func startCluster(kind, root string, n int) ([]*benchNode, *raft.Raft, error) {
	var addrs []string
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		addrs = append(addrs, l.Addr().String())
		l.Close()
	}
	var cfg raft.Configuration
	for i, a := range addrs {
		cfg.Servers = append(cfg.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(strconv.Itoa(i)), Address: raft.ServerAddress(a)})
	}
	var nodes []*benchNode
	for i, a := range addrs {
		logs, stable, snaps, closeStores, err := openStores(kind, filepath.Join(root, strconv.Itoa(i)))
		if err != nil {
			return nodes, nil, err
		}
		trans, err := raft.NewTCPTransport(a, nil, 8, 5*time.Second, io.Discard)
		if err != nil {
			return nodes, nil, err
		}
		conf := raft.DefaultConfig()
		conf.LocalID = raft.ServerID(strconv.Itoa(i))
		conf.LogOutput = io.Discard
		conf.HeartbeatTimeout, conf.ElectionTimeout, conf.LeaderLeaseTimeout = 500*time.Millisecond, 500*time.Millisecond, 250*time.Millisecond
		if err := raft.BootstrapCluster(conf, logs, stable, snaps, trans, cfg); err != nil {
			return nodes, nil, err
		}
		r, err := raft.NewRaft(conf, nopFSM{}, logs, stable, snaps, trans)
		if err != nil {
			return nodes, nil, err
		}
		nodes = append(nodes, &benchNode{raft: r, close: func() { r.Shutdown().Error(); trans.Close(); closeStores() }})
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, nd := range nodes {
			if nd.raft.State() == raft.Leader {
				return nodes, nd.raft, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nodes, nil, fmt.Errorf("no leader")
}

type result struct {
	perSec   float64
	p50, p99 time.Duration
}

func run(kind string, n, commands, size, clients int) (result, error) {
	root, err := os.MkdirTemp("", "raftbench-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(root)
	nodes, leader, err := startCluster(kind, root, n)
	defer func() {
		for _, nd := range nodes {
			nd.close()
		}
	}()
	if err != nil {
		return result{}, err
	}
	cmd := make([]byte, size)
	lat := make([]time.Duration, commands)
	var next int64 = -1
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1)
				if i >= int64(commands) {
					return
				}
				t := time.Now()
				if err := leader.Apply(cmd, 10*time.Second).Error(); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		return result{}, err
	}
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	return result{float64(commands) / elapsed.Seconds(), lat[len(lat)/2], lat[len(lat)*99/100]}, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "reopen" {
		reopenChild(os.Args[2:])
		return
	}
	stores := flag.String("stores", "seglog,boltdb", "stores to measure")
	sizes := flag.String("nodes", "1,3", "cluster sizes")
	commands := flag.Int("commands", 20000, "commands per run")
	size := flag.Int("size", 256, "command bytes")
	clients := flag.Int("clients", 64, "concurrent Apply callers")
	runs := flag.Int("runs", 3, "runs per store and size, or reopens per restart measurement (medians are reported)")
	restart := flag.String("restart", "", "instead: restart time and memory with these entry counts (e.g. 100000,1000000)")
	flag.Parse()
	status := 0
	if *restart != "" {
		for _, ns := range strings.Split(*restart, ",") {
			n, err := strconv.Atoi(ns)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bad --restart:", err)
				os.Exit(2)
			}
			for _, kind := range strings.Split(*stores, ",") {
				d, rss, err := runRestart(kind, n, *size, *runs)
				if err != nil {
					fmt.Printf("raftbench: restart store=%s entries=%d FAIL: %v\n", kind, n, err)
					status = 1
					continue
				}
				fmt.Printf("raftbench: restart store=%s entries=%d size=%d reopens=%d open+startup-reads=%v rss=%d KiB (medians)\n", kind, n, *size, *runs, d, rss)
			}
		}
		os.Exit(status)
	}
	for _, ns := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(ns)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad --nodes:", err)
			os.Exit(2)
		}
		for _, kind := range strings.Split(*stores, ",") {
			var rs []result
			for i := 0; i < *runs; i++ {
				r, err := run(kind, n, *commands, *size, *clients)
				if err != nil {
					fmt.Printf("raftbench: store=%s nodes=%d run=%d FAIL: %v\n", kind, n, i+1, err)
					status = 1
					continue
				}
				fmt.Printf("raftbench: store=%s nodes=%d run=%d applies/s=%.0f p50=%v p99=%v\n", kind, n, i+1, r.perSec, r.p50, r.p99)
				rs = append(rs, r)
			}
			if len(rs) == 0 {
				continue
			}
			// Each figure's own median: the run with the median throughput
			// need not have the median latencies.
			perSec := make([]float64, len(rs))
			p50 := make([]time.Duration, len(rs))
			p99 := make([]time.Duration, len(rs))
			for i, r := range rs {
				perSec[i], p50[i], p99[i] = r.perSec, r.p50, r.p99
			}
			sort.Float64s(perSec)
			sort.Slice(p50, func(a, b int) bool { return p50[a] < p50[b] })
			sort.Slice(p99, func(a, b int) bool { return p99[a] < p99[b] })
			m := len(rs) / 2
			fmt.Printf("raftbench: median store=%s nodes=%d size=%d clients=%d applies/s=%.0f p50=%v p99=%v\n",
				kind, n, *size, *clients, perSec[m], p50[m], p99[m])
		}
	}
	os.Exit(status)
}

// restart.go owns the restart measurement of issue 17, section 5: a store
// holding N entries is reopened in a fresh process, which does what
// raft.NewRaft reads at startup; its time and resident memory are
// reported, for N = 100,000 and 1,000,000 (flat is the goal).

package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/raft"
)

// populate stores n entries of size bytes in batches of 64, as a leader does.
func populate(kind, dir string, n, size int) error {
	logs, stable, _, closeStores, err := openStores(kind, dir)
	if err != nil {
		return err
	}
	defer closeStores()
	data := make([]byte, size)
	batch := make([]*raft.Log, 0, 64)
	for i := 1; i <= n; i++ {
		batch = append(batch, &raft.Log{Index: uint64(i), Term: 1, Data: data})
		if len(batch) == cap(batch) || i == n {
			if err := logs.StoreLogs(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return stable.SetUint64([]byte("CurrentTerm"), 1)
}

// reopenChild runs in the child: open, raft's startup reads, report.
func reopenChild(args []string) {
	fs := flag.NewFlagSet("reopen", flag.ExitOnError)
	kind := fs.String("store", "seglog", "")
	dir := fs.String("dir", "", "")
	fs.Parse(args)
	start := time.Now()
	logs, stable, snaps, closeStores, err := openStores(*kind, *dir)
	if err == nil {
		_, err = stable.GetUint64([]byte("CurrentTerm"))
	}
	var last uint64
	if err == nil {
		if _, err = logs.FirstIndex(); err == nil {
			last, err = logs.LastIndex()
		}
	}
	if err == nil {
		var l raft.Log
		err = logs.GetLog(last, &l)
	}
	if err == nil {
		_, err = snaps.List()
	}
	elapsed := time.Since(start)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Printf("%d %d %d\n", elapsed.Microseconds(), rssKiB(), last)
	closeStores()
}

func rssKiB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			v, _ := strconv.Atoi(strings.Fields(sc.Text())[1])
			return v
		}
	}
	return 0
}

func runRestart(kind string, n, size, reopens int) (time.Duration, int, error) {
	root, err := os.MkdirTemp("", "raftbench-restart-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(root)
	if err := populate(kind, root, n, size); err != nil {
		return 0, 0, err
	}
	// A node restarts long after its last write: the page cache is written
	// back. Without this, the reopen's first fsync waits behind the
	// writeback of everything populate wrote (10 times more at 1,000,000
	// entries than at 100,000).
	syscall.Sync()
	exe, err := os.Executable()
	if err != nil {
		return 0, 0, err
	}
	if reopens < 1 {
		reopens = 1
	}
	// Each reopen in a fresh process; the medians of time and memory.
	times := make([]time.Duration, 0, reopens)
	rsses := make([]int, 0, reopens)
	for i := 0; i < reopens; i++ {
		out, err := exec.Command(exe, "reopen", "--store", kind, "--dir", root).Output()
		if err != nil {
			return 0, 0, fmt.Errorf("reopen: %v: %s", err, out)
		}
		var us, rss int
		var last uint64
		if _, err := fmt.Sscan(string(out), &us, &rss, &last); err != nil || last != uint64(n) {
			return 0, 0, fmt.Errorf("reopen said %q", out)
		}
		times = append(times, time.Duration(us)*time.Microsecond)
		rsses = append(rsses, rss)
	}
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	sort.Ints(rsses)
	return times[len(times)/2], rsses[len(rsses)/2], nil
}

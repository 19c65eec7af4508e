// driver.go owns the cluster run: ports, data directories, the three node
// processes, the kill-and-restart schedule, and cleanup on every exit path.

package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

type driverConfig struct {
	store    string
	stable   string
	duration time.Duration
	workers  int
	seed     int64
	keep     bool
	killGap  time.Duration
	verbose  bool
}

// member is one node as the driver runs it.
type member struct {
	peer
	dir     string
	logPath string
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd exits
	starts  int
}

type cluster struct {
	cfg     driverConfig
	exe     string
	root    string
	peers   string
	members []*member
	stats   *runStats
}

func runDriver(args []string) int {
	fs := flag.NewFlagSet("raftcluster", flag.ContinueOnError)
	var cfg driverConfig
	fs.StringVar(&cfg.store, "store", "seglog", "seglog or boltdb")
	fs.StringVar(&cfg.stable, "stable", "", "diagnostic: the StableStore from this kind instead (seglog or boltdb)")
	fs.DurationVar(&cfg.duration, "duration", 60*time.Second, "how long to send commands and kill nodes")
	fs.IntVar(&cfg.workers, "workers", 4, "concurrent client workers")
	fs.Int64Var(&cfg.seed, "seed", 0, "random seed (0: from the clock)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the data directories")
	fs.DurationVar(&cfg.killGap, "kill-every", 1500*time.Millisecond, "mean time between kills")
	fs.BoolVar(&cfg.verbose, "v", false, "print each kill and restart")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.seed == 0 {
		cfg.seed = time.Now().UnixNano()
	}
	if _, ok := storeOpeners[cfg.store]; !ok {
		fmt.Printf("raftcluster: FAIL: unknown --store %q\n", cfg.store)
		return 2
	}
	c, err := newCluster(cfg)
	if err != nil {
		fmt.Printf("raftcluster: FAIL: setup: %v\n", err)
		return 1
	}
	// Every exit path kills the nodes and removes the directories.
	defer c.cleanup()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration+3*time.Minute)
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			fmt.Printf("raftcluster: %v: stopping\n", s)
			cancel()
		case <-ctx.Done():
		}
	}()
	fmt.Printf("raftcluster: store=%s stable=%s duration=%v seed=%d dir=%s\n", cfg.store, cfg.stable, cfg.duration, cfg.seed, c.root)
	if err := c.run(ctx); err != nil {
		fmt.Printf("raftcluster: FAIL: %v\n", err)
		c.dumpLogs()
		return 1
	}
	return 0
}

func freePorts(n int) ([]string, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []string
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
}

func newCluster(cfg driverConfig) (*cluster, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "raftcluster-")
	if err != nil {
		return nil, err
	}
	c := &cluster{cfg: cfg, exe: exe, root: root, stats: newRunStats()}
	ports, err := freePorts(6)
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	var specs []string
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("n%d", i+1)
		m := &member{peer: peer{id, ports[2*i], ports[2*i+1]}, dir: filepath.Join(root, id)}
		m.logPath = filepath.Join(root, id+".log")
		c.members = append(c.members, m)
		specs = append(specs, id+"="+m.raftAddr+"="+m.httpAddr)
	}
	c.peers = strings.Join(specs, ",")
	return c, nil
}

// start launches m's process from its directory.
func (c *cluster) start(m *member) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	logf, err := os.OpenFile(m.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	m.starts++
	fmt.Fprintf(logf, "---- start %d at %s\n", m.starts, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(c.exe, "node", "--id", m.id, "--dir", m.dir, "--peers", c.peers,
		"--store", c.cfg.store, "--stable", c.cfg.stable, "--lifetime", (c.cfg.duration + 4*time.Minute).String())
	cmd.Stdout, cmd.Stderr = logf, logf
	// The kernel kills a node whose driver dies, however it dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	m.cmd, m.done = cmd, done
	return nil
}

// kill SIGKILLs m and waits for it to be gone.
func (c *cluster) kill(m *member) {
	m.mu.Lock()
	cmd, done := m.cmd, m.done
	m.cmd = nil
	m.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

func (c *cluster) running(m *member) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return false
	}
	select {
	case <-m.done:
		return false
	default:
		return true
	}
}

func (c *cluster) cleanup() {
	for _, m := range c.members {
		c.kill(m)
	}
	if c.cfg.keep {
		fmt.Printf("raftcluster: kept %s\n", c.root)
		return
	}
	os.RemoveAll(c.root)
}

// dumpLogs prints the end of each node's log after a failure.
func (c *cluster) dumpLogs() {
	for _, m := range c.members {
		b, err := os.ReadFile(m.logPath)
		if err != nil {
			continue
		}
		s := string(b)
		if len(s) > 4000 {
			s = s[len(s)-4000:]
		}
		fmt.Printf("---- %s (last 4000 bytes of %s)\n%s\n", m.id, m.logPath, s)
	}
}

// run starts the nodes, runs the client and the killer for the duration,
// then settles the cluster and checks it.
func (c *cluster) run(ctx context.Context) error {
	for _, m := range c.members {
		if err := c.start(m); err != nil {
			return err
		}
	}
	if _, err := c.waitLeader(ctx, 30*time.Second); err != nil {
		return fmt.Errorf("no leader at start: %w", err)
	}
	runCtx, stop := context.WithTimeout(ctx, c.cfg.duration)
	defer stop()
	cl := newClient(c)
	var wg sync.WaitGroup
	for w := 0; w < c.cfg.workers; w++ {
		wg.Add(1)
		go func(w int) { defer wg.Done(); cl.worker(runCtx, w) }(w)
	}
	wg.Add(1)
	go func() { defer wg.Done(); c.poll(runCtx) }()
	killErr := c.killer(runCtx)
	wg.Wait()
	if ctx.Err() != nil {
		return fmt.Errorf("stopped: %v", ctx.Err())
	}
	if killErr != nil {
		return killErr
	}
	for _, m := range c.members {
		if !c.running(m) {
			if err := c.start(m); err != nil {
				return err
			}
		}
	}
	return c.check(ctx, cl)
}

// killer SIGKILLs a random node (the leader half the time) at random
// moments and restarts it after a short pause, one node down at a time.
func (c *cluster) killer(ctx context.Context) error {
	rng := rand.New(rand.NewSource(c.cfg.seed))
	for {
		wait := time.Duration(rng.Int63n(int64(2 * c.cfg.killGap)))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		victim := c.members[rng.Intn(len(c.members))]
		leader := false
		if rng.Intn(2) == 0 {
			if id, err := c.leaderID(); err == nil {
				for _, m := range c.members {
					if m.id == id {
						victim, leader = m, true
					}
				}
			}
		}
		// A node that exited on its own is a failure, not a kill.
		for _, m := range c.members {
			m.mu.Lock()
			cmd, done := m.cmd, m.done
			m.mu.Unlock()
			if cmd != nil {
				select {
				case <-done:
					return fmt.Errorf("node %s exited by itself (see its log)", m.id)
				default:
				}
			}
		}
		c.kill(victim)
		c.stats.kill(leader)
		if c.cfg.verbose {
			fmt.Printf("raftcluster: killed %s (leader=%v)\n", victim.id, leader)
		}
		pause := time.Duration(50+rng.Intn(700)) * time.Millisecond
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		if err := c.start(victim); err != nil {
			return err
		}
		c.stats.restart(victim.id)
		if c.cfg.verbose {
			fmt.Printf("raftcluster: restarted %s\n", victim.id)
		}
	}
}

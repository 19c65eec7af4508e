// stats.go owns what the driver observes during a run: kills, restarts,
// and each node incarnation's snapshots, compactions and restores.

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

type incarnation struct {
	id string
	n  int
}

type runStats struct {
	mu            sync.Mutex
	kills         int
	leaderKills   int
	restarts      int
	maxSnapshots  map[incarnation]int
	installs      map[incarnation]int // restores after start: snapshots installed from the leader
	startRestored map[incarnation]uint64
	maxFirstIndex uint64
}

func newRunStats() *runStats {
	return &runStats{maxSnapshots: map[incarnation]int{}, installs: map[incarnation]int{}, startRestored: map[incarnation]uint64{}}
}

func (s *runStats) kill(leader bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kills++
	if leader {
		s.leaderKills++
	}
}

func (s *runStats) restart(string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restarts++
}

func (s *runStats) observe(inc incarnation, st nodeState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.Snapshots > s.maxSnapshots[inc] {
		s.maxSnapshots[inc] = st.Snapshots
	}
	restoresAfterStart := st.Restores
	if st.StartRestored > 0 {
		s.startRestored[inc] = st.StartRestored
		restoresAfterStart--
	}
	if restoresAfterStart > s.installs[inc] {
		s.installs[inc] = restoresAfterStart
	}
	if st.FirstLogIndex > s.maxFirstIndex {
		s.maxFirstIndex = st.FirstLogIndex
	}
}

// totals: snapshots taken, snapshots installed, restarts restored from a
// snapshot, highest first log index seen.
func (s *runStats) totals() (snaps, installs, restored int, firstIndex uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.maxSnapshots {
		snaps += v
	}
	for _, v := range s.installs {
		installs += v
	}
	for inc := range s.startRestored {
		if inc.n > 1 {
			restored++
		}
	}
	return snaps, installs, restored, s.maxFirstIndex
}

// poll reads every running node's state a few times a second.
func (c *cluster) poll(ctx context.Context) {
	for ctx.Err() == nil {
		c.pollOnce(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *cluster) pollOnce(ctx context.Context) {
	for _, m := range c.members {
		m.mu.Lock()
		inc := incarnation{m.id, m.starts}
		m.mu.Unlock()
		var st nodeState
		if err := getJSON(ctx, m.httpAddr, "/state", &st); err == nil {
			c.stats.observe(inc, st)
		}
	}
}

// leaderID asks the nodes who leads; an answer only counts if a node says
// it is the leader itself.
func (c *cluster) leaderID() (string, error) {
	for _, m := range c.members {
		var st nodeState
		if err := getJSON(context.Background(), m.httpAddr, "/state", &st); err == nil && st.State == "Leader" {
			return m.id, nil
		}
	}
	return "", errors.New("no leader")
}

func (c *cluster) waitLeader(ctx context.Context, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if id, err := c.leaderID(); err == nil {
			return id, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("no leader within %v", limit)
}

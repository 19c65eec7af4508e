// check.go owns the end of a run: settle the cluster, then check every
// invariant of issue 17, section 4, and print the verdict line.

package main

import (
	"context"
	"fmt"
	"time"
)

// check waits for a leader, commits a final command, waits for every node
// to apply it, then checks: acknowledged commands applied exactly once on
// every node, no command applied twice anywhere, equal FSMs, agreeing logs
// over the committed range, and snapshots, compaction and restarts through
// snapshots having happened.
func (c *cluster) check(ctx context.Context, cl *client) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := c.waitLeader(ctx, 60*time.Second); err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	var final uint64
	for i := 0; final == 0; i++ {
		if ctx.Err() != nil {
			return fmt.Errorf("settle: the final command was never acknowledged")
		}
		if idx, ok := cl.apply(ctx, fmt.Sprintf("final-%d", i)); ok {
			final = idx
		}
	}
	states := make([]nodeState, len(c.members))
	for i, m := range c.members {
		for {
			if ctx.Err() != nil {
				return fmt.Errorf("settle: %s never applied index %d (at %d)", m.id, final, states[i].FSMIndex)
			}
			if err := getJSON(ctx, m.httpAddr, "/state", &states[i]); err == nil && states[i].FSMIndex >= final {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	c.pollOnce(ctx)

	acked, unsure := cl.snapshot()
	applied := make([]map[string]int, len(c.members))
	for i, m := range c.members {
		if err := getJSON(ctx, m.httpAddr, "/applied", &applied[i]); err != nil {
			return err
		}
	}
	for id := range acked {
		for i, m := range c.members {
			if n := applied[i][id]; n != 1 {
				return fmt.Errorf("acknowledged command %s applied %d times on %s", id, n, m.id)
			}
		}
	}
	for i, m := range c.members {
		for id, n := range applied[i] {
			if n != 1 {
				return fmt.Errorf("command %s applied %d times on %s", id, n, m.id)
			}
		}
		if len(applied[i]) != len(applied[0]) || states[i].Digest != states[0].Digest {
			return fmt.Errorf("FSMs differ: %s has %d commands (digest %.12s), %s has %d (digest %.12s)",
				c.members[0].id, len(applied[0]), states[0].Digest, m.id, len(applied[i]), states[i].Digest)
		}
	}

	// Every node's log agrees over the committed range (entries it still
	// holds: compaction removed the rest).
	type rec struct {
		node string
		r    logRecord
	}
	seen := map[uint64]rec{}
	compared := 0
	for i, m := range c.members {
		last := states[i].LastLogIndex
		if last > final {
			last = final
		}
		var recs []logRecord
		path := fmt.Sprintf("/log?from=%d&to=%d", states[i].FirstLogIndex, last)
		if err := getJSON(ctx, m.httpAddr, path, &recs); err != nil {
			return err
		}
		for _, r := range recs {
			if prev, ok := seen[r.Index]; ok {
				compared++
				if prev.r != r {
					return fmt.Errorf("logs differ at index %d: %s has %+v, %s has %+v", r.Index, prev.node, prev.r, m.id, r)
				}
			} else {
				seen[r.Index] = rec{m.id, r}
			}
		}
	}

	snaps, installs, restored, firstIndex := c.stats.totals()
	c.stats.mu.Lock()
	kills, leaderKills, restarts := c.stats.kills, c.stats.leaderKills, c.stats.restarts
	c.stats.mu.Unlock()
	summary := fmt.Sprintf("store=%s kills=%d (leader %d) restarts=%d acked=%d unsure=%d committed=%d "+
		"log-entries-compared=%d snapshots=%d installs=%d restarts-through-snapshot=%d max-first-index=%d settle=%v",
		c.cfg.store, kills, leaderKills, restarts, len(acked), unsure, final, compared, snaps, installs, restored,
		firstIndex, time.Since(start).Round(time.Millisecond))
	switch {
	case snaps == 0:
		return fmt.Errorf("no snapshot was taken: %s", summary)
	case firstIndex <= 1:
		return fmt.Errorf("no log was compacted: %s", summary)
	case kills > 0 && restored == 0:
		return fmt.Errorf("no restart recovered through a snapshot: %s", summary)
	case len(acked) == 0:
		return fmt.Errorf("no command was acknowledged: %s", summary)
	}
	fmt.Printf("raftcluster: PASS %s\n", summary)
	return nil
}

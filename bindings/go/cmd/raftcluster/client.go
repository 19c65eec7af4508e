// client.go owns the cluster test's client: workers sending unique
// commands through the leader, and the record of which were acknowledged.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

var httpClient = &http.Client{Timeout: 4 * time.Second}

// getJSON fetches a node's endpoint into v.
func getJSON(ctx context.Context, addr, path string, v interface{}) error {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s%s: %s: %s", addr, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

type client struct {
	c      *cluster
	mu     sync.Mutex
	leader string            // http address of the last known leader
	acked  map[string]uint64 // command id -> index the leader reported
	unsure int               // commands whose outcome is unknown (never resent)
}

func newClient(c *cluster) *client {
	return &client{c: c, leader: c.members[0].httpAddr, acked: map[string]uint64{}}
}

// outcome of one attempt.
type outcome int

const (
	applied   outcome = iota
	notLeader         // refused before anything was appended: resend
	notSent           // the connection was refused: resend
	unknown           // may or may not be applied: never resend
)

// send posts cmd to addr once.
func (cl *client) send(ctx context.Context, addr, cmd string) (outcome, applyReply) {
	var rep applyReply
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/apply", bytes.NewBufferString(cmd))
	if err != nil {
		return unknown, rep
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return notSent, rep
		}
		return unknown, rep
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return unknown, rep
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return applied, rep
	case http.StatusConflict:
		return notLeader, rep
	}
	return unknown, rep
}

// apply sends one command until it is applied or its outcome is unknown;
// it reports the index and whether it was acknowledged.
func (cl *client) apply(ctx context.Context, id string) (uint64, bool) {
	cmd := id + " " + strings.Repeat(".", 256-len(id)-1)
	for attempt := 0; ctx.Err() == nil; attempt++ {
		cl.mu.Lock()
		addr := cl.leader
		cl.mu.Unlock()
		out, rep := cl.send(ctx, addr, cmd)
		switch out {
		case applied:
			cl.mu.Lock()
			cl.acked[id] = rep.Index
			cl.mu.Unlock()
			return rep.Index, true
		case unknown:
			cl.mu.Lock()
			cl.unsure++
			cl.mu.Unlock()
			return 0, false
		}
		next := rep.LeaderHTTP
		if next == "" || next == addr {
			// No leader known: try the members in turn.
			next = cl.c.members[attempt%len(cl.c.members)].httpAddr
			time.Sleep(20 * time.Millisecond)
		}
		cl.mu.Lock()
		cl.leader = next
		cl.mu.Unlock()
	}
	return 0, false
}

func (cl *client) worker(ctx context.Context, w int) {
	for seq := 0; ctx.Err() == nil; seq++ {
		cl.apply(ctx, fmt.Sprintf("w%d-%d", w, seq))
	}
}

func (cl *client) snapshot() (map[string]uint64, int) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	out := make(map[string]uint64, len(cl.acked))
	for k, v := range cl.acked {
		out[k] = v
	}
	return out, cl.unsure
}

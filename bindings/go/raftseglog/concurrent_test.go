// concurrent_test.go: readers beside the writer, as raft runs them (its
// main loop stores while replication and snapshot goroutines read and
// compact). Run under -race.

package raftseglog

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/raft"
)

func TestStore_ReadersBesideTheWriterSeeWholeEntriesOrErrLogNotFound(t *testing.T) {
	s, _ := newStore(t)
	const total, batch = 3000, 10
	var stop atomic.Bool
	var reads, misses atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for !stop.Load() {
				first, _ := s.FirstIndex()
				last, _ := s.LastIndex()
				if last == 0 {
					continue
				}
				i := first + uint64(rng.Int63n(int64(last-first+1)))
				var l raft.Log
				switch err := s.GetLog(i, &l); {
				case err == raft.ErrLogNotFound:
					misses.Add(1) // compacted meanwhile
				case err != nil:
					errs <- err
					return
				case l.Index != i || string(l.Data) != fmt.Sprintf("entry-%d", i):
					errs <- fmt.Errorf("GetLog(%d) = %+v", i, l)
					return
				default:
					reads.Add(1)
				}
			}
		}(int64(r))
	}
	for i := uint64(1); i <= total; i += batch {
		if err := s.StoreLogs(logs(i, i+batch-1, 1)); err != nil {
			t.Fatal(err)
		}
		if i%500 == 1 && i > 500 {
			if err := s.DeleteRange(1, i-200); err != nil {
				t.Fatal(err)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d reads, %d compacted meanwhile", reads.Load(), misses.Load())
}

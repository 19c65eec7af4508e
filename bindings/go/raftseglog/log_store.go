// log_store.go owns raft.LogStore on seglog's log (package doc: the mapping).

package raftseglog

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
	"seglog/seglog"
)

// extensionsFlag marks a seglog type whose payload carries Extensions.
const extensionsFlag = 0x80

var _ raft.LogStore = (*Store)(nil)

// bounds are raft's first and last index: 0, 0 while the log is empty.
func (s *Store) bounds() (uint64, uint64) {
	first, last := s.log.FirstIndex(), s.log.LastIndex()
	if last == 0 || last < first {
		return 0, 0
	}
	return first, last
}

// FirstIndex is the first index held, 0 when none.
func (s *Store) FirstIndex() (uint64, error) {
	first, _ := s.bounds()
	return first, nil
}

// LastIndex is the last index held, 0 when none.
func (s *Store) LastIndex() (uint64, error) {
	_, last := s.bounds()
	return last, nil
}

// GetLog reads the entry at index into out; raft.ErrLogNotFound when the
// log does not hold it.
func (s *Store) GetLog(index uint64, out *raft.Log) error {
	if index == 0 {
		return raft.ErrLogNotFound
	}
	e, err := s.log.Entry(index)
	if err != nil {
		if errors.Is(err, seglog.ErrCompacted) || errors.Is(err, seglog.ErrOutOfRange) {
			return raft.ErrLogNotFound
		}
		return err
	}
	return decodeLog(e, out)
}

func encodeLog(l *raft.Log) (seglog.Entry, error) {
	if l.Index == 0 {
		return seglog.Entry{}, fmt.Errorf("raftseglog: index 0 cannot be stored (raft's first index is 1): %w", seglog.ErrInvalidArgument)
	}
	if l.Type >= extensionsFlag {
		return seglog.Entry{}, fmt.Errorf("raftseglog: log type %d not supported: %w", l.Type, seglog.ErrInvalidArgument)
	}
	e := seglog.Entry{Index: l.Index, Term: l.Term, Type: uint8(l.Type), Data: l.Data}
	if len(l.Extensions) > 0 {
		buf := make([]byte, binary.MaxVarintLen64, binary.MaxVarintLen64+len(l.Data)+len(l.Extensions))
		buf = buf[:binary.PutUvarint(buf, uint64(len(l.Data)))]
		buf = append(append(buf, l.Data...), l.Extensions...)
		e.Type |= extensionsFlag
		e.Data = buf
	}
	return e, nil
}

func decodeLog(e seglog.Entry, out *raft.Log) error {
	*out = raft.Log{Index: e.Index, Term: e.Term, Type: raft.LogType(e.Type &^ extensionsFlag), Data: e.Data}
	if e.Type&extensionsFlag != 0 {
		n, k := binary.Uvarint(e.Data)
		if k <= 0 || uint64(len(e.Data)-k) < n {
			return fmt.Errorf("raftseglog: entry %d: bad extensions framing: %w", e.Index, seglog.ErrCorrupted)
		}
		out.Data = e.Data[k : k+int(n)]
		out.Extensions = e.Data[k+int(n):]
	}
	return nil
}

// StoreLog stores one entry, durably.
func (s *Store) StoreLog(l *raft.Log) error { return s.StoreLogs([]*raft.Log{l}) }

// StoreLogs stores entries, durably on return. Runs of consecutive indices
// are appended in one call each.
func (s *Store) StoreLogs(logs []*raft.Log) error {
	entries := make([]seglog.Entry, 0, len(logs))
	for _, l := range logs {
		e, err := encodeLog(l)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	for start := 0; start < len(entries); {
		end := start + 1
		for end < len(entries) && entries[end].Index == entries[end-1].Index+1 {
			end++
		}
		if err := s.appendRun(entries[start:end]); err != nil {
			return err
		}
		start = end
	}
	if len(entries) == 0 {
		return nil
	}
	return s.log.Sync()
}

// appendRun appends consecutive entries, restarting the log past a gap
// and cutting a conflicting suffix (package doc).
func (s *Store) appendRun(run []seglog.Entry) error {
	first := run[0].Index
	next := s.log.LastIndex() + 1
	empty := next == s.log.FirstIndex()
	// Raft leaves a gap only past an installed snapshot: the log goes on
	// from there, with the snapshot's term before it when it is at first-1.
	// An empty log takes any start, as raft's other stores do (seglog would
	// skip entries below its first index as compacted).
	if first > next || (empty && first != next) {
		if err := s.log.RestartLog(first, s.termBefore(first)); err != nil {
			return err
		}
	}
	err := s.log.Append(run)
	if errors.Is(err, seglog.ErrConflict) {
		if err := s.log.TruncateAfter(first - 1); err != nil {
			return err
		}
		err = s.log.Append(run)
	}
	return err
}

// termBefore is the term of index-1 when the log or the snapshot knows it
// (seglog's term() answers the snapshot's index only next to the log), 0
// otherwise.
func (s *Store) termBefore(index uint64) uint64 {
	if index <= 1 {
		return 0
	}
	if t, err := s.log.Term(index - 1); err == nil {
		return t
	}
	if r, err := s.log.OpenSnapshot(); err == nil {
		defer r.Close()
		if m := r.Meta(); m.LastIndex == index-1 {
			return m.LastTerm
		}
	}
	return 0
}

// DeleteRange removes [min, max], a prefix or a suffix of the log.
func (s *Store) DeleteRange(min, max uint64) error {
	return s.log.DeleteRange(min, max)
}

// meta.go owns what seglog keeps beside the log: the hard state, the
// cluster configuration and the key-value store.

package seglog

// #include <stdlib.h>
// #include <seglog/seglog.h>
import "C"

import (
	"runtime"
	"unsafe"
)

// State is Raft's hard state.
type State struct {
	CurrentTerm uint64
	VotedFor    string
	CommitIndex uint64
}

// State returns the saved hard state (zeroes if none was saved).
func (l *Log) State() (State, error) {
	var st State
	err := l.read(func(h *C.seglog_storage) error {
		var s C.seglog_state
		var cerr C.seglog_error
		if rc := C.seglog_get_state(h, &s, &cerr); rc != C.SEGLOG_OK {
			return newError(rc, &cerr)
		}
		st = State{CurrentTerm: uint64(s.current_term), CommitIndex: uint64(s.commit_index)}
		if s.voted_for != nil {
			st.VotedFor = C.GoStringN(s.voted_for, C.int(s.voted_for_len))
		}
		C.seglog_state_clear(&s)
		return nil
	})
	return st, err
}

// SaveState replaces the hard state durably.
// Errors: ErrInvalidArgument (VotedFor not UTF-8), ErrNoSpace, ErrIO,
// ErrReadOnly, ErrClosed.
func (l *Log) SaveState(st State) error {
	return l.write(func(h *C.seglog_storage) error {
		vote := C.CString(st.VotedFor)
		defer C.free(unsafe.Pointer(vote))
		s := C.seglog_state{current_term: C.uint64_t(st.CurrentTerm), voted_for: vote,
			voted_for_len: C.size_t(len(st.VotedFor)), commit_index: C.uint64_t(st.CommitIndex)}
		var cerr C.seglog_error
		return newError(C.seglog_save_state(h, &s, &cerr), &cerr)
	})
}

// Member is one server of a cluster configuration.
type Member struct {
	ID, Address string
	Voter       bool
}

// ClusterConfig is a cluster configuration and the log position it came from.
type ClusterConfig struct {
	Index, Term uint64
	Members     []Member
}

// ClusterConfig returns the saved configuration; found is false when none
// was saved.
func (l *Log) ClusterConfig() (cfg ClusterConfig, found bool, err error) {
	err = l.read(func(h *C.seglog_storage) error {
		var c C.seglog_cluster_config
		var f C.bool
		var cerr C.seglog_error
		if rc := C.seglog_get_cluster_config(h, &c, &f, &cerr); rc != C.SEGLOG_OK {
			return newError(rc, &cerr)
		}
		found = bool(f)
		if found {
			cfg.Index, cfg.Term = uint64(c.index), uint64(c.term)
			ms := unsafe.Slice(c.members, int(c.member_count))
			for _, m := range ms {
				cfg.Members = append(cfg.Members, Member{ID: C.GoStringN(m.id, C.int(m.id_len)),
					Address: C.GoStringN(m.address, C.int(m.address_len)), Voter: bool(m.voter)})
			}
		}
		C.seglog_cluster_config_clear(&c)
		return nil
	})
	return cfg, found, err
}

// SaveClusterConfig replaces the configuration durably.
func (l *Log) SaveClusterConfig(cfg ClusterConfig) error {
	return l.write(func(h *C.seglog_storage) error {
		// The member array and its strings live in C memory for the call.
		n := len(cfg.Members)
		var members *C.seglog_member
		var strs []*C.char
		defer func() {
			for _, s := range strs {
				C.free(unsafe.Pointer(s))
			}
			if members != nil {
				C.free(unsafe.Pointer(members))
			}
		}()
		if n > 0 {
			members = (*C.seglog_member)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.seglog_member{}))))
			if members == nil {
				return errorf(ErrOutOfMemory, "SaveClusterConfig: no memory")
			}
			ms := unsafe.Slice(members, n)
			for i, m := range cfg.Members {
				id, addr := C.CString(m.ID), C.CString(m.Address)
				strs = append(strs, id, addr)
				ms[i] = C.seglog_member{id: id, id_len: C.size_t(len(m.ID)), address: addr,
					address_len: C.size_t(len(m.Address)), voter: C.bool(m.Voter)}
			}
		}
		c := C.seglog_cluster_config{index: C.uint64_t(cfg.Index), term: C.uint64_t(cfg.Term),
			members: members, member_count: C.size_t(n)}
		var cerr C.seglog_error
		return newError(C.seglog_save_cluster_config(h, &c, &cerr), &cerr)
	})
}

// Value returns the value stored under key; found is false when the key
// is absent.
// Errors: ErrCorrupted, ErrIO, ErrClosed.
func (l *Log) Value(key []byte) (value []byte, found bool, err error) {
	err = l.read(func(h *C.seglog_storage) error {
		var v unsafe.Pointer
		var n C.size_t
		var f C.bool
		var cerr C.seglog_error
		rc := C.seglog_get_value(h, bytesPtr(key), C.size_t(len(key)), &v, &n, &f, &cerr)
		runtime.KeepAlive(key)
		if rc != C.SEGLOG_OK {
			return newError(rc, &cerr)
		}
		found = bool(f)
		if found {
			value = []byte{}
			if n > 0 {
				value = C.GoBytes(v, C.int(n))
			}
		}
		C.seglog_free_bytes(v)
		return nil
	})
	return value, found, err
}

// SetValue sets key to value, atomically and durably on return.
// Errors: ErrInvalidArgument, ErrNoSpace, ErrIO, ErrReadOnly, ErrClosed.
func (l *Log) SetValue(key, value []byte) error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		rc := C.seglog_set_value(h, bytesPtr(key), C.size_t(len(key)), bytesPtr(value), C.size_t(len(value)), &cerr)
		runtime.KeepAlive(key)
		runtime.KeepAlive(value)
		return newError(rc, &cerr)
	})
}

// bytesPtr is b's first byte for a call (NULL for an empty slice).
func bytesPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

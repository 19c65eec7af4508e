// log.go owns the Log handle: opening, closing, the locks that make it
// safe for goroutines, and the calls on the log's bounds.

package seglog

// #include <stdlib.h>
// #include <seglog/seglog.h>
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Options are seglog's options (README, "Options"); the zero value takes
// every default.
type Options struct {
	SegmentSize        uint64 // default 64 MiB; 64 KiB to 4 GiB
	IndexIntervalBytes uint32 // default 4096
	MaxMappedSegments  uint32 // default 0: automatic
	MaxMappedBytes     uint64 // default 0: automatic
	MaxEntrySize       uint64 // default 64 MiB
	ReadOnly           bool
	NoVerifyChecksums  bool // skip checksum checks on reads (default: verify)
}

// Log is an open seglog storage (a directory, or memory). See the package
// documentation for what may run concurrently.
type Log struct {
	life sync.RWMutex // held shared by every call, exclusively by Close
	wmu  sync.Mutex   // serialises writer calls (seglog.h: they must not overlap)
	h    *C.seglog_storage

	// Used under wmu by Append.
	pack  []byte
	descs []appendDesc
}

// Open opens (or creates) the log in dir.
// Errors: ErrInvalidArgument, ErrLocked, ErrCorrupted, ErrNotFound (read
// only, no directory), ErrNoSpace, ErrIO, ErrStale.
func Open(dir string, opts *Options) (*Log, error) {
	var o C.seglog_options
	C.seglog_options_init(&o)
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	o.dir = cdir
	if opts != nil {
		if opts.SegmentSize != 0 {
			o.segment_size = C.uint64_t(opts.SegmentSize)
		}
		if opts.IndexIntervalBytes != 0 {
			o.index_interval_bytes = C.uint32_t(opts.IndexIntervalBytes)
		}
		o.max_mapped_segments = C.uint32_t(opts.MaxMappedSegments)
		o.max_mapped_bytes = C.uint64_t(opts.MaxMappedBytes)
		if opts.MaxEntrySize != 0 {
			o.max_entry_size = C.uint64_t(opts.MaxEntrySize)
		}
		o.read_only = C.bool(opts.ReadOnly)
		o.verify_checksums = C.bool(!opts.NoVerifyChecksums)
	}
	var h *C.seglog_storage
	var cerr C.seglog_error
	if rc := C.seglog_open(&o, &h, &cerr); rc != C.SEGLOG_OK {
		return nil, newError(rc, &cerr)
	}
	return newLog(h), nil
}

// OpenMemory returns a log in memory (seglog's MemoryStorage): the same
// contract, no disk. maxEntrySize 0 is the default.
func OpenMemory(maxEntrySize uint64) (*Log, error) {
	var h *C.seglog_storage
	var cerr C.seglog_error
	if rc := C.seglog_open_memory(C.uint64_t(maxEntrySize), &h, &cerr); rc != C.SEGLOG_OK {
		return nil, newError(rc, &cerr)
	}
	return newLog(h), nil
}

func newLog(h *C.seglog_storage) *Log {
	l := &Log{h: h}
	// A Log dropped without Close still releases its directory, late.
	runtime.SetFinalizer(l, func(l *Log) { l.free() })
	return l
}

// read runs a reader call with the handle, or returns ErrClosed.
func (l *Log) read(call func(h *C.seglog_storage) error) error {
	l.life.RLock()
	defer l.life.RUnlock()
	if l.h == nil {
		return errorf(ErrClosed, "the log is closed")
	}
	return call(l.h)
}

// write runs a writer call: shared with readers, exclusive among writers.
func (l *Log) write(call func(h *C.seglog_storage) error) error {
	l.life.RLock()
	defer l.life.RUnlock()
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.h == nil {
		return errorf(ErrClosed, "the log is closed")
	}
	return call(l.h)
}

// Close syncs, marks a clean shutdown and releases the directory, after
// the calls in flight. Views and snapshot readers stay valid. A second
// Close returns ErrClosed.
func (l *Log) Close() error {
	l.life.Lock()
	defer l.life.Unlock()
	if l.h == nil {
		return errorf(ErrClosed, "the log is closed")
	}
	var cerr C.seglog_error
	rc := C.seglog_close(l.h, &cerr)
	C.seglog_storage_free(l.h)
	l.h = nil
	runtime.SetFinalizer(l, nil)
	return newError(rc, &cerr)
}

func (l *Log) free() {
	l.life.Lock()
	defer l.life.Unlock()
	if l.h != nil {
		C.seglog_storage_free(l.h)
		l.h = nil
	}
}

// Sync makes every appended entry durable.
// Errors: ErrIO (sticky), ErrReadOnly, ErrClosed.
func (l *Log) Sync() error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_sync(h, &cerr), &cerr)
	})
}

// Flush waits for the log's background work (seals, compaction).
func (l *Log) Flush() error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_flush(h, &cerr), &cerr)
	})
}

// FirstIndex is the first index held (LastIndex+1 when the log is empty);
// 0 after Close.
func (l *Log) FirstIndex() uint64 {
	var v uint64
	l.read(func(h *C.seglog_storage) error { v = uint64(C.seglog_first_index(h)); return nil })
	return v
}

// LastIndex is the last index held (FirstIndex-1 when the log is empty);
// 0 after Close.
func (l *Log) LastIndex() uint64 {
	var v uint64
	l.read(func(h *C.seglog_storage) error { v = uint64(C.seglog_last_index(h)); return nil })
	return v
}

// Term is the term of the entry at index (also of the snapshot's last
// index; 0 for index 0).
// Errors: ErrCompacted, ErrOutOfRange, ErrCorrupted, ErrIO, ErrClosed.
func (l *Log) Term(index uint64) (uint64, error) {
	var t C.uint64_t
	err := l.read(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_term(h, C.uint64_t(index), &t, &cerr), &cerr)
	})
	return uint64(t), err
}

// Stats are seglog's counters (stats.hpp).
type Stats struct {
	FirstIndex, LastIndex                 uint64
	EntriesAppended, BytesAppended        uint64
	Segments, SealedSegments              uint64
	MappedSegments, MappedBytes           uint64
	LogBytes, Syncs, SlowSyncs, MaxSyncNs uint64
	TornTailsCut, LeftoversRemoved        uint64
	SyncFailed, CleanOpen                 bool
}

// Stats reads the log's counters (a memory log fills the indices only).
func (l *Log) Stats() (Stats, error) {
	var s C.seglog_stats
	s.struct_size = C.size_t(unsafe.Sizeof(s))
	err := l.read(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_get_stats(h, &s, &cerr), &cerr)
	})
	return Stats{
		FirstIndex: uint64(s.first_index), LastIndex: uint64(s.last_index),
		EntriesAppended: uint64(s.entries_appended), BytesAppended: uint64(s.bytes_appended),
		Segments: uint64(s.segments), SealedSegments: uint64(s.sealed_segments),
		MappedSegments: uint64(s.mapped_segments), MappedBytes: uint64(s.mapped_bytes),
		LogBytes: uint64(s.log_bytes), Syncs: uint64(s.syncs), SlowSyncs: uint64(s.slow_syncs),
		MaxSyncNs: uint64(s.max_sync_ns), TornTailsCut: uint64(s.torn_tails_cut),
		LeftoversRemoved: uint64(s.leftovers_removed), SyncFailed: bool(s.sync_failed),
		CleanOpen: bool(s.clean_open),
	}, err
}

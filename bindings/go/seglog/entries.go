// entries.go owns the log's entries: appends, reads (copies and zero-copy
// views) and the calls that remove entries.

package seglog

/*
#include <stdlib.h>
#include <string.h>
#include <seglog/seglog.h>

// One entry of an append, its payload at base + off (appendDesc in Go).
typedef struct {
  uint64_t index;
  uint64_t term;
  uint64_t off;
  uint64_t len;
  uint8_t type;
} seglog_go_desc;

// Builds the seglog_entry array in C memory, so Go hands C only pointer-free
// memory: the descriptors and one payload buffer.
static seglog_errc seglog_go_append(seglog_storage* s, const seglog_go_desc* d, size_t n,
                                    const char* base, seglog_error* err) {
  seglog_entry stack[32];
  seglog_entry* e = n <= 32 ? stack : (seglog_entry*)malloc(n * sizeof(seglog_entry));
  if (e == NULL) return SEGLOG_OUT_OF_MEMORY;
  for (size_t i = 0; i < n; i++) {
    e[i].index = d[i].index;
    e[i].term = d[i].term;
    e[i].type = d[i].type;
    e[i].data = d[i].len ? base + d[i].off : NULL;
    e[i].len = d[i].len;
  }
  seglog_errc rc = seglog_append(s, e, n, err);
  if (e != stack) free(e);
  return rc;
}

// One entry read, copied into buf when it fits (len <= cap), in one cgo
// call: a view read, a copy and the release. message (malloc'ed) is set on
// failure.
typedef struct {
  seglog_errc rc;
  uint64_t index;
  uint64_t term;
  uint64_t len;
  uint8_t type;
  char* message;
} seglog_go_read_result;

static seglog_go_read_result seglog_go_read(const seglog_storage* s, uint64_t index, void* buf,
                                            size_t cap) {
  seglog_go_read_result r = {SEGLOG_OK, 0, 0, 0, 0, NULL};
  seglog_error err = SEGLOG_ERROR_INIT;
  seglog_view v;
  r.rc = seglog_read_entry(s, index, &v, &err);
  if (r.rc != SEGLOG_OK) {
    r.message = err.message;
    return r;
  }
  r.index = v.index;
  r.term = v.term;
  r.type = v.type;
  r.len = v.len;
  if (v.len > 0 && v.len <= cap) memcpy(buf, v.data, v.len);
  seglog_view_release(&v);
  return r;
}
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// appendDesc mirrors seglog_go_desc.
type appendDesc struct {
	index, term, off, len uint64
	typ                   uint8
}

// Entry is one log entry, its Data owned by Go.
type Entry struct {
	Index uint64
	Term  uint64
	Type  uint8
	Data  []byte
}

// Append appends a batch of consecutive entries: entries already stored
// with the same term are skipped, the first new one must be LastIndex()+1,
// nothing of a refused batch is written. Not durable until Sync.
// Errors: ErrInvalidArgument (not consecutive, index 0), ErrConflict,
// ErrGap, ErrEntryTooLarge, ErrNoSpace, ErrIO, ErrReadOnly, ErrClosed.
func (l *Log) Append(entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return l.write(func(h *C.seglog_storage) error {
		l.descs = l.descs[:0]
		var base []byte
		if len(entries) == 1 {
			// One payload: handed to C as it is, no copy.
			base = entries[0].Data
			e := entries[0]
			l.descs = append(l.descs, appendDesc{e.Index, e.Term, 0, uint64(len(e.Data)), e.Type})
		} else {
			l.pack = l.pack[:0]
			for _, e := range entries {
				l.descs = append(l.descs, appendDesc{e.Index, e.Term, uint64(len(l.pack)), uint64(len(e.Data)), e.Type})
				l.pack = append(l.pack, e.Data...)
			}
			base = l.pack
		}
		var p *C.char
		if len(base) > 0 {
			p = (*C.char)(unsafe.Pointer(&base[0]))
		}
		var cerr C.seglog_error
		rc := C.seglog_go_append(h, (*C.seglog_go_desc)(unsafe.Pointer(&l.descs[0])), C.size_t(len(l.descs)), p, &cerr)
		runtime.KeepAlive(base)
		return newError(rc, &cerr)
	})
}

// Entry returns a copy of the entry at index.
// Errors: ErrCompacted, ErrOutOfRange, ErrCorrupted, ErrIO, ErrClosed.
func (l *Log) Entry(index uint64) (Entry, error) {
	scratch := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(scratch)
	buf := *scratch
	for {
		var r C.seglog_go_read_result
		err := l.read(func(h *C.seglog_storage) error {
			r = C.seglog_go_read(h, C.uint64_t(index), unsafe.Pointer(&buf[0]), C.size_t(len(buf)))
			return nil
		})
		if err != nil {
			return Entry{}, err
		}
		if r.rc != C.SEGLOG_OK {
			e := &Error{Code: Code(r.rc)}
			if r.message != nil {
				e.Message = C.GoString(r.message)
				C.free(unsafe.Pointer(r.message))
			}
			return Entry{}, e
		}
		n := int(r.len)
		if n > len(buf) {
			// Larger than the scratch buffer: read again into one that fits
			// (the entry may have been replaced meanwhile; the loop rechecks).
			buf = make([]byte, n)
			continue
		}
		data := make([]byte, n)
		copy(data, buf[:n])
		return Entry{Index: uint64(r.index), Term: uint64(r.term), Type: uint8(r._type), Data: data}, nil
	}
}

// scratchPool holds the buffers Entry reads into.
var scratchPool = sync.Pool{New: func() interface{} { b := make([]byte, 4096); return &b }}

func entryFromView(v *C.seglog_view) Entry {
	e := Entry{Index: uint64(v.index), Term: uint64(v.term), Type: uint8(v._type)}
	if v.len > 0 {
		e.Data = C.GoBytes(v.data, C.int(v.len))
	} else {
		e.Data = []byte{}
	}
	return e
}

// entriesChunk is how many views one read_entries call fills.
const entriesChunk = 256

// Entries returns copies of the entries [begin, end) (end clamped to
// LastIndex()+1), stopping once maxBytes of payload are returned (always at
// least one entry when begin < end; 0 means no limit).
// Errors: ErrCompacted (begin < FirstIndex), ErrOutOfRange (begin >
// LastIndex+1), ErrInvalidArgument (begin > end), ErrCorrupted, ErrIO,
// ErrClosed.
func (l *Log) Entries(begin, end, maxBytes uint64) ([]Entry, error) {
	if maxBytes == 0 {
		maxBytes = ^uint64(0)
	}
	var out []Entry
	err := l.read(func(h *C.seglog_storage) error {
		views := (*[entriesChunk]C.seglog_view)(C.calloc(entriesChunk, C.size_t(unsafe.Sizeof(C.seglog_view{}))))
		if views == nil {
			return errorf(ErrOutOfMemory, "Entries: no memory for views")
		}
		defer C.free(unsafe.Pointer(views))
		budget, next := maxBytes, begin
		for first := true; ; first = false {
			var count C.size_t
			var cerr C.seglog_error
			rc := C.seglog_read_entries(h, C.uint64_t(next), C.uint64_t(end), C.uint64_t(budget), &views[0], entriesChunk, &count, &cerr)
			if rc != C.SEGLOG_OK {
				if !first && (rc == C.SEGLOG_OUT_OF_RANGE || rc == C.SEGLOG_COMPACTED) {
					return nil // a truncation ran between chunks: stop at what was read
				}
				return newError(rc, &cerr)
			}
			n := int(count)
			for i := 0; i < n; i++ {
				v := &views[i]
				// Past the first chunk the "at least one" rule must not exceed the budget.
				if !first && uint64(v.len) > budget {
					C.seglog_views_release(&views[0], count)
					return nil
				}
				out = append(out, entryFromView(v))
				budget -= uint64(v.len)
				next = uint64(v.index) + 1
				first = false
			}
			C.seglog_views_release(&views[0], count)
			if n < entriesChunk || budget == 0 || next >= end {
				return nil
			}
		}
	})
	return out, err
}

// View is a zero-copy view of a stored entry: Data points into the mapped
// log and stays valid and unchanged until Release, whatever the writer does
// meanwhile (and after Close). Release exactly once; do not use Data after.
type View struct {
	v C.seglog_view
}

// ReadEntry returns a zero-copy view of the entry at index.
// Errors: as Entry.
func (l *Log) ReadEntry(index uint64) (*View, error) {
	v := new(View)
	err := l.read(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_read_entry(h, C.uint64_t(index), &v.v, &cerr), &cerr)
	})
	if err != nil {
		return nil, err
	}
	runtime.SetFinalizer(v, (*View).Release)
	return v, nil
}

func (v *View) Index() uint64 { return uint64(v.v.index) }
func (v *View) Term() uint64  { return uint64(v.v.term) }
func (v *View) Type() uint8   { return uint8(v.v._type) }

// Data is the payload in the mapping, valid until Release. Do not write to it.
func (v *View) Data() []byte {
	if v.v.len == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(v.v.data), int(v.v.len))
}

// Release lets go of the view's bytes.
func (v *View) Release() {
	runtime.SetFinalizer(v, nil)
	C.seglog_view_release(&v.v)
}

// TruncateAfter removes the entries after index (keeps ..index), durably.
// Errors: ErrCompacted (index < FirstIndex-1), ErrCorrupted, ErrIO,
// ErrReadOnly, ErrClosed.
func (l *Log) TruncateAfter(index uint64) error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_truncate_after(h, C.uint64_t(index), &cerr), &cerr)
	})
}

// TruncateBefore removes the entries before index (keeps index..); the new
// first index is durable on return.
// Errors: ErrOutOfRange, ErrNoSpace, ErrIO, ErrReadOnly, ErrClosed.
func (l *Log) TruncateBefore(index uint64) error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_truncate_before(h, C.uint64_t(index), &cerr), &cerr)
	})
}

// DeleteRange removes [first, last] (inclusive): a prefix or a suffix of
// the log (or all of it); a range strictly inside is refused.
// Errors: ErrInvalidArgument (a range in the middle), and the truncation's.
func (l *Log) DeleteRange(first, last uint64) error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_delete_range(h, C.uint64_t(first), C.uint64_t(last), &cerr), &cerr)
	})
}

// RestartLog empties the log durably and makes it continue at nextIndex,
// prevTerm being the term of nextIndex-1 (a follower that installed a
// snapshot kept elsewhere).
// Errors: ErrInvalidArgument (nextIndex 0), ErrNoSpace, ErrIO, ErrReadOnly,
// ErrClosed.
func (l *Log) RestartLog(nextIndex, prevTerm uint64) error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_restart_log(h, C.uint64_t(nextIndex), C.uint64_t(prevTerm), &cerr), &cerr)
	})
}

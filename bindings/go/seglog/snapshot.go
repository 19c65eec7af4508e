// snapshot.go owns snapshots: whole ones, and streams (an io.Writer that
// commits, an io.Reader over the mapped snapshot).

package seglog

// #include <stdlib.h>
// #include <seglog/seglog.h>
import "C"

import (
	"io"
	"runtime"
	"sync"
	"unsafe"
)

// SnapshotMeta describes a snapshot: its position, its size, and the
// engine's opaque metadata saved with it.
type SnapshotMeta struct {
	LastIndex, LastTerm uint64
	Size                uint64
	Metadata            []byte
}

func metaFromC(m *C.seglog_snapshot_meta) SnapshotMeta {
	out := SnapshotMeta{LastIndex: uint64(m.last_index), LastTerm: uint64(m.last_term), Size: uint64(m.size), Metadata: []byte{}}
	if m.metadata_len > 0 {
		out.Metadata = C.GoBytes(m.metadata, C.int(m.metadata_len))
	}
	return out
}

// Snapshot returns a copy of the saved snapshot; found is false when none.
func (l *Log) Snapshot() (meta SnapshotMeta, data []byte, found bool, err error) {
	err = l.read(func(h *C.seglog_storage) error {
		var s C.seglog_snapshot
		var f C.bool
		var cerr C.seglog_error
		if rc := C.seglog_get_snapshot(h, &s, &f, &cerr); rc != C.SEGLOG_OK {
			return newError(rc, &cerr)
		}
		found = bool(f)
		if found {
			meta = metaFromC(&s.meta)
			data = []byte{}
			if s.len > 0 {
				data = C.GoBytes(s.data, C.int(s.len))
			}
		}
		C.seglog_snapshot_clear(&s)
		return nil
	})
	return meta, data, found, err
}

// SaveSnapshot replaces the snapshot durably, with metadata. The log is
// left as it is.
func (l *Log) SaveSnapshot(data []byte, lastIndex, lastTerm uint64, metadata []byte) error {
	return l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		rc := C.seglog_save_snapshot(h, bytesPtr(data), C.size_t(len(data)), C.uint64_t(lastIndex),
			C.uint64_t(lastTerm), bytesPtr(metadata), C.size_t(len(metadata)), &cerr)
		runtime.KeepAlive(data)
		runtime.KeepAlive(metadata)
		return newError(rc, &cerr)
	})
}

// SnapshotWriter streams a snapshot: Write chunks, then Commit (or Abandon).
// One goroutine at a time. Close abandons an uncommitted writer.
type SnapshotWriter struct {
	mu sync.Mutex
	l  *Log
	w  *C.seglog_snapshot_writer
}

// BeginSnapshot starts a streaming snapshot of the state up to lastIndex.
func (l *Log) BeginSnapshot(lastIndex, lastTerm uint64, metadata []byte) (*SnapshotWriter, error) {
	sw := &SnapshotWriter{l: l}
	err := l.write(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		rc := C.seglog_begin_snapshot(h, C.uint64_t(lastIndex), C.uint64_t(lastTerm), bytesPtr(metadata),
			C.size_t(len(metadata)), &sw.w, &cerr)
		runtime.KeepAlive(metadata)
		return newError(rc, &cerr)
	})
	if err != nil {
		return nil, err
	}
	runtime.SetFinalizer(sw, (*SnapshotWriter).Close)
	return sw, nil
}

// Write appends p to the snapshot data (io.Writer).
func (sw *SnapshotWriter) Write(p []byte) (int, error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.w == nil {
		return 0, errorf(ErrInvalidArgument, "snapshot writer already closed")
	}
	var cerr C.seglog_error
	rc := C.seglog_snapshot_writer_write(sw.w, bytesPtr(p), C.size_t(len(p)), &cerr)
	runtime.KeepAlive(p)
	if err := newError(rc, &cerr); err != nil {
		return 0, err
	}
	return len(p), nil
}

// BytesWritten is the size of the data written so far.
func (sw *SnapshotWriter) BytesWritten() uint64 {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return uint64(C.seglog_snapshot_writer_bytes_written(sw.w))
}

// Commit makes the snapshot durable and current. It takes its turn with
// the log's writer calls.
func (sw *SnapshotWriter) Commit() (SnapshotMeta, error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.w == nil {
		return SnapshotMeta{}, errorf(ErrInvalidArgument, "snapshot writer already closed")
	}
	var meta SnapshotMeta
	// The commit makes the snapshot the storage's current one: serialise it
	// with the writer calls. A closed log's writer can still commit.
	commit := func() error {
		var m C.seglog_snapshot_meta
		var cerr C.seglog_error
		if rc := C.seglog_snapshot_writer_commit(sw.w, &m, &cerr); rc != C.SEGLOG_OK {
			return newError(rc, &cerr)
		}
		meta = metaFromC(&m)
		return nil
	}
	sw.l.life.RLock()
	sw.l.wmu.Lock()
	err := commit()
	sw.l.wmu.Unlock()
	sw.l.life.RUnlock()
	return meta, err
}

// Abandon drops the snapshot being written (removes its temporary file).
func (sw *SnapshotWriter) Abandon() {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.w != nil {
		C.seglog_snapshot_writer_abandon(sw.w)
	}
}

// Close abandons the writer if not committed and frees it.
func (sw *SnapshotWriter) Close() error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	runtime.SetFinalizer(sw, nil)
	if sw.w != nil {
		C.seglog_snapshot_writer_free(sw.w)
		sw.w = nil
	}
	return nil
}

// SnapshotReader reads the snapshot that was current when it was opened,
// zero-copy from the mapping: an io.Reader, io.ReaderAt, io.Seeker and
// io.Closer. Its bytes stay unchanged while it is open, even if a newer
// snapshot is committed. Not for concurrent Read calls (ReadAt is fine).
type SnapshotReader struct {
	mu   sync.RWMutex
	r    *C.seglog_snapshot_reader
	data unsafe.Pointer
	size int64
	off  int64
	meta SnapshotMeta
}

// OpenSnapshot opens the current snapshot, checksum verified.
// Errors: ErrNotFound (no snapshot), ErrCorrupted, ErrIO, ErrClosed.
func (l *Log) OpenSnapshot() (*SnapshotReader, error) {
	sr := &SnapshotReader{}
	err := l.read(func(h *C.seglog_storage) error {
		var cerr C.seglog_error
		return newError(C.seglog_open_snapshot(h, &sr.r, &cerr), &cerr)
	})
	if err != nil {
		return nil, err
	}
	var m C.seglog_snapshot_meta
	C.seglog_snapshot_reader_meta(sr.r, &m)
	sr.meta = metaFromC(&m)
	var n C.size_t
	C.seglog_snapshot_reader_data(sr.r, &sr.data, &n)
	sr.size = int64(n)
	runtime.SetFinalizer(sr, (*SnapshotReader).Close)
	return sr, nil
}

// Meta is the snapshot's metadata.
func (sr *SnapshotReader) Meta() SnapshotMeta { return sr.meta }

// Size is the snapshot data's length.
func (sr *SnapshotReader) Size() int64 { return sr.size }

func (sr *SnapshotReader) ReadAt(p []byte, off int64) (int, error) {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	if sr.r == nil {
		return 0, errorf(ErrClosed, "snapshot reader closed")
	}
	if off < 0 {
		return 0, errorf(ErrInvalidArgument, "negative offset")
	}
	if off >= sr.size {
		return 0, io.EOF
	}
	n := copy(p, unsafe.Slice((*byte)(sr.data), int(sr.size))[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (sr *SnapshotReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := sr.ReadAt(p, sr.off)
	sr.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (sr *SnapshotReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += sr.off
	case io.SeekEnd:
		offset += sr.size
	}
	if offset < 0 {
		return 0, errorf(ErrInvalidArgument, "negative position")
	}
	sr.off = offset
	return offset, nil
}

// Close releases the mapping.
func (sr *SnapshotReader) Close() error {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	runtime.SetFinalizer(sr, nil)
	if sr.r != nil {
		C.seglog_snapshot_reader_free(sr.r)
		sr.r = nil
	}
	return nil
}

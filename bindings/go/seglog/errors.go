// errors.go owns the mapping of seglog_errc onto Go errors.

package seglog

// #include <stdlib.h>
// #include <seglog/seglog.h>
import "C"

import "fmt"

// Code is a seglog error code (seglog::errc, seglog_errc): the same
// numbers. A Code is itself an error, so the Err values below are Codes and
// errors.Is(err, ErrCompacted) matches any *Error with that code.
type Code int

// The codes, as in seglog.h.
const (
	ErrNotFound        Code = C.SEGLOG_NOT_FOUND        // nothing to read (no snapshot, no directory)
	ErrCorrupted       Code = C.SEGLOG_CORRUPTED        // stored bytes fail a check
	ErrOutOfRange      Code = C.SEGLOG_OUT_OF_RANGE     // an index above LastIndex
	ErrCompacted       Code = C.SEGLOG_COMPACTED        // an index below FirstIndex
	ErrGap             Code = C.SEGLOG_GAP              // an append would leave a hole
	ErrConflict        Code = C.SEGLOG_CONFLICT         // an append disagrees with a stored term
	ErrEntryTooLarge   Code = C.SEGLOG_ENTRY_TOO_LARGE  // a payload above MaxEntrySize
	ErrInvalidArgument Code = C.SEGLOG_INVALID_ARGUMENT // a malformed argument or option
	ErrLocked          Code = C.SEGLOG_LOCKED           // another writer holds the directory
	ErrReadOnly        Code = C.SEGLOG_READ_ONLY        // a write on a read-only log
	ErrClosed          Code = C.SEGLOG_CLOSED           // a call after Close
	ErrNoSpace         Code = C.SEGLOG_NO_SPACE         // the file system is full; nothing changed
	ErrIO              Code = C.SEGLOG_IO_ERROR         // the OS failed a call (sticky after a failed sync)
	ErrStale           Code = C.SEGLOG_STALE            // a read-only log is out of date: reopen
	ErrOutOfMemory     Code = C.SEGLOG_OUT_OF_MEMORY    // an allocation failed
	ErrInternal        Code = C.SEGLOG_INTERNAL         // an unexpected C++ exception, caught
)

// Error returns the code's name as in C++ ("compacted").
func (c Code) Error() string { return "seglog: " + C.GoString(C.seglog_errc_name(C.seglog_errc(c))) }

// Error is a failed seglog call: its Code, and seglog's message (which
// names the call, the file, the offset or the index).
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code.Error()
	}
	return fmt.Sprintf("%s (%s)", e.Message, C.GoString(C.seglog_errc_name(C.seglog_errc(e.Code))))
}

// Unwrap returns the Code, so that errors.Is(err, ErrCompacted) works.
func (e *Error) Unwrap() error { return e.Code }

// newError turns a failed call's code and message into an *Error and frees
// the message.
func newError(code C.seglog_errc, cerr *C.seglog_error) error {
	if code == C.SEGLOG_OK {
		return nil
	}
	e := &Error{Code: Code(code)}
	if cerr != nil {
		if cerr.message != nil {
			e.Message = C.GoString(cerr.message)
		}
		C.seglog_error_clear(cerr)
	}
	return e
}

// errorf is an *Error raised by the binding itself.
func errorf(code Code, format string, args ...interface{}) error {
	return &Error{Code: code, Message: fmt.Sprintf("seglog: "+format, args...)}
}

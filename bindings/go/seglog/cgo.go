// cgo.go owns the link to the installed library (found by pkg-config).

package seglog

// #cgo pkg-config: seglog
// #include <seglog/seglog.h>
import "C"

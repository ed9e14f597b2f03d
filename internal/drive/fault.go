package drive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// ErrFaulty marks a call refused because the drive was taken out of
// service: its metadata store is damaged or failed. It is never "not
// found": a faulty drive does not vote on whether a record exists.
var ErrFaulty = errors.New("drive: faulty")

// Fault says why a drive was taken out of service.
type Fault struct {
	// Reason says what was found, for operators.
	Reason string
	// Since is when it was found.
	Since time.Time
	// Metadata says the metadata store is damaged (a corrupt, truncated
	// or missing file of it): RepairLocal moves it aside and opens an
	// empty one for healing to refill. Other faults (I/O errors) are
	// cleared by opening the drive again once it answers.
	Metadata bool
	// Hung says a call did not return within its deadline (Watchdog):
	// nothing is reopened or repaired; the drive rejoins by itself once
	// it answers again.
	Hung bool
	// Full says the store failed for lack of space (pebble could not
	// create or grow a file of it): the drive is opened again at the next
	// check rather than after a minute, so it serves again as soon as
	// space returns.
	Full bool
}

// FaultReporter is a drive that can tell it was taken out of service.
type FaultReporter interface {
	// Fault returns why the drive is out of service, or nil while it serves.
	Fault() *Fault
}

// Wrapper is a drive that wraps another (a drive under another name, a
// fault-injecting wrapper).
type Wrapper interface {
	// Unwrap returns the wrapped drive.
	Unwrap() Drive
}

// FaultOf returns the fault d reports, or nil if it reports none (or
// cannot report one, as a remote drive). Wrappers are looked through.
func FaultOf(d Drive) *Fault {
	for range 8 { // wrappers nest a few levels at most
		if r, ok := d.(FaultReporter); ok {
			return r.Fault()
		}
		w, ok := d.(Wrapper)
		if !ok {
			return nil
		}
		d = w.Unwrap()
	}
	return nil
}

// Fault returns why the drive is out of service, or nil while it serves.
func (l *Local) Fault() *Fault { return l.faultState.Load() }

var _ FaultReporter = (*Local)(nil)

// markFaulty takes the drive out of service (the first fault found is
// kept) and returns the error every call gets from then on.
func (l *Local) markFaulty(metadata bool, reason string) error {
	return l.setFault(&Fault{Reason: reason, Since: time.Now().UTC(), Metadata: metadata})
}

// setFault takes the drive out of service for f (the first fault found
// is kept) and returns the error every call gets from then on.
func (l *Local) setFault(f *Fault) error {
	metadata, reason := f.Metadata, f.Reason
	if l.faultState.CompareAndSwap(nil, f) {
		l.log.Error("drive taken out of service: its data is served from the other drives of its set", "reason", reason, "metadata", metadata)
	}
	return l.faultErr()
}

// faultErr is the error of a faulty drive's calls.
func (l *Local) faultErr() error {
	f := l.faultState.Load()
	if f == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %s", ErrFaulty, l.root, f.Reason)
}

// usable returns ErrClosed or the fault's error when the drive must not
// be used, else nil.
func (l *Local) usable() error {
	if l.closed() {
		return ErrClosed
	}
	return l.faultErr()
}

// metaErr classifies an error of the metadata store (not "not found"):
// a corruption or a missing file of the store takes the drive out of
// service; so does any error once a background failure or a fatal report
// of the store (pebbleLogger.Fatalf) did, which may happen during the
// very call that returns err (pebble's fatal commit error returns nil).
func (l *Local) metaErr(op string, err error) error {
	if err != nil && isMetaDamage(err) {
		return l.markFaulty(true, fmt.Sprintf("metadata store damaged (%s): %v", op, err))
	}
	if ferr := l.faultErr(); ferr != nil {
		return ferr
	}
	if err != nil {
		return fmt.Errorf("drive: %s: %w", op, mapErr(err))
	}
	return nil
}

// guard turns a panic of the metadata store into a fault: pebble panics
// on some damaged blocks rather than returning an error. It is deferred
// by every method that calls into the store, with that method's error.
func (l *Local) guard(op string, err *error) {
	if r := recover(); r != nil {
		*err = l.markFaulty(true, fmt.Sprintf("metadata store failed (%s): %v", op, r))
	}
}

// isNoSpace says whether any of args (a pebble log call's) is an error
// of a full filesystem.
func isNoSpace(args []any) bool {
	for _, a := range args {
		if err, ok := a.(error); ok && (errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)) {
			return true
		}
	}
	return false
}

// isMetaDamage says whether err, from the metadata store, means its files
// are damaged: a corruption, or a file of the store missing. Plain I/O
// errors (EIO, ENOSPC, EACCES, EROFS) are not damage.
func isMetaDamage(err error) bool {
	return pebble.IsCorruptionError(err) || errors.Is(err, fs.ErrNotExist)
}

// isOpenDamage says whether err, from opening the metadata store, means
// its files are damaged. Opening reads and checks every file the store
// needs (MANIFEST, OPTIONS, WAL), so any error that is neither an OS
// error (the disk failing, the store's lock held) is a damaged file.
func isOpenDamage(err error) bool {
	if isMetaDamage(err) {
		return true
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return false
	}
	return true
}

// backgroundError receives the errors of pebble's background work
// (flushes, compactions, table statistics, file deletions). Damage takes
// the drive out of service; a full disk is only logged (writes are
// refused by the space check, and pebble retries); other errors (EIO) are
// an I/O fault.
func (l *Local) backgroundError(err error) {
	switch {
	case isMetaDamage(err):
		l.markFaulty(true, fmt.Sprintf("metadata store damaged (background work): %v", err))
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		l.log.Warn("metadata store: background work failed for lack of space", "err", err)
	default:
		l.markFaulty(false, fmt.Sprintf("metadata store: background work failed: %v", err))
	}
}

// dataCorruption receives pebble's reports of corrupt or missing files
// (by default they end the process).
func (l *Local) dataCorruption(info pebble.DataCorruptionInfo) {
	l.markFaulty(true, fmt.Sprintf("metadata store damaged: %s: %v", info.Path, info.Details))
}

// metaLost says whether the drive is formatted but its metadata store is
// gone (the folder or its manifest deleted): opening it would create an
// empty store, and the drive would then claim that no object exists.
func (l *Local) metaLost() bool {
	if _, err := os.Stat(filepath.Join(l.sys, formatFile)); err != nil {
		return false // unformatted (or unreadable: ReadFormat reports it)
	}
	desc, err := pebble.Peek(filepath.Join(l.sys, metaDir), privateFS{})
	return err != nil || !desc.Exists
}

// damagedPrefix starts the name of a metadata store moved aside.
const damagedPrefix = "meta.damaged-"

// moveMetaAside renames the metadata store of the drive folder sys to
// meta.damaged-<UTC time> beside it, kept for inspection, and returns the
// new path ("" if there was no store).
func moveMetaAside(sys string, now time.Time) (string, error) {
	src := filepath.Join(sys, metaDir)
	if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	base := filepath.Join(sys, damagedPrefix+now.UTC().Format("20060102T150405Z"))
	dst := base
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if i == 100 {
			return "", fmt.Errorf("drive: move metadata aside: %s and 99 more names taken", base)
		}
		dst = fmt.Sprintf("%s.%d", base, i)
	}
	if err := os.Rename(src, dst); err != nil {
		return "", fmt.Errorf("drive: move metadata aside: %w", err)
	}
	return dst, syncDir(sys)
}

// RepairLocal opens the drive in folder root with a new, empty metadata
// store: the damaged one is renamed to .hoard.sys/meta.damaged-<time>
// (never deleted) and the folder opened afresh, its format record kept.
// The drive then holds no record: the caller must have it rebuilt from
// the other drives of its set before it counts (the erasure engine marks
// it stale). The sweep of unreferenced data directories is skipped, so
// shard files stay until a later start, after healing referenced them
// again.
func RepairLocal(root string, opts Options) (*Local, string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, "", fmt.Errorf("drive: resolve %q: %w", root, err)
	}
	moved, err := moveMetaAside(filepath.Join(abs, sysDir), time.Now())
	if err != nil {
		return nil, "", err
	}
	l, err := openLocalDrive(abs, opts, false)
	if err != nil {
		return nil, moved, err
	}
	if f := l.Fault(); f != nil {
		l.Close()
		return nil, moved, fmt.Errorf("drive: repair %s: the new metadata store failed too: %s", abs, f.Reason)
	}
	l.log.Warn("metadata store moved aside and created empty: healing must rebuild the drive", "moved_to", moved)
	return l, moved, nil
}

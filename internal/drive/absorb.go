package drive

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// pebble cannot survive a failed write of its write-ahead log or of the
// files naming its current state: it panics (rotating the log, it panics
// between releasing and re-taking its own mutex, which the runtime then
// turns into an unrecoverable fatal error) or calls Logger.Fatalf. A
// disk that fails, fills or loses the drive's folder must not take the
// process down, so for those files the failure is taken here instead:
// the drive is marked faulty at once (Hoard checks that mark after every
// call into the store, so the write that met the failure is not
// acknowledged, and no later call reaches the store), and pebble is told
// the operation succeeded. What pebble then believes it wrote is lost
// with the drive, which is repaired from the other drives of its set.

// absorbed reports whether name is one of the files whose write failures
// pebble cannot survive: write-ahead logs, MANIFESTs, the markers and
// CURRENT file naming the current MANIFEST, and temporary files of those.
func absorbed(name string) bool {
	base := filepath.Base(name)
	return strings.HasSuffix(base, ".log") || strings.HasPrefix(base, "MANIFEST-") ||
		strings.HasPrefix(base, "marker.") || strings.HasPrefix(base, "CURRENT")
}

// absorbingFile is a store file whose write, sync and close failures mark
// the drive faulty instead of reaching pebble.
type absorbingFile struct {
	vfs.File
	name   string
	failed func(reason string, err error) bool
}

// absorb returns nil when the store is running and err is absorbed (the
// drive marked faulty), else err.
func (f *absorbingFile) absorb(op string, err error) error {
	if err == nil || f.failed(fmt.Sprintf("metadata store %s of %s failed: %v", op, filepath.Base(f.name), err), err) {
		return nil
	}
	return err
}

// Write writes p; a failure is absorbed.
func (f *absorbingFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	if err = f.absorb("write", err); err == nil {
		n = len(p)
	}
	return n, err
}

// WriteAt writes p at off; a failure is absorbed.
func (f *absorbingFile) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	if err = f.absorb("write", err); err == nil {
		n = len(p)
	}
	return n, err
}

// Sync syncs the file; a failure is absorbed.
func (f *absorbingFile) Sync() error { return f.absorb("sync", f.File.Sync()) }

// SyncData syncs the file's data; a failure is absorbed.
func (f *absorbingFile) SyncData() error { return f.absorb("sync", f.File.SyncData()) }

// SyncTo syncs a prefix of the file; a failure is absorbed.
func (f *absorbingFile) SyncTo(length int64) (bool, error) {
	full, err := f.File.SyncTo(length)
	if err != nil {
		if err = f.absorb("sync", err); err == nil {
			full = true
		}
	}
	return full, err
}

// Preallocate reserves space; a failure is absorbed.
func (f *absorbingFile) Preallocate(off, length int64) error {
	return f.absorb("preallocate", f.File.Preallocate(off, length))
}

// Close closes the file; a failure is absorbed.
func (f *absorbingFile) Close() error { return f.absorb("close", f.File.Close()) }

// lostFile stands for a store file that could not be created: it takes
// every write and keeps nothing. The drive is already marked faulty when
// one is handed out.
type lostFile struct{ name string }

// lostFile's methods are vfs.File's: writes and syncs succeed and keep
// nothing, reads fail, Stat describes an empty file.

func (lostFile) Close() error                           { return nil }
func (lostFile) Read([]byte) (int, error)               { return 0, os.ErrClosed }
func (lostFile) ReadAt([]byte, int64) (int, error)      { return 0, os.ErrClosed }
func (lostFile) Write(p []byte) (int, error)            { return len(p), nil }
func (lostFile) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }
func (lostFile) Preallocate(int64, int64) error         { return nil }
func (f lostFile) Stat() (vfs.FileInfo, error)          { return lostInfo{f.name}, nil }
func (lostFile) Sync() error                            { return nil }
func (lostFile) SyncTo(int64) (bool, error)             { return true, nil }
func (lostFile) SyncData() error                        { return nil }
func (lostFile) Prefetch(int64, int64) error            { return nil }
func (lostFile) Fd() uintptr                            { return vfs.InvalidFd }

// lostInfo describes a lostFile: empty.
type lostInfo struct{ name string }

// lostInfo's methods are vfs.FileInfo's, describing an empty file.

func (i lostInfo) Name() string         { return filepath.Base(i.name) }
func (lostInfo) Size() int64            { return 0 }
func (lostInfo) Mode() os.FileMode      { return FileMode }
func (lostInfo) ModTime() time.Time     { return time.Time{} }
func (lostInfo) IsDir() bool            { return false }
func (lostInfo) Sys() any               { return nil }
func (lostInfo) DeviceID() vfs.DeviceID { return vfs.DeviceID{} }

// absorbOpen wraps the result of creating or opening name for writing:
// for the files pebble cannot see fail, a failure marks the drive faulty
// and hands pebble a lostFile, and a success an absorbingFile.
func (p privateFS) absorbOpen(name string, f vfs.File, err error) (vfs.File, error) {
	if p.failed == nil || !absorbed(name) {
		return f, err
	}
	if err != nil {
		if !p.failed(fmt.Sprintf("metadata store create of %s failed: %v", filepath.Base(name), err), err) {
			return nil, err
		}
		return lostFile{name}, nil
	}
	return &absorbingFile{File: f, name: name, failed: p.failed}, nil
}

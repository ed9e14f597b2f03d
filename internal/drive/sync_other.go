//go:build !linux

package drive

import "os"

// datasync flushes a file's data.
func datasync(f *os.File) error { return f.Sync() }

// journalOrdered is false: every directory is synced on its own.
func journalOrdered(path string) bool { return false }

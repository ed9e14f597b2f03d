//go:build !linux

package drive

import "os"

// datasync flushes a file's data.
func datasync(f *os.File) error { return f.Sync() }

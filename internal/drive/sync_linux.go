//go:build linux

package drive

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync flushes a file's data (and the size, not the timestamps).
func datasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

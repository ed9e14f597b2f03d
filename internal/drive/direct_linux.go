//go:build linux

package drive

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openDirect creates (truncating) a file for writing with O_DIRECT, so its
// data bypasses the page cache. It fails with errDirectRefused when the
// filesystem does not support direct I/O.
func openDirect(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|syscall.O_DIRECT, FileMode)
	if errors.Is(err, syscall.EINVAL) {
		return nil, errDirectRefused
	}
	return f, err
}

// clearDirect turns O_DIRECT off on f, for the unaligned tail of a file.
func clearDirect(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		var fl int
		fl, serr = unix.FcntlInt(fd, unix.F_GETFL, 0)
		if serr == nil {
			_, serr = unix.FcntlInt(fd, unix.F_SETFL, fl&^unix.O_DIRECT)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// directRefused says whether a write error means the file's filesystem
// accepted O_DIRECT at open but refuses direct writes.
func directRefused(err error) bool { return errors.Is(err, syscall.EINVAL) }

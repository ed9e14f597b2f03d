//go:build linux

package drive

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync flushes a file's data (and the size, not the timestamps).
func datasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

// journalOrdered says whether the filesystem at path makes a directory's
// fsync durable for every metadata change made before it, on any
// directory: ext4 and xfs log metadata in one journal committed in order,
// so forcing it for one directory forces every earlier entry with it (and
// ext4 without a journal syncs the parents of new files on their fsync).
// Elsewhere each directory must be synced on its own.
func journalOrdered(path string) bool {
	var st unix.Statfs_t
	if unix.Statfs(path, &st) != nil {
		return false
	}
	switch st.Type {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC:
		return true
	}
	return false
}

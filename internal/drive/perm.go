package drive

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Modes of everything Hoard creates in a drive folder: object data and
// metadata are readable by the server's user alone.
const (
	// DirMode is the mode of .hoard.sys and every folder inside it.
	DirMode fs.FileMode = 0o700
	// FileMode is the mode of every file inside .hoard.sys.
	FileMode fs.FileMode = 0o600
)

// privateFS is pebble's filesystem with Hoard's modes: pebble creates
// files 0666 and folders 0755 (less the umask); this wrapper creates
// folders DirMode and sets FileMode on every file pebble creates. With
// damaged set it also checks blob files as pebble opens them (blobcheck.go).
type privateFS struct {
	vfs.FS
	// damaged, when set, is told of a blob file found damaged on open.
	damaged func(reason string)
	// failed, when set, is told of a write-ahead log or MANIFEST write
	// that failed and answers whether it took the failure (the store is
	// running: the drive is now faulty), in which case pebble is told of
	// no failure (absorb.go); before the store runs, failures reach
	// pebble's open as usual.
	failed func(reason string, err error) bool
}

func (p privateFS) inner() vfs.FS {
	if p.FS == nil {
		return vfs.Default
	}
	return p.FS
}

// Create creates name and restricts its mode.
func (p privateFS) Create(name string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := p.inner().Create(name, category)
	if err == nil {
		err = private(f, name)
	}
	return p.absorbOpen(name, f, err)
}

// OpenReadWrite opens (creating if needed) name and restricts its mode.
func (p privateFS) OpenReadWrite(name string, category vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := p.inner().OpenReadWrite(name, category, opts...)
	if err == nil {
		err = private(f, name)
	}
	return p.absorbOpen(name, f, err)
}

// ReuseForWrite renames oldname to newname for writing and restricts its mode.
func (p privateFS) ReuseForWrite(oldname, newname string, category vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := p.inner().ReuseForWrite(oldname, newname, category)
	if err == nil {
		err = private(f, newname)
	}
	return p.absorbOpen(newname, f, err)
}

// MkdirAll creates dir with DirMode whatever pebble asks.
func (p privateFS) MkdirAll(dir string, _ os.FileMode) error {
	return p.inner().MkdirAll(dir, DirMode)
}

// Unwrap returns the wrapped filesystem.
func (p privateFS) Unwrap() vfs.FS { return p.inner() }

// The remaining methods delegate to the wrapped filesystem (a nil FS is
// vfs.Default).

// Link links oldname to newname.
func (p privateFS) Link(oldname, newname string) error { return p.inner().Link(oldname, newname) }

// Open opens name for reading; a blob file is checked first (openBlob).
func (p privateFS) Open(name string, opts ...vfs.OpenOption) (vfs.File, error) {
	if p.damaged != nil && strings.HasSuffix(name, ".blob") {
		if err := p.checkBlob(name); err != nil {
			return nil, err
		}
	}
	return p.inner().Open(name, opts...)
}

// OpenDir opens a folder; once the store runs, a failed sync of it is
// absorbed as for its logs (pebble syncs the folder after creating them).
func (p privateFS) OpenDir(name string) (vfs.File, error) {
	f, err := p.inner().OpenDir(name)
	if err != nil || p.failed == nil {
		return f, err
	}
	return &absorbingFile{File: f, name: name, failed: p.failed}, nil
}

// Remove removes name.
func (p privateFS) Remove(name string) error { return p.inner().Remove(name) }

// RemoveAll removes name and everything below it.
func (p privateFS) RemoveAll(name string) error { return p.inner().RemoveAll(name) }

// Rename renames oldname to newname; a failed rename of a file pebble
// cannot see fail (the CURRENT file) is absorbed.
func (p privateFS) Rename(oldname, newname string) error {
	err := p.inner().Rename(oldname, newname)
	if err != nil && p.failed != nil && absorbed(newname) &&
		p.failed(fmt.Sprintf("metadata store rename of %s failed: %v", filepath.Base(newname), err), err) {
		return nil
	}
	return err
}

// Lock locks name (creating it) and restricts its mode.
func (p privateFS) Lock(name string) (io.Closer, error) {
	c, err := p.inner().Lock(name)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(name, FileMode); err != nil {
		c.Close()
		return nil, fmt.Errorf("drive: restrict mode of %s: %w", name, err)
	}
	return c, nil
}

// List names the entries of dir.
func (p privateFS) List(dir string) ([]string, error) { return p.inner().List(dir) }

// Stat describes name.
func (p privateFS) Stat(name string) (vfs.FileInfo, error) { return p.inner().Stat(name) }

// PathBase returns the last element of path.
func (p privateFS) PathBase(path string) string { return p.inner().PathBase(path) }

// PathJoin joins path elements.
func (p privateFS) PathJoin(elem ...string) string { return p.inner().PathJoin(elem...) }

// PathDir returns all but the last element of path.
func (p privateFS) PathDir(path string) string { return p.inner().PathDir(path) }

// GetDiskUsage reports the disk usage of the filesystem holding path.
func (p privateFS) GetDiskUsage(path string) (vfs.DiskUsage, error) {
	return p.inner().GetDiskUsage(path)
}

// private sets FileMode on a file pebble just created.
func private(f vfs.File, name string) error {
	if err := os.Chmod(name, FileMode); err != nil {
		f.Close()
		return fmt.Errorf("drive: restrict mode of %s: %w", name, err)
	}
	return nil
}

// restrictModes sets DirMode on sys and every folder below it and
// FileMode on every file, once at open: deployments made before modes
// were restricted (0755 folders, 0644 files) are fixed on their first
// start. Entries already right are not touched; symbolic links are left
// alone. The walk is bounded by the folder's contents.
func restrictModes(sys string) error {
	return filepath.WalkDir(sys, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path != sys && os.IsNotExist(err) {
				return nil // removed meanwhile
			}
			return err
		}
		want := FileMode
		switch {
		case e.IsDir():
			want = DirMode
		case !e.Type().IsRegular():
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil
		}
		if info.Mode().Perm() == want {
			return nil
		}
		if err := os.Chmod(path, want); err != nil {
			return fmt.Errorf("drive: restrict mode of %s: %w", path, err)
		}
		return nil
	})
}

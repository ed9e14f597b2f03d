package drive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable/blob"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// checkBlob checks, before pebble opens it, that the blob file name
// exists and that its footer reads. It works around a defect of pebble
// v2.1: a blob file that is missing or whose footer is damaged is
// reported through reportCorruption with no file metadata, which panics
// ("unknown metadata type: <nil>", file_cache.go findOrCreateBlob). On
// a read this panic is recovered (guard), but in a background compaction
// it would end the process. So the damage is reported here instead: the
// drive is taken out of service and pebble gets a plain I/O error
// (EIO, neither "not found" nor a corruption), which it returns or hands
// to its background error handler without panicking. This covers blob
// files pebble knows of (listed when it opened, or written since); one
// already missing when the store opens is unknown to pebble and never
// reaches the filesystem: checkBlobRefs (blobrefs.go) finds it first.
func (p privateFS) checkBlob(name string) error {
	err := readBlobFooter(p.inner(), name)
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) && !errors.Is(err, fs.ErrNotExist) {
		return err // an I/O error of the disk: pebble reports it as one
	}
	reason := fmt.Sprintf("metadata store damaged: blob file %s: %v", name, err)
	p.damaged(reason)
	return fmt.Errorf("drive: %s: %w", reason, syscall.EIO)
}

// readBlobFooter opens the blob file name and reads its footer.
func readBlobFooter(fsys vfs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	r, err := objstorageprovider.NewFileReadable(f, fsys, objstorageprovider.NewReadaheadConfig(), name)
	if err != nil {
		f.Close()
		return err
	}
	fr, err := blob.NewFileReader(context.Background(), r, blob.FileReaderOptions{})
	if err != nil {
		r.Close()
		return err
	}
	return fr.Close()
}

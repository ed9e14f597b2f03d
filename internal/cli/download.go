package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/minio/minio-go/v7"
)

// downloadFile writes bucket/key (described by info) to dst through a
// temporary file in dst's folder, renamed into place once complete and
// synced. Objects of at least two parts' size are fetched as parallel
// ranged GETs pinned to the object's ETag, written in place, so memory
// stays bounded whatever the size. The file's modification time is set
// to the object's. A non-empty version reads that version of the object.
func (r *remote) downloadFile(ctx context.Context, bucket, key, version string, info minio.ObjectInfo, dst string, o transferOpts, prog *progress) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".hoard-*.part")
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if info.Size >= 2*o.partSize && o.concurrency > 1 {
		err = r.getRanges(ctx, bucket, key, version, info, tmp, o, prog)
	} else {
		err = r.getRange(ctx, bucket, key, version, info.ETag, 0, info.Size, tmp, prog)
	}
	if err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("%s: %w", dst, err)
	}
	done = true
	if !info.LastModified.IsZero() {
		_ = os.Chtimes(dst, info.LastModified, info.LastModified)
	}
	return nil
}

// getRanges fetches the object in partSize ranges, o.concurrency at once.
func (r *remote) getRanges(ctx context.Context, bucket, key, version string, info minio.ObjectInfo, f *os.File, o transferOpts, prog *progress) error {
	if err := f.Truncate(info.Size); err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int64)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for off := range work {
				n := min(o.partSize, info.Size-off)
				if err := r.getRange(ctx, bucket, key, version, info.ETag, off, n, f, prog); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
feed:
	for off := int64(0); off < info.Size; off += o.partSize {
		select {
		case work <- off:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// getRange copies n bytes of the object (of its version, when one is
// given) from off into f at off. A non-empty etag makes the server refuse
// a changed object.
func (r *remote) getRange(ctx context.Context, bucket, key, version, etag string, off, n int64, f *os.File, prog *progress) error {
	opts := minio.GetObjectOptions{VersionID: version}
	if etag != "" {
		if err := opts.SetMatchETag(etag); err != nil {
			return err
		}
	}
	if n == 0 {
		return nil
	}
	if err := opts.SetRange(off, off+n-1); err != nil {
		return err
	}
	body, _, _, err := r.core.GetObject(ctx, bucket, key, opts)
	if err != nil {
		return r.wrap(err, bucket, key)
	}
	defer body.Close()
	got, err := io.Copy(io.NewOffsetWriter(f, off), prog.reader(body))
	if err != nil {
		return r.wrap(err, bucket, key)
	}
	if got != n {
		return fmt.Errorf("%s/%s/%s: got %d bytes at offset %d, want %d", r.name, bucket, key, got, off, n)
	}
	return nil
}

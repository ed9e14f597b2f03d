package cli

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
)

// transferOpts tune uploads and downloads.
type transferOpts struct {
	// partSize is the multipart part size and download range size.
	partSize int64
	// concurrency is how many parts or ranges of one file move at once.
	concurrency int
	// contentType overrides the type guessed from the extension.
	contentType string
	// meta and tags are user metadata and tags for new objects; a
	// server-side copy replaces the source's when either is set.
	meta, tags map[string]string
	// noResume starts a fresh multipart upload even when the server holds
	// an unfinished one for the same key.
	noResume bool
}

// contentTypeFor returns the type for key: the override, or the type its
// extension implies, or application/octet-stream.
func contentTypeFor(key, override string) string {
	if override != "" {
		return override
	}
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(key))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// partLayout returns the part size and count for size bytes, growing the
// part size (in MiB steps) when the object would need over 10,000 parts.
func partLayout(size, partSize int64) (int64, int) {
	if partSize < minPartSize {
		partSize = minPartSize
	}
	if n := (size + partSize - 1) / partSize; n > maxParts {
		partSize = (size + maxParts - 1) / maxParts
		partSize = (partSize + (1 << 20) - 1) &^ ((1 << 20) - 1)
	}
	n := int((size + partSize - 1) / partSize)
	if n == 0 {
		n = 1
	}
	return partSize, n
}

// md5Section hashes n bytes of f from off.
func md5Section(f io.ReaderAt, off, n int64) ([]byte, error) {
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, off, n)); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// putOptions returns minio-go options for a new object.
func (o transferOpts) putOptions(key string) minio.PutObjectOptions {
	return minio.PutObjectOptions{
		ContentType:          contentTypeFor(key, o.contentType),
		UserMetadata:         o.meta,
		UserTags:             o.tags,
		DisableContentSha256: true,
	}
}

// uploadFile stores the local file src (size bytes) as bucket/key: one
// PUT below the part size, otherwise a parallel multipart upload that
// resumes an unfinished one for the same key. Every request carries the
// payload's Content-MD5, so the server checks what it stores. It returns
// the new object's ETag.
func (r *remote) uploadFile(ctx context.Context, src string, size int64, bucket, key string, o transferOpts, prog *progress) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", localError(err, src)
	}
	defer f.Close()
	if size < o.partSize {
		sum, err := md5Section(f, 0, size)
		if err != nil {
			return "", fmt.Errorf("%s: %w", src, err)
		}
		opts := o.putOptions(key)
		body := prog.readSeeker(io.NewSectionReader(f, 0, size))
		info, err := r.core.PutObject(ctx, bucket, key, body, size, base64.StdEncoding.EncodeToString(sum), "", opts)
		if err != nil {
			return "", r.wrap(err, bucket, key)
		}
		return strings.Trim(info.ETag, `"`), nil
	}
	return r.uploadMultipart(ctx, f, size, bucket, key, o, prog)
}

// uploadMultipart uploads f in parts, concurrently.
func (r *remote) uploadMultipart(ctx context.Context, f *os.File, size int64, bucket, key string, o transferOpts, prog *progress) (string, error) {
	partSize, nparts := partLayout(size, o.partSize)
	uploadID, have, err := r.findUpload(ctx, bucket, key, o)
	if err != nil {
		return "", err
	}
	if uploadID == "" {
		uploadID, err = r.core.NewMultipartUpload(ctx, bucket, key, o.putOptions(key))
		if err != nil {
			return "", r.wrap(err, bucket, key)
		}
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make([]minio.CompletePart, nparts)
	work := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	workers := max(1, min(o.concurrency, nparts))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range work {
				etag, err := r.uploadPart(ctx, f, size, partSize, n, bucket, key, uploadID, have[n], prog)
				if err != nil {
					fail(err)
					continue
				}
				parts[n-1] = minio.CompletePart{PartNumber: n, ETag: etag}
			}
		}()
	}
feed:
	for n := 1; n <= nparts; n++ {
		select {
		case work <- n:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return "", fmt.Errorf("upload of %s/%s interrupted (run the same command again to resume): %w", bucket, key, err)
	}
	if firstErr != nil {
		return "", fmt.Errorf("%w (the parts sent so far are kept: run the same command again to resume)", firstErr)
	}
	info, err := r.core.CompleteMultipartUpload(ctx, bucket, key, uploadID, parts, minio.PutObjectOptions{})
	if err != nil {
		return "", r.wrap(err, bucket, key)
	}
	return strings.Trim(info.ETag, `"`), nil
}

// uploadPart sends part n unless the server already has it (same size
// and MD5), returning its ETag.
func (r *remote) uploadPart(ctx context.Context, f *os.File, size, partSize int64, n int, bucket, key, uploadID string, old minio.ObjectPart, prog *progress) (string, error) {
	off := int64(n-1) * partSize
	length := min(partSize, size-off)
	sum, err := md5Section(f, off, length)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Name(), err)
	}
	if old.PartNumber == n && old.Size == length && strings.Trim(old.ETag, `"`) == hex.EncodeToString(sum) {
		prog.add(length)
		return strings.Trim(old.ETag, `"`), nil
	}
	body := prog.readSeeker(io.NewSectionReader(f, off, length))
	part, err := r.core.PutObjectPart(ctx, bucket, key, uploadID, n, body, length, minio.PutObjectPartOptions{
		Md5Base64:            base64.StdEncoding.EncodeToString(sum),
		DisableContentSha256: true,
	})
	if err != nil {
		return "", r.wrap(err, bucket, key)
	}
	return strings.Trim(part.ETag, `"`), nil
}

// findUpload returns the newest unfinished multipart upload of exactly
// bucket/key and its parts by number, or "" when there is none (or
// resuming is off).
func (r *remote) findUpload(ctx context.Context, bucket, key string, o transferOpts) (string, map[int]minio.ObjectPart, error) {
	if o.noResume {
		return "", nil, nil
	}
	var newest minio.ObjectMultipartInfo
	keyMarker, idMarker := "", ""
	for range 100 {
		res, err := r.core.ListMultipartUploads(ctx, bucket, key, keyMarker, idMarker, "", 1000)
		if err != nil {
			return "", nil, r.wrap(err, bucket, key)
		}
		for _, u := range res.Uploads {
			if u.Key == key && u.Initiated.After(newest.Initiated) {
				newest = u
			}
		}
		if !res.IsTruncated {
			break
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
	if newest.UploadID == "" {
		return "", nil, nil
	}
	have := map[int]minio.ObjectPart{}
	marker := 0
	for range maxParts/1000 + 1 {
		res, err := r.core.ListObjectParts(ctx, bucket, key, newest.UploadID, marker, 1000)
		if err != nil {
			if minio.ToErrorResponse(err).Code == "NoSuchUpload" {
				return "", nil, nil
			}
			return "", nil, r.wrap(err, bucket, key)
		}
		for _, p := range res.ObjectParts {
			have[p.PartNumber] = p
		}
		if !res.IsTruncated {
			break
		}
		marker = res.NextPartNumberMarker
	}
	return newest.UploadID, have, nil
}

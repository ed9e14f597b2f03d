package erasure

import (
	"context"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// This file gives background workers that share erasure sets between the
// nodes of a cluster (the lifecycle worker) per-set views of a bucket.

// SetCount is the number of erasure sets.
func (l *Layer) SetCount() int { return len(l.sets) }

// ListSetVersions is ListObjectVersions restricted to the keys erasure
// set index holds: every key lives in exactly one set, so the pages of
// all sets together list the bucket once.
func (l *Layer) ListSetVersions(ctx context.Context, index int, bucket string, opts storage.ListVersionsOptions) (storage.ListVersionsResult, error) {
	if index < 0 || index >= len(l.sets) {
		return storage.ListVersionsResult{}, fmt.Errorf("erasure: no erasure set %d", index)
	}
	s := l.sets[index]
	return l.listVersions(ctx, bucket, opts, func(o drive.WalkOptions) ([]drive.WalkEntry, bool, error) {
		res, err := l.walkSetChoose(ctx, s, o, agreedRecord)
		return res.Entries, res.Truncated, err
	})
}

// EachSetUpload calls fn for every multipart upload of bucket that
// erasure set index holds, in key order.
func (l *Layer) EachSetUpload(ctx context.Context, index int, bucket string, fn func(storage.MultipartUpload) error) error {
	if index < 0 || index >= len(l.sets) {
		return fmt.Errorf("erasure: no erasure set %d", index)
	}
	return l.forEachUpload(ctx, l.sets[index], bucket, func(key string, u *meta.Upload) error {
		return fn(uploadInfo(bucket, key, u))
	})
}

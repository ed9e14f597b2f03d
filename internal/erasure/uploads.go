package erasure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// uploadStart turns the key and upload-ID markers into the inclusive start
// name of a walk over "key\x00uploadID" names.
func uploadStart(prefix, delimiter, keyMarker, idMarker string) (string, bool) {
	if keyMarker == "" {
		return "", true
	}
	if delimiter != "" && strings.HasPrefix(keyMarker, prefix) {
		if i := strings.Index(keyMarker[len(prefix):], delimiter); i >= 0 {
			next := drive.Successor(keyMarker[:len(prefix)+i+len(delimiter)])
			return next, next != ""
		}
	}
	if idMarker == "" {
		return keyMarker + "\x01", true // after every upload of keyMarker
	}
	return drive.UploadName(keyMarker, idMarker) + "\x00", true
}

func splitUploadName(name string) (key, id string, ok bool) { return drive.SplitUploadName(name) }

// ListMultipartUploads returns a page of uploads, by key then initiation.
func (l *Layer) ListMultipartUploads(ctx context.Context, bucket string, opts storage.ListUploadsOptions) (storage.ListUploadsResult, error) {
	if !storage.ValidBucketName(bucket) {
		return storage.ListUploadsResult{}, fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		return storage.ListUploadsResult{}, err
	}
	limit := opts.MaxUploads
	if limit <= 0 || limit > maxListKeys {
		limit = maxListKeys
	}
	start, ok := uploadStart(opts.Prefix, opts.Delimiter, opts.KeyMarker, opts.UploadIDMarker)
	if !ok {
		return storage.ListUploadsResult{}, nil
	}
	entries, truncated, err := l.walkMerged(ctx, drive.WalkOptions{
		NS: drive.NSUpload, Scope: drive.UploadScope(bucket), Prefix: opts.Prefix,
		Delimiter: opts.Delimiter, Start: start, Limit: limit,
	})
	if err != nil {
		return storage.ListUploadsResult{}, err
	}
	res := storage.ListUploadsResult{IsTruncated: truncated}
	for _, e := range entries {
		if e.IsPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, e.Name)
			res.NextKeyMarker, res.NextUploadIDMarker = e.Name, ""
			continue
		}
		key, _, ok := splitUploadName(e.Name)
		if !ok {
			continue
		}
		u, err := meta.DecodeUpload(e.Value)
		if err != nil {
			return storage.ListUploadsResult{}, fmt.Errorf("erasure: list uploads %s/%s: %w", bucket, key, err)
		}
		res.Uploads = append(res.Uploads, uploadInfo(bucket, key, u))
		res.NextKeyMarker, res.NextUploadIDMarker = key, u.ID
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	return res, nil
}

// forEachUpload walks every upload of bucket in set s, page by page.
func (l *Layer) forEachUpload(ctx context.Context, s *set, bucket string, fn func(key string, u *meta.Upload) error) error {
	start := ""
	for range maxPages {
		res, err := l.walkSet(ctx, s, drive.WalkOptions{NS: drive.NSUpload, Scope: drive.UploadScope(bucket), Start: start, Limit: 1000})
		if err != nil {
			return err
		}
		for _, e := range res.Entries {
			key, _, ok := splitUploadName(e.Name)
			u, err := meta.DecodeUpload(e.Value)
			if !ok || err != nil {
				l.log.Warn("skip unreadable upload record", "bucket", bucket, "name", e.Name, "err", err)
				continue
			}
			if err := fn(key, u); err != nil {
				return err
			}
		}
		if !res.Truncated || len(res.Entries) == 0 {
			return nil
		}
		start = res.Entries[len(res.Entries)-1].Name + "\x00"
	}
	return nil
}

// abortAll aborts every upload of bucket in set s; the caller holds the
// bucket's lock.
func (l *Layer) abortAll(ctx context.Context, s *set, bucket string) error {
	return l.forEachUpload(ctx, s, bucket, func(key string, u *meta.Upload) error {
		return l.abortUpload(ctx, s, bucket, key, u.ID)
	})
}

// CleanupStaleUploads aborts every upload initiated before cutoff (none
// for a zero cutoff) and removes the traces of uploads completed more
// than CompletionRetention ago.
func (l *Layer) CleanupStaleUploads(ctx context.Context, cutoff time.Time) (int, error) {
	buckets, err := l.ListBuckets(ctx)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, b := range buckets {
		for _, s := range l.sets {
			l.dropCompletions(ctx, s, b.Name, time.Now().Add(-CompletionRetention))
			var stale [][2]string
			err := l.forEachUpload(ctx, s, b.Name, func(key string, u *meta.Upload) error {
				if u.Initiated.Before(cutoff) {
					stale = append(stale, [2]string{key, u.ID})
				}
				return nil
			})
			if err != nil {
				return removed, err
			}
			for _, st := range stale {
				if err := l.AbortMultipartUpload(ctx, b.Name, st[0], st[1]); err != nil {
					l.log.Warn("abort stale upload", "bucket", b.Name, "key", st[0], "upload", st[1], "err", err)
					continue
				}
				removed++
			}
		}
	}
	return removed, nil
}

package repair

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// BucketResult reports what Bucket found and did.
type BucketResult struct {
	Bucket string `json:"bucket"`
	// Exists says the bucket exists after the heal.
	Exists bool `json:"exists"`
	// Healed counts the drives whose bucket record was written or removed.
	Healed int `json:"healed"`
	// Uploads counts the multipart uploads seen; UploadsHealed those some
	// drive's copy of which was written or removed; Failed those that
	// could not be healed.
	Uploads       int `json:"uploads"`
	UploadsHealed int `json:"uploadsHealed"`
	Failed        int `json:"failed"`
}

// Bucket heals a bucket's record on every drive (written where it is
// missing or different, removed where a delete left it) and every
// multipart upload of the bucket with its part records and part files. A
// bucket that must not exist is first emptied of the stray objects and
// uploads drives still hold.
func (r *Repairer) Bucket(ctx context.Context, bucket string) (BucketResult, error) {
	res := BucketResult{Bucket: bucket}
	if !storage.ValidBucketName(bucket) {
		return res, fmt.Errorf("heal: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	sets := r.e.Sets()
	vals, errs := readAll(ctx, sets[0], drive.NSBucket, bucket)
	_, exists, err := decideSetValue(sets[0], vals, errs)
	if err != nil {
		return res, fmt.Errorf("heal: bucket %q: %w", bucket, err)
	}
	if !exists {
		if err := r.strayObjects(ctx, bucket); err != nil {
			return res, err
		}
	}
	for _, s := range sets {
		if err := r.uploads(ctx, s, bucket, &res); err != nil {
			return res, err
		}
	}
	res.Exists, res.Healed, err = r.bucketRecord(ctx, sets, bucket)
	return res, err
}

// strayObjects heals every key of a bucket that must not exist: the
// quorum lacks them, so their copies are removed.
func (r *Repairer) strayObjects(ctx context.Context, bucket string) error {
	after := ""
	for range maxPages {
		keys, more, err := r.Keys(ctx, Walk{Bucket: bucket, After: after, Set: -1})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := r.Object(ctx, bucket, k, Options{}); err != nil {
				r.log.Warn("heal: stray object", "bucket", bucket, "key", k, "err", err)
			}
		}
		if !more || len(keys) == 0 {
			return nil
		}
		after = keys[len(keys)-1]
	}
	return nil
}

// bucketRecord writes or removes the bucket record on every drive as
// the quorum of the first set decides, under the bucket's lock.
func (r *Repairer) bucketRecord(ctx context.Context, sets []Set, bucket string) (exists bool, healed int, err error) {
	unlock, err := r.e.LockBucket(ctx, bucket)
	if err != nil {
		return false, 0, err
	}
	defer unlock()
	vals, errs := readAll(ctx, sets[0], drive.NSBucket, bucket)
	val, exists, err := decideSetValue(sets[0], vals, errs)
	if err != nil {
		return false, 0, fmt.Errorf("heal: bucket %q: %w", bucket, err)
	}
	for _, s := range sets {
		vals, errs := readAll(ctx, s, drive.NSBucket, bucket)
		done := each(s.Drives(), func(pos int, d drive.Drive) error {
			var err error
			switch have := errs[pos] == nil; {
			case errs[pos] != nil && !errors.Is(errs[pos], drive.ErrNotFound):
				return errs[pos] // offline: nothing to do
			case exists && (!have || !bytes.Equal(vals[pos], val)):
				err = d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSBucket, Key: bucket, Value: val}}})
			case !exists && have:
				err = d.DeleteBucket(ctx, bucket)
			default:
				return errNothingToDo
			}
			if err != nil {
				r.log.Warn("heal: bucket record", "drive", d.Endpoint(), "bucket", bucket, "err", err)
			}
			return err
		})
		for _, e := range done {
			if e == nil {
				healed++
			}
		}
	}
	return exists, healed, nil
}

// errNothingToDo marks a drive a heal step left alone.
var errNothingToDo = errors.New("heal: nothing to do")

// uploads heals every multipart upload of bucket that any drive of s
// holds.
func (r *Repairer) uploads(ctx context.Context, s Set, bucket string, res *BucketResult) error {
	start := ""
	for range maxPages {
		names, more, err := unionWalk(ctx, s, drive.WalkOptions{NS: drive.NSUpload, Scope: drive.UploadScope(bucket), Start: start, Limit: pageSize})
		if err != nil {
			return err
		}
		for _, name := range names {
			key, id, ok := drive.SplitUploadName(name)
			if !ok {
				continue
			}
			res.Uploads++
			healed, err := r.upload(ctx, s, bucket, key, id)
			if err != nil {
				res.Failed++
				r.log.Warn("heal: upload", "bucket", bucket, "key", key, "upload", id, "err", err)
			} else if healed {
				res.UploadsHealed++
			}
		}
		if !more || len(names) == 0 {
			return nil
		}
		start = names[len(names)-1] + "\x00"
	}
	return nil
}

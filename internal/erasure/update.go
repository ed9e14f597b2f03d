package erasure

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// UpdateObject replaces the metadata and/or tags of a version in place;
// the data is untouched. An update that misses its write quorum is written
// back on the drives that took it.
func (l *Layer) UpdateObject(ctx context.Context, bucket, key string, opts storage.UpdateOptions) (storage.ObjectInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ObjectInfo{}, notFoundForBadKey(err)
	}
	s := l.setFor(bucket, key)
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	defer unlockB()
	unlock, err := l.locker.Lock(ctx, objectLock(bucket, key))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	defer unlock()
	rec, strays, err := s.readRecordStrays(ctx, bucket, key)
	if errors.Is(err, drive.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	v, err := resolveVersion(rec, opts.VersionID)
	if err != nil {
		if rec == nil {
			if _, berr := l.bucketInfo(ctx, bucket); berr != nil {
				return storage.ObjectInfo{}, berr
			}
		}
		return storage.ObjectInfo{}, fmt.Errorf("erasure: update %s/%s: %w", bucket, key, err)
	}
	prev := &meta.Record{Versions: slices.Clone(rec.Versions)}
	if opts.Lock != nil {
		lk, err := opts.Lock(readInfo(bucket, key, rec, v))
		if err != nil {
			return storage.ObjectInfo{}, fmt.Errorf("erasure: update %s/%s: %w", bucket, key, err)
		}
		v.Lock = lk
	}
	if opts.Metadata != nil {
		v.Metadata = maps.Clone(opts.Metadata)
	}
	if len(opts.SetMetadata) > 0 {
		m := maps.Clone(v.Metadata)
		if m == nil {
			m = make(map[string]string, len(opts.SetMetadata))
		}
		for k, val := range opts.SetMetadata {
			if val == "" {
				delete(m, k)
			} else {
				m[k] = val
			}
		}
		v.Metadata = m
	}
	if opts.Tags != nil {
		v.Tags = maps.Clone(opts.Tags)
	}
	errs := s.applyEach(ctx, nil, func(pos int) drive.Batch {
		b := drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: drive.ObjectKey(bucket, key), Value: encodeFor(rec, pos)}}}
		dropStrays(&b, strays, pos)
		return b
	})
	if err := l.settle(ctx, s, errs, s.writeQuorum()); err != nil {
		if len(s.drives) > 1 { // a failed update changes nothing
			l.revertRemovals(ctx, s, bucket, []removal{{key: key, prev: prev}}, errs)
		}
		return storage.ObjectInfo{}, fmt.Errorf("erasure: commit: %w", err)
	}
	l.queuePartial(bucket, key, errs)
	l.removeStrays(ctx, s, strays, errs)
	return readInfo(bucket, key, rec, v), nil
}

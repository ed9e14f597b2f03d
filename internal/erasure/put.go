package erasure

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

func checkObject(bucket, key string) error {
	if !storage.ValidBucketName(bucket) {
		return fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	if !storage.ValidObjectName(key) {
		return fmt.Errorf("erasure: key %q: %w", key, storage.ErrInvalidObjectName)
	}
	return nil
}

// PutObject stores data under key, replacing the null version. The data
// is staged and fsynced first; the metadata commit under the key's lock
// makes it visible atomically.
func (l *Layer) PutObject(ctx context.Context, bucket, key string, data storage.Payload, opts storage.PutOptions) (storage.ObjectInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ObjectInfo{}, err
	}
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		return storage.ObjectInfo{}, err
	}
	size := data.Size()
	if size < 0 {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: negative size: %w", storage.ErrIncompleteBody)
	}
	s := l.setFor(bucket, key)
	inline := l.inlineFits(s, size)
	w, err := l.writeShards(ctx, s, bucket, key, data, size, meta.SingleFile, inline)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	v := meta.Version{
		Inline:       inline,
		ModTime:      time.Now().UTC(),
		Size:         size,
		ETag:         data.ETag(),
		Checksum:     data.Checksum(),
		Metadata:     maps.Clone(opts.Metadata),
		Tags:         maps.Clone(opts.Tags),
		StorageClass: opts.StorageClass,
		Erasure:      s.codec.layout(),
		Bitrot:       meta.BitrotHighwayHash256,
		DataDir:      w.dir,
	}
	v.Erasure.Distribution = w.dist
	info, err := l.commitVersion(ctx, s, bucket, key, w, v, opts.IfNoneMatch, opts.IfMatch, nil)
	if err != nil {
		l.discard(ctx, s, w, nil)
	}
	return info, err
}

// commitVersion makes v the null version of bucket/key under the key's
// lock, after checking the conditions against the current version, and
// removes the replaced version's data once no reader holds it. extra adds
// mutations to every drive's batch (multipart: the upload's records).
func (l *Layer) commitVersion(ctx context.Context, s *set, bucket, key string, w *written, v meta.Version, ifNoneMatch, ifMatch string, extra func(pos int, b *drive.Batch)) (storage.ObjectInfo, error) {
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
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		return storage.ObjectInfo{}, err
	}
	rec, err := s.readRecord(ctx, bucket, key)
	if errors.Is(err, drive.ErrNotFound) {
		rec, err = &meta.Record{}, nil
	}
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	if err := checkConditions(rec, ifNoneMatch, ifMatch); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: %s/%s: %w", bucket, key, err)
	}
	var old *meta.Version
	if i := rec.Find(v.ID); i >= 0 {
		o := rec.Versions[i]
		old = &o
		rec.Versions = append(rec.Versions[:i], rec.Versions[i+1:]...)
	}
	rec.Versions = append([]meta.Version{v}, rec.Versions...)
	err = s.applyWritten(ctx, w, func(pos int) drive.Batch {
		b := drive.Batch{DataDir: v.DataDir}
		if w != nil {
			b.Stage = w.stage
			if v.Inline {
				b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSInline, Key: drive.InlineKey(v.DataDir), Value: w.inline[pos]})
			}
		}
		b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, key), Value: encodeFor(rec, pos)})
		dropVersion(&b, old, v.DataDir)
		if extra != nil {
			extra(pos, &b)
		}
		return b
	})
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	l.removeData(ctx, s, old, v.DataDir)
	return versionInfo(bucket, key, &rec.Versions[0], true), nil
}

// dropVersion adds to b what removes old's data from the metadata: its
// inline blob, or the reference to its data directory (unless that
// directory lives on in keep).
func dropVersion(b *drive.Batch, old *meta.Version, keep meta.DataDir) {
	if old == nil || old.DeleteMarker || old.DataDir == keep {
		return
	}
	if old.Inline {
		b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSInline, Key: drive.InlineKey(old.DataDir), Delete: true})
		return
	}
	b.Unref = append(b.Unref, old.DataDir)
}

// removeData deletes old's data directory from every drive once no open
// handle reads it.
func (l *Layer) removeData(ctx context.Context, s *set, old *meta.Version, keep meta.DataDir) {
	if old == nil || old.DeleteMarker || old.Inline || old.DataDir == keep {
		return
	}
	dir := old.DataDir
	l.pins.remove(dir, func() {
		s.each(func(pos int, d drive.Drive) error {
			if err := d.RemoveDataDir(context.WithoutCancel(ctx), dir); err != nil {
				l.log.Warn("remove data dir", "drive", d.Endpoint(), "err", err)
			}
			return nil
		})
	})
}

// latest returns the current version of rec, nil if none or a delete marker.
func latest(rec *meta.Record) *meta.Version {
	if rec == nil || len(rec.Versions) == 0 || rec.Versions[0].DeleteMarker {
		return nil
	}
	return &rec.Versions[0]
}

// checkConditions applies If-None-Match "*" and If-Match to the current version.
func checkConditions(rec *meta.Record, ifNoneMatch, ifMatch string) error {
	cur := latest(rec)
	if ifNoneMatch != "" {
		if cur != nil && (strings.TrimSpace(ifNoneMatch) == "*" || etagMatches(ifNoneMatch, cur.ETag)) {
			return storage.ErrPreconditionFailed
		}
	}
	if ifMatch != "" {
		if cur == nil {
			return storage.ErrObjectNotFound
		}
		if strings.TrimSpace(ifMatch) != "*" && !etagMatches(ifMatch, cur.ETag) {
			return storage.ErrPreconditionFailed
		}
	}
	return nil
}

// etagMatches compares a client's ETag list ("a", W/"b", c) with etag.
func etagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		e = strings.TrimPrefix(e, "W/")
		if strings.Trim(e, `"`) == etag {
			return true
		}
	}
	return false
}

// versionInfo converts a stored version to the ObjectInfo S3 reports.
func versionInfo(bucket, key string, v *meta.Version, isLatest bool) storage.ObjectInfo {
	info := storage.ObjectInfo{
		Bucket: bucket, Key: key, VersionID: v.ID, IsLatest: isLatest, DeleteMarker: v.DeleteMarker,
		Size: v.Size, ModTime: v.ModTime, ETag: v.ETag, Metadata: v.Metadata, Tags: v.Tags,
		StorageClass: v.StorageClass, Checksum: v.Checksum,
	}
	if info.StorageClass == "" {
		info.StorageClass = "STANDARD"
	}
	if v.Parts != nil {
		info.Parts = make([]storage.ObjectPart, len(v.Parts))
		for i, p := range v.Parts {
			info.Parts[i] = storage.ObjectPart{Number: p.Number, Size: p.Size, ETag: p.ETag, Checksum: p.Checksum}
		}
	}
	return info
}

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
	size := data.Size()
	if size < 0 {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: negative size: %w", storage.ErrIncompleteBody)
	}
	s := l.setFor(bucket, key)
	c := s.codecForClass(opts.StorageClass)
	inline := l.fitsInline(c, size)
	if !inline {
		// Refuse early rather than stream a large body into nowhere; the
		// commit checks again under the bucket's lock.
		if _, err := l.bucketInfo(ctx, bucket); err != nil {
			return storage.ObjectInfo{}, err
		}
	}
	w, err := l.writeShards(ctx, s, c, bucket, key, data, size, meta.SingleFile, inline)
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
		Erasure:      c.layout(),
		Bitrot:       meta.BitrotHighwayHash256,
		DataDir:      w.dir,
		Lock:         opts.Lock,
	}
	v.Erasure.Distribution = w.dist
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		l.discard(ctx, s, w, nil)
		return storage.ObjectInfo{}, err
	}
	info, err := l.commitVersion(ctx, s, bucket, key, w, v, commitOptions{opts.IfNoneMatch, opts.IfMatch, opts.LockFor}, nil)
	unlockB()
	if err != nil {
		l.discard(ctx, s, w, nil)
	}
	return info, err
}

// commitOptions are the conditions of a commit and its lock decider.
type commitOptions struct {
	ifNoneMatch, ifMatch string
	lockFor              storage.LockDecider
}

// commitVersion makes v the newest version of bucket/key under the key's
// lock (the caller holds the bucket's lock shared, which keeps the
// bucket's versioning state fixed), after checking the conditions against
// the current version and, with a lock decider, deciding v's lock state
// from the bucket's record: with a new version ID in a versioned bucket,
// else as the null version (meta.WriteID, meta.Record.Add). It removes
// the replaced version's data once no reader holds it. extra adds
// mutations to every drive's batch (multipart: the upload's records),
// given the version committed (its ID set) and whether the bucket is
// versioned or suspended. A new version of a bucket with versioning
// enabled is pushed onto the newest version when the drives agree on it
// (push.go), without reading the older ones.
func (l *Layer) commitVersion(ctx context.Context, s *set, bucket, key string, w *written, v meta.Version, co commitOptions, extra func(pos int, b *drive.Batch, v *meta.Version, versioned bool)) (storage.ObjectInfo, error) {
	unlock, err := l.locker.Lock(ctx, objectLock(bucket, key))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	defer unlock()
	bi, err := l.bucketInfo(ctx, bucket)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	st, err := versioningOf(bi)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	if co.lockFor != nil {
		if v.Lock, err = co.lockFor(bi, v.Lock); err != nil {
			return storage.ObjectInfo{}, fmt.Errorf("erasure: %s/%s: %w", bucket, key, err)
		}
	}
	fresh := ""
	if st == meta.VersioningEnabled {
		if fresh, err = l.newVersionID(); err != nil {
			return storage.ObjectInfo{}, err
		}
	}
	v.ID = meta.WriteID(st, fresh)
	var more func(pos int, b *drive.Batch)
	if extra != nil {
		more = func(pos int, b *drive.Batch) { extra(pos, b, &v, st != meta.Unversioned) }
	}
	if st == meta.VersioningEnabled {
		if nr, ok := s.readNewestAgreed(ctx, bucket, key); ok {
			return l.pushVersion(ctx, s, bucket, key, w, v, co, more, nr)
		}
	}
	rec, strays, err := s.readRecordStrays(ctx, bucket, key)
	if errors.Is(err, drive.ErrNotFound) {
		rec, err = &meta.Record{}, nil
	}
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	if err := checkConditions(rec, co.ifNoneMatch, co.ifMatch); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: %s/%s: %w", bucket, key, err)
	}
	prev := &meta.Record{Versions: append([]meta.Version(nil), rec.Versions...)}
	old := rec.Add(v)
	// With one drive the batch is atomic: everything goes in one commit.
	// With several, a commit can land on too few drives; so the first phase
	// only adds (new data and record) and can be reverted, and the second
	// drops the replaced version and runs extra once the quorum is reached.
	twoPhase := len(s.drives) > 1
	errs := s.applyEach(ctx, w, func(pos int) drive.Batch {
		b := dataBatch(w, &v, pos)
		b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, key), Value: encodeFor(rec, pos)})
		if !twoPhase {
			finishVersion(&b, pos, old, v.DataDir, more)
		}
		return b
	})
	finishErrs := errs
	quorum := s.versionQuorum(&v)
	if err := l.settle(ctx, s, errs, quorum); err != nil {
		if twoPhase {
			l.revertVersion(ctx, s, errs, bucket, key, prev, w, v)
		}
		return storage.ObjectInfo{}, fmt.Errorf("erasure: commit %s/%s: %w", bucket, key, err)
	}
	l.usage.change(bucket, latest(prev), latest(rec))
	l.queuePartial(bucket, key, errs)
	if twoPhase {
		errs = l.finishPhase(ctx, s, errs, func(pos int, b *drive.Batch) {
			finishVersion(b, pos, old, v.DataDir, more)
			dropStrays(b, strays, pos)
		})
		if err := quorumErr(s.votes(errs), quorum); err != nil {
			l.log.Warn("second commit phase missed quorum; heal will finish it", "bucket", bucket, "key", key, "err", err)
		}
		l.queuePartial(bucket, key, errs)
		finishErrs = errs
	}
	l.removeStrays(ctx, s, strays, finishErrs)
	l.removeData(ctx, s, old, v.DataDir)
	info := versionInfo(bucket, key, &rec.Versions[0], true)
	info.Versioned = st != meta.Unversioned
	return info, nil
}

// dataBatch starts the first-phase batch of drive pos for version v
// written as w (nil: metadata only): v's staged shard files, or its
// inline shard.
func dataBatch(w *written, v *meta.Version, pos int) drive.Batch {
	b := drive.Batch{DataDir: v.DataDir}
	if w != nil {
		b.Stage = w.stage
		if v.Inline {
			b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSInline, Key: drive.InlineKey(v.DataDir), Value: w.inline[pos]})
		}
	}
	return b
}

// versionQuorum is the write quorum a commit of v needs on s: the set's,
// or that of v's own layout when it is stricter.
func (s *set) versionQuorum(v *meta.Version) int {
	return max(s.writeQuorum(), s.quorumOf(v.Erasure.Data, v.Erasure.Parity))
}

// finishVersion adds to b the second-phase work of a commit: dropping
// the replaced version old (unless its data lives on in keep), then
// extra.
func finishVersion(b *drive.Batch, pos int, old *meta.Version, keep meta.DataDir, extra func(pos int, b *drive.Batch)) {
	dropVersion(b, old, keep)
	if extra != nil {
		extra(pos, b)
	}
}

// finishPhase applies the second commit phase built by mk on every drive
// and returns the per-drive errors; when no drive has anything to commit
// (a new key with nothing replaced) nothing is written and the first
// phase's errors are returned.
func (l *Layer) finishPhase(ctx context.Context, s *set, first []error, mk func(pos int, b *drive.Batch)) []error {
	batches := make([]drive.Batch, len(s.drives))
	empty := true
	for pos := range batches {
		mk(pos, &batches[pos])
		empty = empty && len(batches[pos].Mutations) == 0 && len(batches[pos].Unref) == 0 && len(batches[pos].Ref) == 0
	}
	if empty {
		return first
	}
	return s.applyEach(ctx, nil, func(pos int) drive.Batch { return batches[pos] })
}

// revertVersion undoes a first-phase commit on the drives that accepted
// it: the previous record comes back and the new data is dropped.
func (l *Layer) revertVersion(ctx context.Context, s *set, errs []error, bucket, key string, prev *meta.Record, w *written, v meta.Version) {
	l.revertWrite(ctx, s, errs, bucket, key, w, v, func(pos int, _ drive.Drive) (drive.Mutation, bool) {
		m := drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, key), Delete: true}
		if len(prev.Versions) > 0 {
			m.Delete, m.Value = false, encodeFor(prev, pos)
		}
		return m, true
	})
}

// revertWrite undoes a first-phase commit of v on the drives that
// accepted it: record(pos, d) gives the mutation that restores d's record
// (false: leave d as it is), and v's new data is dropped with it. The
// batches are built one drive after the other (record may use shared
// state), then applied together.
func (l *Layer) revertWrite(ctx context.Context, s *set, errs []error, bucket, key string, w *written, v meta.Version, record func(pos int, d drive.Drive) (drive.Mutation, bool)) {
	ctx = context.WithoutCancel(ctx)
	batches := make([]drive.Batch, len(s.drives))
	undo := make([]bool, len(s.drives))
	for pos, d := range s.drives {
		if errs[pos] != nil {
			continue
		}
		m, ok := record(pos, d)
		if !ok {
			continue
		}
		undo[pos] = true
		b := &batches[pos]
		b.Mutations = append(b.Mutations, m)
		if v.Inline {
			b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSInline, Key: drive.InlineKey(v.DataDir), Delete: true})
		} else if w != nil && w.stage != "" {
			b.Unref = append(b.Unref, v.DataDir)
		}
	}
	s.each(func(pos int, d drive.Drive) error {
		if !undo[pos] {
			return nil
		}
		if err := d.Apply(ctx, batches[pos]); err != nil {
			l.log.Warn("revert partial commit", "drive", d.Endpoint(), "bucket", bucket, "key", key, "err", err)
			return nil
		}
		if len(batches[pos].Unref) > 0 {
			d.RemoveDataDir(ctx, v.DataDir)
		}
		return nil
	})
}

// dropVersion adds to b what removes old's data from the metadata: its
// inline blob, or the reference to its data directory (unless that
// directory lives on in keep).
func dropVersion(b *drive.Batch, old *meta.Version, keep meta.DataDir) {
	if old != nil && old.DataDir != keep {
		b.DropData(old)
	}
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
		StorageClass: v.StorageClass, Checksum: v.Checksum, Lock: v.Lock,
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

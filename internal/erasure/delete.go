package erasure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// removal is the planned deletion of one version: the record's new value
// (nil to delete the record) and the data to drop.
type removal struct {
	key   string
	rec   *meta.Record
	gone  meta.Version
	noRec bool
	// strays are versions drives hold data for that the quorum's record
	// does not (see readRecordStrays), by drive position.
	strays [][]meta.Version
	// prev is the record before the removal, written back if the removal
	// misses its write quorum (set on one removal per key).
	prev *meta.Record
}

// planRemoval reads bucket/key and plans the deletion of versionID (all
// versions when all is set), refusing it when ifMatch is set and is
// neither "*" nor the version's ETag. The caller holds the key's lock.
func (l *Layer) planRemoval(ctx context.Context, s *set, bucket, key, versionID, ifMatch string, all bool) ([]removal, error) {
	rec, strays, err := s.readRecordStrays(ctx, bucket, key)
	if errors.Is(err, drive.ErrNotFound) {
		if versionID != "" && versionID != "null" {
			return nil, storage.ErrVersionNotFound
		}
		return nil, storage.ErrObjectNotFound
	}
	if err != nil {
		return nil, err
	}
	prev := &meta.Record{Versions: slices.Clone(rec.Versions)}
	if all {
		out := make([]removal, 0, len(rec.Versions))
		for i, v := range rec.Versions {
			out = append(out, removal{key: key, gone: v, noRec: true})
			if i == 0 {
				out[0].strays, out[0].prev = strays, prev
			}
		}
		return out, nil
	}
	id := versionID
	if id == "null" {
		id = ""
	}
	i := rec.Find(id)
	if i < 0 {
		if versionID == "" {
			return nil, storage.ErrObjectNotFound
		}
		return nil, storage.ErrVersionNotFound
	}
	if ifMatch != "" && ifMatch != "*" && ifMatch != rec.Versions[i].ETag {
		return nil, storage.ErrPreconditionFailed
	}
	r := removal{key: key, gone: rec.Versions[i], strays: strays, prev: prev}
	rec.Versions = append(rec.Versions[:i], rec.Versions[i+1:]...)
	r.rec, r.noRec = rec, len(rec.Versions) == 0
	return []removal{r}, nil
}

// applyRemovals commits the removals of one set and then removes their
// data directories. With several drives it commits in two phases, as
// commitVersion does: first only the records, which are written back on
// the drives that took them if fewer than a write quorum did (so a failed
// delete changes nothing); then, with the quorum reached, the removed
// versions' inline data and references.
func (l *Layer) applyRemovals(ctx context.Context, s *set, bucket string, rs []removal) error {
	if len(rs) == 0 {
		return nil
	}
	twoPhase := len(s.drives) > 1
	errs := s.applyEach(ctx, nil, func(pos int) drive.Batch {
		var b drive.Batch
		for i := range rs {
			r := &rs[i]
			m := drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, r.key)}
			if r.noRec {
				m.Delete = true
			} else {
				m.Value = encodeFor(r.rec, pos)
			}
			b.Mutations = append(b.Mutations, m)
		}
		if !twoPhase {
			dropRemoved(&b, rs, pos)
		}
		return b
	})
	if err := l.settle(ctx, s, errs, s.writeQuorum()); err != nil {
		if twoPhase {
			l.revertRemovals(ctx, s, bucket, rs, errs)
		}
		return fmt.Errorf("erasure: commit: %w", err)
	}
	for i := range rs {
		if p := rs[i].prev; p != nil {
			var after *meta.Version
			if !rs[i].noRec {
				after = latest(rs[i].rec)
			}
			l.usage.change(bucket, latest(p), after)
		}
		l.queuePartial(bucket, rs[i].key, errs)
	}
	if twoPhase {
		errs = l.finishPhase(ctx, s, errs, func(pos int, b *drive.Batch) { dropRemoved(b, rs, pos) })
		if err := quorumErr(s.votes(errs), s.writeQuorum()); err != nil {
			l.log.Warn("second delete phase missed quorum; heal will finish it", "bucket", bucket, "err", err)
		}
	}
	for i := range rs {
		l.queuePartial(bucket, rs[i].key, errs)
		l.removeStrays(ctx, s, rs[i].strays, errs)
		l.removeData(ctx, s, &rs[i].gone, meta.DataDir{})
	}
	return nil
}

// dropRemoved adds to b what drops the data of every removed version and
// of the strays on drive position pos.
func dropRemoved(b *drive.Batch, rs []removal, pos int) {
	for i := range rs {
		dropVersion(b, &rs[i].gone, meta.DataDir{})
		dropStrays(b, rs[i].strays, pos)
	}
}

// revertRemovals writes the previous records back on the drives that
// took a removal that missed its quorum.
func (l *Layer) revertRemovals(ctx context.Context, s *set, bucket string, rs []removal, errs []error) {
	ctx = context.WithoutCancel(ctx)
	batches := make([]drive.Batch, len(s.drives)) // built in turn: encodeFor sets shard indexes
	for pos := range batches {
		if errs[pos] != nil {
			continue
		}
		for i := range rs {
			if p := rs[i].prev; p != nil {
				batches[pos].Mutations = append(batches[pos].Mutations, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, rs[i].key), Value: encodeFor(p, pos)})
			}
		}
	}
	s.each(func(pos int, d drive.Drive) error {
		if errs[pos] != nil || len(batches[pos].Mutations) == 0 {
			return nil
		}
		if err := d.Apply(ctx, batches[pos]); err != nil {
			l.log.Warn("revert partial delete", "drive", d.Endpoint(), "bucket", bucket, "err", err)
		}
		return nil
	})
}

// DeleteObject removes a version (the null version when VersionID is "").
func (l *Layer) DeleteObject(ctx context.Context, bucket, key string, opts storage.DeleteOptions) (storage.ObjectInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ObjectInfo{}, notFoundForBadKey(err)
	}
	s := l.setFor(bucket, key)
	unlock, err := l.locker.Lock(ctx, objectLock(bucket, key))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	defer unlock()
	rs, err := l.planRemoval(ctx, s, bucket, key, opts.VersionID, opts.IfMatch, false)
	if err != nil {
		if errors.Is(err, storage.ErrObjectNotFound) || errors.Is(err, storage.ErrVersionNotFound) {
			if _, berr := l.bucketInfo(ctx, bucket); berr != nil {
				return storage.ObjectInfo{}, berr
			}
		}
		return storage.ObjectInfo{}, fmt.Errorf("erasure: delete %s/%s: %w", bucket, key, err)
	}
	if err := l.applyRemovals(ctx, s, bucket, rs); err != nil {
		return storage.ObjectInfo{}, err
	}
	return versionInfo(bucket, key, &rs[0].gone, true), nil
}

// DeleteObjects removes many keys: per set, one locked batch per drive.
func (l *Layer) DeleteObjects(ctx context.Context, bucket string, refs []storage.ObjectRef) []storage.DeleteResult {
	out := make([]storage.DeleteResult, len(refs))
	for i, r := range refs {
		out[i].Ref = r
	}
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	bySet := map[*set][]int{}
	for i, r := range refs {
		if err := checkObject(bucket, r.Key); err != nil {
			out[i].Err = notFoundForBadKey(err)
			continue
		}
		s := l.setFor(bucket, r.Key)
		bySet[s] = append(bySet[s], i)
	}
	for s, idx := range bySet {
		l.deleteInSet(ctx, s, bucket, refs, idx, out)
	}
	return out
}

func (l *Layer) deleteInSet(ctx context.Context, s *set, bucket string, refs []storage.ObjectRef, idx []int, out []storage.DeleteResult) {
	keys := make([]string, 0, len(idx))
	for _, i := range idx {
		keys = append(keys, refs[i].Key)
	}
	unlock, err := l.lockKeys(ctx, bucket, keys)
	if err != nil {
		for _, i := range idx {
			out[i].Err = err
		}
		return
	}
	defer unlock()
	var plan []removal
	var owners []int
	planned := map[string]bool{}
	for _, i := range idx {
		r := refs[i]
		if planned[r.Key] {
			continue // the same key twice in one batch: already being deleted
		}
		rs, err := l.planRemoval(ctx, s, bucket, r.Key, r.VersionID, r.IfMatch, false)
		if err != nil {
			out[i].Err = fmt.Errorf("erasure: delete %s/%s: %w", bucket, r.Key, err)
			continue
		}
		planned[r.Key] = true
		plan = append(plan, rs...)
		owners = append(owners, i)
	}
	if err := l.applyRemovals(ctx, s, bucket, plan); err != nil {
		for _, i := range owners {
			out[i].Err = err
		}
	}
}

// lockKeys takes the locks of many keys in sorted order (so two batches
// cannot deadlock) and returns one func releasing them all.
func (l *Layer) lockKeys(ctx context.Context, bucket string, keys []string) (func(), error) {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	var unlocks []func()
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for i, k := range sorted {
		if i > 0 && sorted[i-1] == k {
			continue
		}
		u, err := l.locker.Lock(ctx, objectLock(bucket, k))
		if err != nil {
			release()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return release, nil
}

// emptyBucket removes every object and upload of a bucket (force delete).
// The caller holds the bucket's lock exclusively.
func (l *Layer) emptyBucket(ctx context.Context, bucket string) error {
	return l.eachSet(func(s *set) error {
		for range maxPages {
			res, err := l.walkSet(ctx, s, drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(bucket), Limit: 1000, KeysOnly: true})
			if err != nil {
				return err
			}
			if len(res.Entries) == 0 {
				break
			}
			var plan []removal
			for _, e := range res.Entries {
				rs, err := l.planRemoval(ctx, s, bucket, e.Name, "", "", true)
				if err != nil && !errors.Is(err, storage.ErrObjectNotFound) {
					return err
				}
				plan = append(plan, rs...)
			}
			if err := l.applyRemovals(ctx, s, bucket, plan); err != nil {
				return err
			}
		}
		return l.abortAll(ctx, s, bucket)
	})
}

// maxPages bounds the page loops over a bucket (1000 keys a page).
const maxPages = 1 << 30

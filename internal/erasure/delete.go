package erasure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// removal is the planned deletion of one version, or the delete marker
// a delete adds: the record's new value (nil to delete the record) and
// the data to drop.
type removal struct {
	key   string
	rec   *meta.Record
	gone  *meta.Version // the version removed or replaced; nil for none
	noRec bool
	// marker is the delete marker added, when the delete adds one.
	marker *meta.Version
	// strays are versions drives hold data for that the quorum's record
	// does not (see readRecordStrays), by drive position.
	strays [][]meta.Version
	// prev is the record before the removal, written back if the removal
	// misses its write quorum (set on one removal per key).
	prev *meta.Record
	// versioned says the bucket's versioning is enabled or suspended.
	versioned bool
}

// emptied says the key has no version left after r.
func (r *removal) emptied() bool { return r.noRec || r.rec == nil || len(r.rec.Versions) == 0 }

// info describes what r did, as DeleteObject reports it.
func (r *removal) info(bucket string) storage.ObjectInfo {
	var info storage.ObjectInfo
	switch {
	case r.marker != nil:
		info = versionInfo(bucket, r.key, r.marker, true)
	case r.gone != nil:
		info = versionInfo(bucket, r.key, r.gone, false)
	default:
		info = storage.ObjectInfo{Bucket: bucket, Key: r.key}
	}
	info.Versioned = r.versioned
	return info
}

// planRemoval reads bucket/key and plans a delete in a bucket in state
// st (see planOn); with all set, of every version. The caller holds the
// key's lock.
func (l *Layer) planRemoval(ctx context.Context, s *set, bucket, key, versionID, ifMatch string, guard func(storage.ObjectInfo) error, st meta.Versioning, all bool) ([]removal, error) {
	rec, strays, err := s.readRecordStrays(ctx, bucket, key)
	if errors.Is(err, drive.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if all {
		if rec == nil {
			return nil, storage.ErrObjectNotFound
		}
		prev := &meta.Record{Versions: slices.Clone(rec.Versions)}
		out := make([]removal, 0, len(rec.Versions))
		for i := range rec.Versions {
			out = append(out, removal{key: key, gone: &rec.Versions[i], noRec: true})
			if i == 0 {
				out[0].strays, out[0].prev = strays, prev
			}
		}
		return out, nil
	}
	r, err := l.planOn(bucket, rec, key, versionID, ifMatch, guard, st)
	if err != nil {
		return nil, err
	}
	r.strays = strays
	return []removal{r}, nil
}

// planOn plans a delete of key, whose record is rec (nil when none), in a
// bucket in state st, changing rec in place: of versionID when one is
// named ("null" the null version), else, as meta.PlanDelete says, of the
// null version or the addition of a delete marker. It refuses the delete
// when ifMatch is set and is neither "*" nor the ETag of the version
// named (or of the current version, for a marker), or when guard, called
// with the version a delete would remove, refuses it. The removal carries
// prev, the record before; when several plans share one rec (a batch
// naming a key twice) the caller keeps only the first one's.
func (l *Layer) planOn(bucket string, rec *meta.Record, key, versionID, ifMatch string, guard func(storage.ObjectInfo) error, st meta.Versioning) (removal, error) {
	addMarker := meta.PlanDelete(st, versionID != "") == meta.AddMarker
	if rec == nil {
		switch {
		case addMarker:
			rec = &meta.Record{}
		case versionID != "" && versionID != meta.NullVersionID:
			return removal{}, storage.ErrVersionNotFound
		default:
			return removal{}, storage.ErrObjectNotFound
		}
	}
	r := removal{key: key, rec: rec, prev: &meta.Record{Versions: slices.Clone(rec.Versions)}, versioned: st != meta.Unversioned}
	if addMarker {
		if err := checkConditions(rec, "", ifMatch); err != nil {
			return removal{}, err
		}
		id, err := l.newVersionID()
		if err != nil {
			return removal{}, err
		}
		r.gone = rec.Add(meta.Version{ID: meta.WriteID(st, id), DeleteMarker: true, ModTime: time.Now().UTC()})
		m := rec.Versions[0]
		r.marker = &m
		return r, nil
	}
	id := versionID
	if id == meta.NullVersionID {
		id = ""
	}
	i := rec.Find(id)
	if i < 0 {
		if versionID == "" {
			return removal{}, storage.ErrObjectNotFound
		}
		return removal{}, storage.ErrVersionNotFound
	}
	if ifMatch != "" && ifMatch != "*" && ifMatch != rec.Versions[i].ETag {
		return removal{}, storage.ErrPreconditionFailed
	}
	if guard != nil {
		if err := guard(readInfo(bucket, key, rec, &rec.Versions[i])); err != nil {
			return removal{}, err
		}
	}
	gone, _ := rec.Remove(id)
	r.gone = &gone
	return r, nil
}

// newVersionID makes a version ID from the clock and crypto/rand.
func (l *Layer) newVersionID() (string, error) {
	return meta.NewVersionID(time.Now(), rand.Reader)
}

// bucketVersioning reads the versioning state of a bucket from its
// record; the caller holds the bucket's lock (shared), so the state
// cannot change before its write commits.
func (l *Layer) bucketVersioning(ctx context.Context, bucket string) (meta.Versioning, error) {
	info, err := l.bucketInfo(ctx, bucket)
	if err != nil {
		return meta.Unversioned, err
	}
	return versioningOf(info)
}

// versioningOf reads the versioning state stored in a bucket record.
func versioningOf(info storage.BucketInfo) (meta.Versioning, error) {
	st, err := meta.ParseVersioning(info.Configs[storage.ConfigVersioning])
	if err != nil {
		return meta.Unversioned, fmt.Errorf("erasure: bucket %q: %w: %w", info.Name, storage.ErrCorrupt, err)
	}
	return st, nil
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
			if r.emptied() {
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
			if !rs[i].emptied() {
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
		l.removeData(ctx, s, rs[i].gone, meta.DataDir{})
	}
	return nil
}

// dropRemoved adds to b what drops the data of every removed version and
// of the strays on drive position pos.
func dropRemoved(b *drive.Batch, rs []removal, pos int) {
	for i := range rs {
		dropVersion(b, rs[i].gone, meta.DataDir{})
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
				m := drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, rs[i].key), Delete: true}
				if len(p.Versions) > 0 { // else the key was new (a delete marker's)
					m.Delete, m.Value = false, encodeFor(p, pos)
				}
				batches[pos].Mutations = append(batches[pos].Mutations, m)
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

// DeleteObject removes the version opts names; when it names none, it
// removes the null version of an unversioned bucket and adds a delete
// marker in a versioned or suspended one (meta.PlanDelete). The bucket's
// lock, held shared, keeps its versioning state fixed until the commit.
func (l *Layer) DeleteObject(ctx context.Context, bucket, key string, opts storage.DeleteOptions) (storage.ObjectInfo, error) {
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
	st, err := l.bucketVersioning(ctx, bucket)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	rs, err := l.planRemoval(ctx, s, bucket, key, opts.VersionID, opts.IfMatch, opts.Guard, st, false)
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: delete %s/%s: %w", bucket, key, err)
	}
	if err := l.applyRemovals(ctx, s, bucket, rs); err != nil {
		return storage.ObjectInfo{}, err
	}
	return rs[0].info(bucket), nil
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
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err == nil {
		defer unlockB()
	}
	var st meta.Versioning
	if err == nil {
		st, err = l.bucketVersioning(ctx, bucket)
	}
	if err != nil {
		for i := range out {
			if out[i].Err == nil {
				out[i].Err = err
			}
		}
		return out
	}
	for s, idx := range bySet {
		l.deleteInSet(ctx, s, bucket, refs, idx, st, out)
	}
	return out
}

func (l *Layer) deleteInSet(ctx context.Context, s *set, bucket string, refs []storage.ObjectRef, idx []int, st meta.Versioning, out []storage.DeleteResult) {
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
	// Each key's record is read once; every request naming the key
	// (several versions of it, say) is planned on it in turn, and the
	// key's removals all write its final record.
	type keyState struct {
		rec    *meta.Record
		strays [][]meta.Version
		first  bool
		done   map[string]int // version named -> the request that planned it
	}
	byKey := map[string]*keyState{}
	var plan []removal
	var owners []int
	for _, i := range idx {
		r := refs[i]
		ks := byKey[r.Key]
		if ks == nil {
			rec, strays, err := s.readRecordStrays(ctx, bucket, r.Key)
			if errors.Is(err, drive.ErrNotFound) {
				rec, err = nil, nil
			}
			if err != nil {
				out[i].Err = fmt.Errorf("erasure: delete %s/%s: %w", bucket, r.Key, err)
				continue
			}
			ks = &keyState{rec: rec, strays: strays, first: true, done: map[string]int{}}
			byKey[r.Key] = ks
		}
		named := r.VersionID
		if named == meta.NullVersionID {
			named = ""
		}
		if r.VersionID == "" {
			named = "\x00" // no version named: tell it from "null"
		}
		if j, ok := ks.done[named]; ok {
			out[i].Info = out[j].Info // the same request twice: answered alike
			owners = append(owners, i)
			continue
		}
		rm, err := l.planOn(bucket, ks.rec, r.Key, r.VersionID, r.IfMatch, r.Guard, st)
		if err != nil {
			out[i].Err = fmt.Errorf("erasure: delete %s/%s: %w", bucket, r.Key, err)
			continue
		}
		ks.rec = rm.rec // a marker may have made the key
		if ks.first {
			rm.strays, ks.first = ks.strays, false
		} else {
			rm.prev = nil // the key's first removal writes it back
		}
		out[i].Info = rm.info(bucket)
		ks.done[named] = i
		plan = append(plan, rm)
		owners = append(owners, i)
	}
	if err := l.applyRemovals(ctx, s, bucket, plan); err != nil {
		for _, i := range owners {
			out[i].Err = err
			out[i].Info = storage.ObjectInfo{}
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
				rs, err := l.planRemoval(ctx, s, bucket, e.Name, "", "", nil, meta.Unversioned, true)
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

package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// each runs fn for every drive of the set, in parallel when there are
// several, and returns the per-drive errors in drive order.
func (s *set) each(fn func(pos int, d drive.Drive) error) []error {
	errs := make([]error, len(s.drives))
	if len(s.drives) == 1 {
		errs[0] = fn(0, s.drives[0])
		return errs
	}
	var wg sync.WaitGroup
	for i, d := range s.drives {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, d)
		}()
	}
	wg.Wait()
	return errs
}

// getQuorum reads key from every drive and returns the value a read quorum
// agrees on (stale drives do not count); ErrNotFound (from drive) if a
// quorum says it is absent.
// normalize, if set, maps a value to the form compared between drives.
func (s *set) getQuorum(ctx context.Context, ns drive.Namespace, key string, normalize func([]byte) []byte) ([]byte, error) {
	if len(s.drives) == 1 {
		return s.drives[0].Get(ctx, ns, key)
	}
	vals := make([][]byte, len(s.drives))
	errs := s.each(func(pos int, d drive.Drive) error {
		v, err := d.Get(ctx, ns, key)
		vals[pos] = v
		return err
	})
	if ns == drive.NSObject {
		v, _, err := pickRecordQuorum(vals, s.votes(errs), s.readQuorum(), normalize)
		return v, err
	}
	return pickQuorum(vals, s.votes(errs), s.readQuorum(), normalize)
}

// pickQuorum chooses the value (or not-found) that at least quorum drives
// returned; ties go to the value over not-found.
func pickQuorum(vals [][]byte, errs []error, quorum int, normalize func([]byte) []byte) ([]byte, error) {
	v, _, err := pickQuorumCount(vals, errs, quorum, normalize)
	return v, err
}

// pickRecordQuorum is pickQuorumCount for object records (normalize
// being normalizeRecord or normalizeNewest). When every drive that
// answered with a record holds the same bytes but for the erasure indexes
// (meta.SameRecordEncoding: then their normalized forms are equal too),
// the vote has one candidate and is settled without normalizing, which
// decodes and encodes every version of every copy; otherwise it is
// pickQuorumCount's vote. The answer is the same either way.
func pickRecordQuorum(vals [][]byte, errs []error, quorum int, normalize func([]byte) []byte) ([]byte, int, error) {
	if normalize == nil {
		// Raw bytes are compared: copies differing in their indexes are
		// different answers, which the shortcut would merge.
		return pickQuorumCount(vals, errs, quorum, normalize)
	}
	first, count, notFound := -1, 0, 0
	for i, err := range errs {
		switch {
		case errors.Is(err, drive.ErrNotFound):
			notFound++
		case err != nil:
		case first < 0:
			first, count = i, 1
		case meta.SameRecordEncoding(vals[first], vals[i]):
			count++
		default:
			return pickQuorumCount(vals, errs, quorum, normalize)
		}
	}
	if first >= 0 && count >= quorum && count >= notFound {
		return vals[first], count, nil
	}
	return pickQuorumCount(vals, errs, quorum, normalize)
}

// pickQuorumCount is pickQuorum that also returns how many drives gave
// the chosen answer (the value, or not-found).
func pickQuorumCount(vals [][]byte, errs []error, quorum int, normalize func([]byte) []byte) ([]byte, int, error) {
	type group struct {
		norm  []byte
		value []byte
		count int
	}
	var groups []group
	notFound := 0
	for i, err := range errs {
		if errors.Is(err, drive.ErrNotFound) {
			notFound++
			continue
		}
		if err != nil {
			continue
		}
		n := vals[i]
		if normalize != nil {
			n = normalize(n)
		}
		found := false
		for g := range groups {
			if bytes.Equal(groups[g].norm, n) {
				groups[g].count++
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{norm: n, value: vals[i], count: 1})
		}
	}
	best := -1
	for g := range groups {
		switch {
		case best < 0 || groups[g].count > groups[best].count:
			best = g
		case groups[g].count == groups[best].count && normalize != nil && latestIsNewer(groups[g].value, groups[best].value):
			// A tie between object records (a write interrupted after
			// reaching some drives): take the newer, as listings do.
			best = g
		}
	}
	if best >= 0 && groups[best].count >= quorum && groups[best].count >= notFound {
		return groups[best].value, groups[best].count, nil
	}
	if notFound >= quorum {
		return nil, notFound, drive.ErrNotFound
	}
	return nil, 0, reduceErr(errs, quorum, storage.ErrReadQuorum)
}

// latestIsNewer reports whether object record a's latest version is newer
// than b's; false if either does not decode.
func latestIsNewer(a, b []byte) bool {
	va, okA, errA := meta.DecodeLatest(a)
	vb, okB, errB := meta.DecodeLatest(b)
	return errA == nil && errB == nil && okA && okB && va.ModTime.After(vb.ModTime)
}

// normalizeRecord re-encodes a record with the per-drive shard index
// cleared, so records of one object from different drives compare equal.
func normalizeRecord(b []byte) []byte { return meta.NormalizeRecord(b) }

// readRecords reads the object record of bucket/key from every drive of
// the set, returning the raw values and errors by drive position.
func (s *set) readRecords(ctx context.Context, bucket, key string) ([][]byte, []error) {
	return s.readRecordsFor(ctx, bucket, key, false)
}

// readRecordsFor is readRecords that, with newest, reads each drive's
// record for a read of its newest version only (drive.Drive.GetNewest).
func (s *set) readRecordsFor(ctx context.Context, bucket, key string, newest bool) ([][]byte, []error) {
	vals := make([][]byte, len(s.drives))
	k := drive.ObjectKey(bucket, key)
	errs := s.each(func(pos int, d drive.Drive) error {
		var v []byte
		var err error
		if newest {
			v, err = d.GetNewest(ctx, k)
		} else {
			v, err = d.Get(ctx, drive.NSObject, k)
		}
		vals[pos] = v
		return err
	})
	return vals, errs
}

// normalizeNewest is normalizeRecord of the newest version alone: the
// form records read with GetNewest compare in, whether a drive answered
// with that version alone or (an older node) with the whole record.
func normalizeNewest(b []byte) []byte {
	if cut, ok := meta.AppendNewest(nil, b); ok {
		b = cut
	}
	return meta.NormalizeRecord(b)
}

// decodeRecordOf decodes the record of bucket/key.
func decodeRecordOf(bucket, key string, v []byte) (*meta.Record, error) {
	rec, err := meta.DecodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("erasure: object %s/%s: %w", bucket, key, err)
	}
	return rec, nil
}

// readRecord reads and decodes the object record of bucket/key;
// drive.ErrNotFound if there is none.
func (s *set) readRecord(ctx context.Context, bucket, key string) (*meta.Record, error) {
	v, err := s.getQuorum(ctx, drive.NSObject, drive.ObjectKey(bucket, key), normalizeRecord)
	if err != nil {
		return nil, err
	}
	rec, err := meta.DecodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("erasure: object %s/%s: %w", bucket, key, err)
	}
	return rec, nil
}

// encodeFor encodes rec as stored on drive position pos: every version's
// Erasure.Index is the shard that position holds.
func encodeFor(rec *meta.Record, pos int) []byte { return meta.EncodeFor(rec, pos) }

// shardOf returns the drive position holding shard number idx (0-based).
func shardPos(dist []uint8, idx int) int {
	for pos, s := range dist {
		if int(s) == idx+1 {
			return pos
		}
	}
	return -1
}

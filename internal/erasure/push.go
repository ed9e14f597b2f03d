package erasure

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// A write of a new version into a bucket with versioning enabled keeps
// every version there is and puts the new one in front: it needs the
// newest version (for the conditions and the usage), not the older ones.
// So when every drive of the set holds the same newest version, the
// write reads only that (Drive.GetNewestToWrite) and hands each drive a push
// (drive.Mutation.Push) of the new version onto the newest it read: a new
// version of a key with a thousand costs what one of a key with one
// does. Anything else (a drive that does not answer or disagrees, a
// stale drive, a record that is not cut, another versioning state) takes
// the whole-record write of commitVersion, which also repairs what
// differs. A difference in older versions alone (a drive that missed a
// version's removal) is not seen here: the write that missed it queued
// the key for healing (queuePartial), which writes the whole record.

// newestRead is what every drive of a set answered for an object's
// newest version, when they agree.
type newestRead struct {
	// rec is the newest version, decoded (no versions: no record).
	rec *meta.Record
	// raw is each drive's answer, the Expect of its push (nil: none).
	raw [][]byte
}

// readNewestAgreed reads the newest version of bucket/key from every
// drive of s and reports whether they all answered the same: the same
// version (but for its erasure index), or no record. ok is false when a
// push cannot be trusted to make what a whole-record write would.
func (s *set) readNewestAgreed(ctx context.Context, bucket, key string) (nr newestRead, ok bool) {
	if s.staleMask() != nil {
		return nr, false
	}
	k := drive.ObjectKey(bucket, key)
	raw := make([][]byte, len(s.drives))
	errs := s.each(func(pos int, d drive.Drive) error {
		v, err := d.GetNewestToWrite(ctx, k)
		raw[pos] = v
		return err
	})
	found := 0
	for pos, err := range errs {
		switch {
		case errors.Is(err, drive.ErrNotFound):
			raw[pos] = nil
		case err != nil, !meta.SingleVersion(raw[pos]):
			return nr, false // offline, or a whole record (an older node)
		case found > 0 && !meta.SameRecordEncoding(raw[0], raw[pos]):
			return nr, false
		default:
			found++
		}
	}
	nr.raw, nr.rec = raw, &meta.Record{}
	switch found {
	case 0:
		return nr, true
	case len(raw):
		rec, err := meta.DecodeRecord(raw[0])
		if err != nil {
			return nr, false
		}
		nr.rec = rec
		return nr, true
	}
	return nr, false
}

// pushVersion is commitVersion for a version v with a fresh ID in a
// versioned bucket whose drives agree on the newest version (nr): every
// drive gets v pushed onto what it holds, in two phases on several
// drives as commitVersion does (here nothing is replaced, so the second
// phase only runs more).
func (l *Layer) pushVersion(ctx context.Context, s *set, bucket, key string, w *written, v meta.Version, co commitOptions, more func(pos int, b *drive.Batch), nr newestRead) (storage.ObjectInfo, error) {
	if err := checkConditions(nr.rec, co.ifNoneMatch, co.ifMatch); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: %s/%s: %w", bucket, key, err)
	}
	one := &meta.Record{Versions: []meta.Version{v}}
	twoPhase := len(s.drives) > 1
	errs := s.applyEach(ctx, w, func(pos int) drive.Batch {
		b := dataBatch(w, &v, pos)
		b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, key), Value: encodeFor(one, pos), Push: true, Expect: nr.raw[pos]})
		if !twoPhase && more != nil {
			more(pos, &b)
		}
		return b
	})
	quorum := s.versionQuorum(&v)
	if err := l.settle(ctx, s, errs, quorum); err != nil {
		if twoPhase {
			l.revertWrite(ctx, s, errs, bucket, key, w, v, func(pos int, d drive.Drive) (drive.Mutation, bool) {
				return unpushed(context.WithoutCancel(ctx), d, bucket, key, v)
			})
		}
		return storage.ObjectInfo{}, fmt.Errorf("erasure: commit %s/%s: %w", bucket, key, err)
	}
	l.usage.change(bucket, latest(nr.rec), latest(one))
	l.queuePartial(bucket, key, errs)
	if twoPhase && more != nil {
		errs = l.finishPhase(ctx, s, errs, more)
		if err := quorumErr(s.votes(errs), quorum); err != nil {
			l.log.Warn("second commit phase missed quorum; heal will finish it", "bucket", bucket, "key", key, "err", err)
		}
		l.queuePartial(bucket, key, errs)
	}
	info := versionInfo(bucket, key, &v, true)
	info.Versioned = true
	return info, nil
}

// unpushed returns the mutation that takes v, pushed by a write that
// failed, off d's record of bucket/key again: the record as d holds it
// without v. ok is false when d's record cannot be read or no longer
// holds v; the revert then leaves d alone (healing settles it).
func unpushed(ctx context.Context, d drive.Drive, bucket, key string, v meta.Version) (m drive.Mutation, ok bool) {
	k := drive.ObjectKey(bucket, key)
	whole, err := d.Get(ctx, drive.NSObject, k)
	if err != nil {
		return m, false
	}
	rec, err := meta.DecodeRecord(whole)
	if err != nil {
		return m, false
	}
	i := rec.Find(v.ID)
	if i < 0 || rec.Versions[i].DataDir != v.DataDir {
		return m, false
	}
	rec.Versions = append(rec.Versions[:i], rec.Versions[i+1:]...)
	if len(rec.Versions) == 0 {
		return drive.Mutation{NS: drive.NSObject, Key: k, Delete: true}, true
	}
	return drive.Mutation{NS: drive.NSObject, Key: k, Value: meta.EncodeRecord(rec)}, true
}

package erasure

import (
	"context"
	"errors"
	"io"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// HealQueue takes the objects to heal in the background: those reads
// found damaged and those writes committed while missing drives. The
// server hands the engine the heal scheduler's queue (heal.Queue); Push
// must never block (a full queue drops the object: the scanner finds it).
type HealQueue interface {
	Push(bucket, key string, deep bool)
}

// noHealQueue is the queue of an engine nobody heals: it drops everything.
type noHealQueue struct{}

func (noHealQueue) Push(string, string, bool) {}

// queuePartial queues bucket/key for healing when a committed write
// missed some drives (errs by drive position): the heal worker brings them
// the write, retrying until they answer.
func (l *Layer) queuePartial(bucket, key string, errs []error) {
	for _, e := range errs {
		if e != nil {
			l.healq.Push(bucket, key, false)
			return
		}
	}
}

// readRecordHealing reads the record of bucket/key like readRecord and
// queues the object for healing when some drive that answered disagrees
// with the quorum (a record missing, stale or undecodable). newest reads
// it for the current version only (drive.Drive.GetNewest): the drives'
// copies are then compared on their newest version, and the record
// returned may lack the older versions.
func (l *Layer) readRecordHealing(ctx context.Context, s *set, bucket, key string, newest bool) (*meta.Record, error) {
	if len(s.drives) == 1 && !newest {
		return s.readRecord(ctx, bucket, key)
	}
	if len(s.drives) == 1 {
		v, err := s.drives[0].GetNewest(ctx, drive.ObjectKey(bucket, key))
		if err != nil {
			return nil, err
		}
		return decodeRecordOf(bucket, key, v)
	}
	vals, errs := s.readRecordsFor(ctx, bucket, key, newest)
	errs = s.votes(errs) // a stale drive is rebuilt as a whole, not queued
	normalize := normalizeRecord
	if newest {
		normalize = normalizeNewest
	}
	v, agree, err := pickRecordQuorum(vals, errs, s.readQuorum(), normalize)
	answered := 0
	for _, e := range errs {
		if e == nil || errors.Is(e, drive.ErrNotFound) {
			answered++
		}
	}
	if (err == nil || errors.Is(err, drive.ErrNotFound)) && agree < answered {
		l.healq.Push(bucket, key, false)
	}
	if err != nil {
		return nil, err
	}
	rec, err := meta.DecodeRecord(v)
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// damaged is the read path's report of a shard that could not be used:
// the object is queued for healing, deeply when the shard's content was
// wrong rather than unavailable.
func (o *object) damaged(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	deep := errors.Is(err, storage.ErrCorrupt) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	o.l.healq.Push(o.info.Bucket, o.info.Key, deep)
}

package erasure

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// HealOptions tune one heal.
type HealOptions struct {
	// Deep reads every shard file and verifies its bitrot hashes; without
	// it shard files are only checked to be present (records and inline
	// blobs are always verified).
	Deep bool
	// DryRun only reports what it finds; nothing is written.
	DryRun bool
	// Throttle, when set, is called with the size of every shard frame
	// before heal reads it; it paces background heals (it may sleep, and
	// an error stops the heal).
	Throttle func(ctx context.Context, n int64) error
}

// HealDrive is one drive's copy of an object before and after a heal.
type HealDrive struct {
	Endpoint string    `json:"endpoint"`
	Before   HealState `json:"before"`
	After    HealState `json:"after"`
}

// HealResult reports what a heal of one object found and did.
type HealResult struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	// Drives lists the drives of the object's set in order.
	Drives []HealDrive `json:"drives"`
	// Exists says the object has a current version after the heal (not a
	// delete marker); Size is that version's size.
	Exists bool  `json:"exists"`
	Size   int64 `json:"size"`
	// Healed counts the drives the heal wrote to.
	Healed int `json:"healed"`
	// Removed says copies of an object that must not exist (deleted on a
	// quorum, or dangling) were removed.
	Removed bool `json:"removed"`
	// Dangling says the object could never be read again (too few drives
	// hold its record or its shards) and was removed.
	Dangling bool `json:"dangling"`
	// Bytes counts the shard bytes written.
	Bytes int64 `json:"bytes"`
}

// Clean reports whether every drive holds a good copy after the heal.
func (r HealResult) Clean() bool {
	for _, d := range r.Drives {
		if d.After != HealOK {
			return false
		}
	}
	return true
}

// Damaged reports whether the heal found any drive's copy not ok.
func (r HealResult) Damaged() bool {
	for _, d := range r.Drives {
		if d.Before != HealOK {
			return true
		}
	}
	return false
}

// healAttempts bounds the retries of a heal that raced with a writer.
const healAttempts = 3

// errHealRaced marks a heal whose object changed between its check and
// its commit; it is retried.
var errHealRaced = errors.New("erasure: heal raced with a writer")

// HealObject heals one object deeply: it reads the record from every
// drive of its set, decides which one is authoritative, verifies every
// shard (or inline blob) block by block, rebuilds what is missing, stale
// or corrupt from the good shards with Reed-Solomon, and commits it to the
// damaged drives through the normal durable path under the key's lock.
// Copies of an object deleted on a quorum, and dangling objects, are
// removed.
func (l *Layer) HealObject(ctx context.Context, bucket, key string) (HealResult, error) {
	return l.HealObjectWith(ctx, bucket, key, HealOptions{Deep: true})
}

// HealObjectWith is HealObject with options.
func (l *Layer) HealObjectWith(ctx context.Context, bucket, key string, opts HealOptions) (HealResult, error) {
	if err := checkObject(bucket, key); err != nil {
		return HealResult{Bucket: bucket, Key: key}, err
	}
	s := l.setFor(bucket, key)
	for range healAttempts - 1 {
		res, err := l.healOnce(ctx, s, bucket, key, opts)
		if !errors.Is(err, errHealRaced) {
			return res, err
		}
	}
	res, err := l.healOnce(ctx, s, bucket, key, opts)
	if errors.Is(err, errHealRaced) {
		err = fmt.Errorf("erasure: heal %s/%s: object keeps changing: %w", bucket, key, storage.ErrConflict)
	}
	return res, err
}

// healOnce runs one heal attempt: check and rebuild without the key's
// lock (reading pinned data), then commit under it after checking that
// the record did not change meanwhile.
func (l *Layer) healOnce(ctx context.Context, s *set, bucket, key string, opts HealOptions) (HealResult, error) {
	res := HealResult{Bucket: bucket, Key: key, Drives: make([]HealDrive, len(s.drives))}
	for pos, d := range s.drives {
		res.Drives[pos].Endpoint = d.Endpoint()
	}
	vals, errs := s.readRecords(ctx, bucket, key)
	dec, err := decideRecord(vals, errs, s.staleMask(), s.readQuorum())
	if err != nil {
		for pos := range res.Drives {
			res.Drives[pos].Before, res.Drives[pos].After = dec.states[pos], dec.states[pos]
		}
		return res, fmt.Errorf("erasure: heal %s/%s: %w", bucket, key, err)
	}
	p := &healPlan{l: l, s: s, bucket: bucket, key: key, dec: dec, opts: opts}
	defer p.discard(ctx)
	if dec.rec != nil {
		unpin := l.pinVersions(dec.rec)
		defer unpin()
		if err := p.check(ctx); err != nil {
			p.report(&res)
			return res, err
		}
	}
	if opts.DryRun || !p.needsWork() {
		p.report(&res)
		return res, p.dataErr
	}
	if p.dec.rec != nil {
		p.rebuild(ctx)
	}
	if err := p.commit(ctx); err != nil {
		return res, err
	}
	p.report(&res)
	return res, p.dataErr
}

// pinVersions keeps the data directories of rec's versions from being
// removed while heal reads them; the returned func releases them.
func (l *Layer) pinVersions(rec *meta.Record) func() {
	var dirs []meta.DataDir
	for _, v := range rec.Versions {
		if !v.Inline && !v.DeleteMarker {
			l.pins.pin(v.DataDir)
			dirs = append(dirs, v.DataDir)
		}
	}
	return func() {
		for _, d := range dirs {
			l.pins.unpin(d)
		}
	}
}

// lockForHeal takes the bucket's lock shared and the key's lock
// exclusively, as writers do; the returned func releases both.
func (l *Layer) lockForHeal(ctx context.Context, bucket, key string) (func(), error) {
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return nil, err
	}
	unlock, err := l.locker.Lock(ctx, objectLock(bucket, key))
	if err != nil {
		unlockB()
		return nil, err
	}
	return func() {
		unlock()
		unlockB()
	}, nil
}

// removeDirs removes data directories from the drives that dropped them,
// once no reader holds them.
func (l *Layer) removeDirs(ctx context.Context, dirs map[meta.DataDir][]drive.Drive) {
	ctx = context.WithoutCancel(ctx)
	for dir, drives := range dirs {
		l.pins.remove(dir, func() {
			for _, d := range drives {
				if err := d.RemoveDataDir(ctx, dir); err != nil {
					l.log.Warn("heal: remove data dir", "drive", d.Endpoint(), "err", err)
				}
			}
		})
	}
}

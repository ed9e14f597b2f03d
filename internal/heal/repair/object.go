package repair

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// Options tune one heal.
type Options struct {
	// Deep reads every shard file and verifies its bitrot hashes; without
	// it shard files are only checked to be present (records and inline
	// blobs are always verified).
	Deep bool
	// DryRun only reports what it finds; nothing is written.
	DryRun bool
	// Throttle, when set, is called with the size of every shard frame
	// before heal reads it; it paces background heals (it may sleep, and
	// an error stops the heal).
	Throttle Throttle
}

// DriveResult is one drive's copy of an object before and after a heal.
type DriveResult struct {
	Endpoint string `json:"endpoint"`
	Before   State  `json:"before"`
	After    State  `json:"after"`
}

// Result reports what a heal of one object found and did.
type Result struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	// Drives lists the drives of the object's set in order.
	Drives []DriveResult `json:"drives"`
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
func (r Result) Clean() bool {
	for _, d := range r.Drives {
		if d.After != OK {
			return false
		}
	}
	return true
}

// Damaged reports whether the heal found any drive's copy not ok.
func (r Result) Damaged() bool {
	for _, d := range r.Drives {
		if d.Before != OK {
			return true
		}
	}
	return false
}

// healAttempts bounds the retries of a heal that raced with a writer.
const healAttempts = 3

// errHealRaced marks a heal whose object changed between its check and
// its commit; it is retried.
var errHealRaced = errors.New("heal: raced with a writer")

// Object heals one object: it reads the record from every drive of its
// set, decides which one is authoritative, verifies every shard (or
// inline blob) block by block (only lists shard files unless opts.Deep),
// rebuilds what is missing, stale or corrupt from the good shards with
// Reed-Solomon, and commits it to the damaged drives through the normal
// durable path under the key's lock. Copies of an object deleted on a
// quorum, and dangling objects, are removed. The caller checks the names.
func (r *Repairer) Object(ctx context.Context, bucket, key string, opts Options) (Result, error) {
	s := r.e.SetFor(bucket, key)
	for range healAttempts - 1 {
		res, err := r.objectOnce(ctx, s, bucket, key, opts)
		if !errors.Is(err, errHealRaced) {
			return res, err
		}
	}
	res, err := r.objectOnce(ctx, s, bucket, key, opts)
	if errors.Is(err, errHealRaced) {
		err = fmt.Errorf("heal: %s/%s: object keeps changing: %w", bucket, key, storage.ErrConflict)
	}
	return res, err
}

// objectOnce runs one heal attempt: check and rebuild without the key's
// lock (reading pinned data), then commit under it after checking that
// the record did not change meanwhile.
func (r *Repairer) objectOnce(ctx context.Context, s Set, bucket, key string, opts Options) (Result, error) {
	drives := s.Drives()
	res := Result{Bucket: bucket, Key: key, Drives: make([]DriveResult, len(drives))}
	for pos, d := range drives {
		res.Drives[pos].Endpoint = d.Endpoint()
	}
	vals, errs := readAll(ctx, s, drive.NSObject, drive.ObjectKey(bucket, key))
	dec, err := decideRecord(vals, errs, s.Stale(), s.ReadQuorum())
	if err != nil {
		for pos := range res.Drives {
			res.Drives[pos].Before, res.Drives[pos].After = dec.states[pos], dec.states[pos]
		}
		return res, fmt.Errorf("heal: %s/%s: %w", bucket, key, err)
	}
	p := newPlan(r, s, bucket, key, dec, opts)
	defer p.discard(ctx)
	if dec.rec != nil {
		unpin := r.pinVersions(dec.rec)
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
func (r *Repairer) pinVersions(rec *meta.Record) func() {
	var dirs []meta.DataDir
	for _, v := range rec.Versions {
		if !v.Inline && !v.DeleteMarker {
			r.e.Pin(v.DataDir)
			dirs = append(dirs, v.DataDir)
		}
	}
	return func() {
		for _, d := range dirs {
			r.e.Unpin(d)
		}
	}
}

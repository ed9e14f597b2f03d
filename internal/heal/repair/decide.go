package repair

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// State is the condition of one drive's copy of an object (its record
// and its shards) as heal found or left it.
type State string

// The states heal reports per drive.
const (
	// OK: the record equals the authoritative one and every shard is present (and, in a deep heal, verified).
	OK State = "ok"
	// Missing: the record or a shard is absent.
	Missing State = "missing"
	// Stale: the record differs from the authoritative one (a write, update or delete the drive missed).
	Stale State = "stale"
	// Corrupt: the record cannot be decoded or a shard failed its bitrot hashes.
	Corrupt State = "corrupt"
	// Offline: the drive did not answer.
	Offline State = "offline"
)

// recordDecision is what heal concluded from every drive's copy of an
// object record.
type recordDecision struct {
	// rec is the authoritative record; nil when the object must not exist
	// (deleted on a quorum, or dangling).
	rec *meta.Record
	// norm is rec's normalized encoding (per-drive shard index cleared).
	norm []byte
	// dangling says no copy can ever be read: too few drives hold it.
	dangling bool
	// recs are the decoded per-drive records (nil when absent, corrupt or
	// offline) and norms their normalized encodings.
	recs  []*meta.Record
	norms [][]byte
	// base is the normalized record decided from the drives' answers
	// (nil: absent), before dangling versions are dropped; two decisions
	// agree when their bases do.
	base []byte
	// states are the per-drive record states.
	states []State
	// offline counts the drives that did not answer.
	offline int
}

// errHealUndecided marks a record no quorum agrees on while drives that
// might hold the answer are offline: heal leaves it for a later pass.
var errHealUndecided = fmt.Errorf("heal: record undecided with drives offline: %w", storage.ErrReadQuorum)

// decideRecord picks the authoritative record from every drive's answer
// (vals and errs by drive position, as Get returned them):
//
//   - the record most drives hold (ties: the newer first version, then
//     the larger encoding, so every healer decides alike) wins if at least
//     quorum drives hold it and at least as many as report it absent
//     (the rule readers apply);
//   - otherwise, if quorum drives report it absent, it must not exist:
//     copies left on other drives are leftovers of a delete;
//   - otherwise, if every drive answered, no copy can ever reach read
//     quorum: the object is dangling and is removed;
//   - otherwise drives that may hold the answer are offline: undecided.
//
// A stale drive's record (stale[i]) does not vote: it counts as offline
// for the decision, but its state is derived like any other so heal
// brings it the decided record. Only when the other drives cannot decide
// and every drive answered do the stale drives' records count.
func decideRecord(vals [][]byte, errs []error, stale []bool, quorum int) (recordDecision, error) {
	n := len(vals)
	d := recordDecision{recs: make([]*meta.Record, n), norms: make([][]byte, n), states: make([]State, n)}
	type group struct {
		norm  []byte
		rec   *meta.Record
		count int
	}
	var groups []*group
	absent, down := 0, 0
	for i := range vals {
		voter := stale == nil || !stale[i]
		if !voter {
			d.offline++
		}
		switch {
		case errors.Is(errs[i], drive.ErrNotFound):
			if voter {
				absent++
			}
			continue
		case errs[i] != nil:
			d.states[i] = Offline
			down++
			if voter {
				d.offline++
			}
			continue
		}
		rec, err := meta.DecodeRecord(vals[i])
		if err != nil {
			d.states[i] = Corrupt
			continue
		}
		d.recs[i] = rec
		d.norms[i] = meta.NormalizeRecord(vals[i])
		if !voter {
			continue
		}
		var g *group
		for _, o := range groups {
			if bytes.Equal(o.norm, d.norms[i]) {
				g = o
				break
			}
		}
		if g == nil {
			g = &group{norm: d.norms[i], rec: rec}
			groups = append(groups, g)
		}
		g.count++
	}
	var best *group
	for _, g := range groups {
		if best == nil || g.count > best.count || g.count == best.count && newerRecord(g.rec, g.norm, best.rec, best.norm) {
			best = g
		}
	}
	var rec *meta.Record
	switch {
	case best != nil && best.count >= quorum && best.count >= absent:
		rec, d.base = best.rec, best.norm
	case absent >= quorum:
	case d.offline == 0:
		d.dangling = best != nil || d.hasCorrupt()
	case down == 0 && stale != nil:
		// The drives that count disagree among themselves, so the object's
		// last write predates the stale drives' outage (every write since
		// reached all the drives that count): decide as before it, with
		// every drive, so a rebuild is never stuck on such an object.
		return decideRecord(vals, errs, nil, quorum)
	default:
		return d, errHealUndecided
	}
	d.setRecord(rec)
	return d, nil
}

// setRecord makes rec the authoritative record and derives each drive's
// record state from it (offline and corrupt states stay).
func (d *recordDecision) setRecord(rec *meta.Record) {
	d.rec, d.norm = rec, nil
	if rec != nil {
		d.norm = meta.NormalizeRecord(meta.EncodeRecord(rec))
	}
	for i := range d.states {
		if d.states[i] == Offline || d.states[i] == Corrupt && d.recs[i] == nil {
			continue
		}
		switch {
		case d.recs[i] == nil && rec == nil:
			d.states[i] = OK
		case d.recs[i] == nil:
			d.states[i] = Missing
		case rec != nil && bytes.Equal(d.norms[i], d.norm):
			d.states[i] = OK
		default:
			d.states[i] = Stale
		}
	}
}

func (d *recordDecision) hasCorrupt() bool {
	for _, s := range d.states {
		if s == Corrupt {
			return true
		}
	}
	return false
}

// newerRecord orders two different records for a tie: the newer first
// version wins, then the larger encoding (only to be deterministic).
func newerRecord(a *meta.Record, an []byte, b *meta.Record, bn []byte) bool {
	at, bt := recordTime(a), recordTime(b)
	if !at.Equal(bt) {
		return at.After(bt)
	}
	return bytes.Compare(an, bn) > 0
}

// recordTime is the modification time of a record's newest version.
func recordTime(r *meta.Record) time.Time {
	if len(r.Versions) == 0 {
		return time.Time{}
	}
	return r.Versions[0].ModTime
}

// sameDecision reports whether two decisions were made from the same
// authoritative record (or both found the object absent).
func sameDecision(a, b recordDecision) bool {
	return (a.base == nil) == (b.base == nil) && bytes.Equal(a.base, b.base)
}

// decideValue decides a plain record (bucket, upload or part record) from
// every drive's answer, as decideRecord does for objects: the value held by
// quorum drives and at least as many as report it absent; else absent if
// quorum drives say so or every drive answered (a dangling minority copy).
// present is false when it must not exist.
func decideValue(vals [][]byte, errs []error, quorum int) (val []byte, present bool, err error) {
	absent, offline := 0, 0
	var best []byte
	bestCount := 0
	for i, e := range errs {
		switch {
		case errors.Is(e, drive.ErrNotFound):
			absent++
			continue
		case e != nil:
			offline++
			continue
		}
		count := 0
		for j := range errs {
			if errs[j] == nil && bytes.Equal(vals[j], vals[i]) {
				count++
			}
		}
		if count > bestCount || count == bestCount && bytes.Compare(vals[i], best) > 0 {
			best, bestCount = vals[i], count
		}
	}
	switch {
	case bestCount >= quorum && bestCount >= absent:
		return best, true, nil
	case absent >= quorum || offline == 0:
		return nil, false, nil
	}
	return nil, false, errHealUndecided
}

// decideSetValue is decideValue over the drives of s with its stale
// drives out of the vote, unless the others cannot decide and every drive
// answered (as decideRecord does).
func decideSetValue(s Set, vals [][]byte, errs []error) ([]byte, bool, error) {
	val, present, err := decideValue(vals, votes(s.Stale(), errs), s.ReadQuorum())
	if !errors.Is(err, errHealUndecided) || s.Stale() == nil {
		return val, present, err
	}
	for _, e := range errs {
		if e != nil && !errors.Is(e, drive.ErrNotFound) {
			return val, present, err
		}
	}
	return decideValue(vals, errs, s.ReadQuorum())
}

// errDriveStale stands for a stale drive's answer: it does not vote.
var errDriveStale = errors.New("heal: drive is stale")

// votes returns errs with the answer of every stale drive (stale by
// position, nil if none) replaced by errDriveStale.
func votes(stale []bool, errs []error) []error {
	if stale == nil {
		return errs
	}
	out := slices.Clone(errs)
	for pos := range out {
		if stale[pos] {
			out[pos] = errDriveStale
		}
	}
	return out
}

package repair

import (
	"context"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// commit writes the heal under the key's lock, after re-reading every
// drive's record: if the authoritative record changed since the check (a
// writer got there first) the heal is abandoned with errHealRaced.
func (p *healPlan) commit(ctx context.Context) error {
	unlock, err := p.r.e.LockObject(ctx, p.bucket, p.key)
	if err != nil {
		return fmt.Errorf("heal: %s/%s: %w", p.bucket, p.key, err)
	}
	defer unlock()
	vals, errs := readAll(ctx, p.s, drive.NSObject, drive.ObjectKey(p.bucket, p.key))
	dec, err := decideRecord(vals, errs, p.s.Stale(), p.s.ReadQuorum())
	if err != nil {
		return fmt.Errorf("heal: %s/%s: %w", p.bucket, p.key, err)
	}
	if !sameDecision(p.dec, dec) {
		return errHealRaced
	}
	dec.setRecord(p.dec.rec)
	dec.dangling = p.dec.dangling
	p.dec = dec
	batches := p.batches()
	p.written = make([]bool, p.drives())
	p.touched = make([]bool, p.drives())
	drops := map[meta.DataDir][]drive.Drive{}
	for pos := range batches {
		p.touched[pos] = len(batches[pos]) > 0
	}
	each(p.ds, func(pos int, d drive.Drive) error {
		for _, b := range batches[pos] {
			if err := d.Apply(ctx, b); err != nil {
				p.r.log.Warn("heal: commit", "drive", d.Endpoint(), "bucket", p.bucket, "key", p.key, "err", err)
				return err
			}
		}
		p.written[pos] = p.touched[pos]
		return nil
	})
	for dir, ds := range p.dropped {
		for _, d := range ds {
			if pos := p.position(d); pos >= 0 && p.written[pos] {
				drops[dir] = append(drops[dir], d)
			}
		}
	}
	p.r.e.RemoveDirs(ctx, drops)
	return nil
}

func (p *healPlan) position(d drive.Drive) int {
	for pos, o := range p.ds {
		if o == d {
			return pos
		}
	}
	return -1
}

// batches builds every drive's commits: one per version whose rebuilt
// files are staged there, the record, inline blobs and the removal of
// versions the drive holds but must not (merged into the last one).
// Built one drive after the other: encodeFor sets the per-drive shard
// index in the shared record.
func (p *healPlan) batches() [][]drive.Batch {
	rec := p.dec.rec
	out := make([][]drive.Batch, p.drives())
	p.dropped = map[meta.DataDir][]drive.Drive{}
	for pos, d := range p.ds {
		state := p.dec.states[pos]
		if state == Offline {
			continue
		}
		var bs []drive.Batch
		for vi := range p.staged {
			if p.staged[vi][pos] {
				bs = append(bs, drive.Batch{Stage: p.stages[vi], DataDir: rec.Versions[vi].DataDir})
			}
		}
		var m drive.Batch
		switch {
		case state != OK && rec != nil:
			m.Mutations = append(m.Mutations, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(p.bucket, p.key), Value: meta.EncodeFor(rec, pos)})
			// The drive may keep good shard files its record lost (a
			// metadata store repaired empty): the record references their
			// data directories again, or the next start's sweep would take
			// them for orphans.
			for vi := range rec.Versions {
				if v := &rec.Versions[vi]; !v.DeleteMarker && !v.Inline {
					m.Ref = append(m.Ref, v.DataDir)
				}
			}
		case state != OK:
			m.Mutations = append(m.Mutations, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(p.bucket, p.key), Delete: true})
		}
		for vi := range p.inline {
			if len(p.fixed[vi][pos]) > 0 && p.fixed[vi][pos][0] {
				m.Mutations = append(m.Mutations, drive.Mutation{NS: drive.NSInline, Key: drive.InlineKey(rec.Versions[vi].DataDir), Value: p.inline[vi][pos]})
			}
		}
		if own := p.dec.recs[pos]; own != nil && state != OK {
			p.dropStale(&m, d, own)
		}
		if len(m.Mutations) > 0 || len(m.Unref) > 0 {
			if len(bs) > 0 {
				last := &bs[len(bs)-1]
				last.Mutations, last.Unref = m.Mutations, m.Unref
				last.Ref = append(last.Ref, m.Ref...)
			} else {
				bs = append(bs, m)
			}
		}
		out[pos] = bs
	}
	return out
}

// dropStale adds to b the removal of the data of every version of own (a
// drive's stale record) that the authoritative record does not keep.
func (p *healPlan) dropStale(b *drive.Batch, d drive.Drive, own *meta.Record) {
	keep := map[meta.DataDir]bool{}
	if p.dec.rec != nil {
		for _, v := range p.dec.rec.Versions {
			keep[v.DataDir] = true
		}
	}
	for i := range own.Versions {
		v := &own.Versions[i]
		if v.DeleteMarker || keep[v.DataDir] {
			continue
		}
		b.DropData(v)
		if !v.Inline {
			p.dropped[v.DataDir] = append(p.dropped[v.DataDir], d)
		}
	}
}

// report fills res from the plan: each drive's state before and after.
func (p *healPlan) report(res *Result) {
	if p.before == nil {
		p.summarise()
	}
	rec := p.dec.rec
	if v := latest(rec); v != nil {
		res.Exists, res.Size = true, v.Size
	}
	res.Dangling = p.dec.dangling
	for pos := range res.Drives {
		res.Drives[pos].Before = p.before[pos]
		res.Drives[pos].After = p.after(pos)
		if p.written != nil && p.written[pos] {
			res.Healed++
			if p.bytes != nil {
				res.Bytes += p.bytes[pos]
			}
			if rec == nil {
				res.Removed = true
			}
		}
	}
}

// after is a drive's state after the heal: ok if its record is right and
// every damaged stream was rebuilt and committed, else as before.
func (p *healPlan) after(pos int) State {
	before := p.before[pos]
	if before == OK || before == Offline || p.written == nil {
		return before
	}
	if p.touched[pos] && !p.written[pos] || p.dec.states[pos] == Offline {
		return before
	}
	for vi := range p.states {
		for si, st := range p.states[vi][pos] {
			if needs(st) && (p.fixed == nil || !p.fixed[vi][pos][si]) {
				return st
			}
			if st == Offline {
				return Offline
			}
		}
	}
	return OK
}

// latest returns the current version of rec, nil if none or a delete marker.
func latest(rec *meta.Record) *meta.Version {
	if rec == nil || len(rec.Versions) == 0 || rec.Versions[0].DeleteMarker {
		return nil
	}
	return &rec.Versions[0]
}

package repair

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// upload heals one multipart upload under its lock: its record, its
// part records and its part files are written where missing, stale or
// corrupt; if the upload must not exist (aborted or completed on a
// quorum) the copies drives still hold are removed, with the upload's
// data unless the object's record took it over at Complete.
func (r *Repairer) upload(ctx context.Context, s Set, bucket, key, id string) (bool, error) {
	unlock, err := r.e.LockUpload(ctx, bucket, id)
	if err != nil {
		return false, err
	}
	defer unlock()
	ukey := drive.UploadKey(bucket, key, id)
	vals, errs := readAll(ctx, s, drive.NSUpload, ukey)
	val, present, err := decideSetValue(s, vals, errs)
	if err != nil {
		return false, err
	}
	if !present {
		return removeUpload(ctx, s, bucket, key, id, vals, errs)
	}
	u, err := meta.DecodeUpload(val)
	if err != nil {
		return false, fmt.Errorf("heal: upload %s: %w", id, err)
	}
	healed := false
	written := each(s.Drives(), func(pos int, d drive.Drive) error {
		if errs[pos] != nil && !errors.Is(errs[pos], drive.ErrNotFound) || bytes.Equal(vals[pos], val) && errs[pos] == nil {
			return errNothingToDo
		}
		return d.Apply(ctx, drive.Batch{
			Mutations: []drive.Mutation{{NS: drive.NSUpload, Key: ukey, Value: val}},
			Ref:       []meta.DataDir{u.DataDir},
		})
	})
	for _, e := range written {
		healed = healed || e == nil
	}
	partsHealed, err := r.parts(ctx, s, u, errs)
	return healed || partsHealed, err
}

// removeUpload removes the copies of an upload that must not exist.
func removeUpload(ctx context.Context, s Set, bucket, key, id string, vals [][]byte, errs []error) (bool, error) {
	completed := false
	if rec, err := s.ReadRecord(ctx, bucket, key); err == nil {
		for pos, v := range vals {
			u, derr := meta.DecodeUpload(v)
			if errs[pos] != nil || derr != nil {
				continue
			}
			for _, ver := range rec.Versions {
				completed = completed || ver.DataDir == u.DataDir
			}
		}
	} else if !errors.Is(err, drive.ErrNotFound) {
		return false, err // cannot tell whether Complete took the data
	}
	done := each(s.Drives(), func(pos int, d drive.Drive) error {
		if errs[pos] != nil {
			return errNothingToDo
		}
		names, err := allNames(ctx, d, drive.WalkOptions{NS: drive.NSPart, Scope: drive.PartScope(id)})
		if err != nil {
			return err
		}
		b := drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSUpload, Key: drive.UploadKey(bucket, key, id), Delete: true}}}
		for _, n := range names {
			b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSPart, Key: drive.PartScope(id) + n, Delete: true})
		}
		u, derr := meta.DecodeUpload(vals[pos])
		if derr == nil && !completed {
			b.Unref = []meta.DataDir{u.DataDir}
		}
		if err := d.Apply(ctx, b); err != nil {
			return err
		}
		if derr == nil && !completed {
			return d.RemoveDataDir(context.WithoutCancel(ctx), u.DataDir)
		}
		return nil
	})
	healed := false
	for _, e := range done {
		healed = healed || e == nil
	}
	return healed, nil
}

// allNames walks every name of one drive's range, page by page.
func allNames(ctx context.Context, d drive.Drive, o drive.WalkOptions) ([]string, error) {
	o.KeysOnly, o.Limit = true, pageSize
	var out []string
	for range maxPages {
		res, err := d.Walk(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, e := range res.Entries {
			out = append(out, e.Name)
		}
		if !res.Truncated || len(res.Entries) == 0 {
			break
		}
		o.Start = res.Entries[len(res.Entries)-1].Name + "\x00"
	}
	return out, nil
}

// partHeal is the decision on one part record of an upload.
type partHeal struct {
	// stream is the part's index in the upload's stream list (-1: the
	// part must not exist).
	stream int
	key    string
	val    []byte
	rec    *meta.PartRecord
	vals   [][]byte
	errs   []error
}

// parts heals the part records and part files of upload u; uerrs are
// the drives' answers for the upload record (offline drives are skipped).
func (r *Repairer) parts(ctx context.Context, s Set, u *meta.Upload, uerrs []error) (bool, error) {
	names, _, err := unionWalkAll(ctx, s, drive.WalkOptions{NS: drive.NSPart, Scope: drive.PartScope(u.ID)})
	if err != nil {
		return false, err
	}
	var parts []partHeal
	v := meta.Version{Erasure: u.Erasure, DataDir: u.DataDir, Parts: []meta.Part{}, Bitrot: meta.BitrotHighwayHash256}
	for _, n := range names {
		key := drive.PartScope(u.ID) + n
		vals, errs := readAll(ctx, s, drive.NSPart, key)
		val, present, err := decideSetValue(s, vals, errs)
		if err != nil {
			return false, err
		}
		ph := partHeal{stream: -1, key: key, val: val, vals: vals, errs: errs}
		if present {
			ph.stream = len(v.Parts)
			if ph.rec, err = meta.DecodePart(val); err != nil {
				return false, fmt.Errorf("heal: upload %s: %w", u.ID, err)
			}
			v.Parts = append(v.Parts, meta.Part{Number: ph.rec.Number, Nonce: ph.rec.Nonce, Size: ph.rec.Size})
		}
		parts = append(parts, ph)
	}
	dec := recordDecision{rec: &meta.Record{Versions: []meta.Version{v}}, states: make([]State, len(s.Drives()))}
	for pos := range dec.states {
		dec.states[pos] = OK
		if uerrs[pos] != nil && !errors.Is(uerrs[pos], drive.ErrNotFound) {
			dec.states[pos], dec.offline = Offline, dec.offline+1
		}
	}
	p := newPlan(r, s, "", u.ID, dec, Options{})
	p.keepAll = true
	defer p.discard(ctx)
	if err := p.check(ctx); err != nil {
		return false, err
	}
	if p.needsWork() {
		p.rebuild(ctx)
	}
	return p.commitParts(ctx, parts), p.dataErr
}

// commitParts writes, on every drive, the rebuilt part files with the part
// records it lacks, removes part records (and their files) that must not
// exist, and reports whether any drive was written.
func (p *healPlan) commitParts(ctx context.Context, parts []partHeal) bool {
	u := p.dec.rec.Versions[0]
	p.written = make([]bool, p.drives())
	p.touched = make([]bool, p.drives())
	each(p.ds, func(pos int, d drive.Drive) error {
		if p.dec.states[pos] == Offline {
			return nil
		}
		b := drive.Batch{DataDir: u.DataDir}
		if p.staged != nil && p.staged[0][pos] {
			b.Stage = p.stages[0]
		}
		var stale []string
		for _, ph := range parts {
			have := ph.errs[pos] == nil
			switch {
			case ph.errs[pos] != nil && !errors.Is(ph.errs[pos], drive.ErrNotFound):
			case ph.rec != nil && !p.holds(pos, ph.stream):
				// Without its file the record would name missing data.
			case ph.rec != nil && (!have || !bytes.Equal(ph.vals[pos], ph.val)):
				b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSPart, Key: ph.key, Value: ph.val})
				if old, err := meta.DecodePart(ph.vals[pos]); have && err == nil && old.Nonce != ph.rec.Nonce {
					stale = append(stale, meta.PartFile(old.Number, old.Nonce))
				}
			case ph.rec == nil && have:
				b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSPart, Key: ph.key, Delete: true})
				if old, err := meta.DecodePart(ph.vals[pos]); err == nil {
					stale = append(stale, meta.PartFile(old.Number, old.Nonce))
				}
			}
		}
		if b.Stage == "" && len(b.Mutations) == 0 {
			return nil
		}
		p.touched[pos] = true
		if err := d.Apply(ctx, b); err != nil {
			p.r.log.Warn("heal: upload parts", "drive", d.Endpoint(), "upload", p.key, "err", err)
			return err
		}
		p.written[pos] = true
		if len(stale) > 0 {
			if err := d.RemoveShards(context.WithoutCancel(ctx), u.DataDir, stale); err != nil {
				p.r.log.Warn("heal: remove stale part files", "drive", d.Endpoint(), "err", err)
			}
		}
		return nil
	})
	for _, w := range p.written {
		if w {
			return true
		}
	}
	return false
}

// holds says whether drive pos holds (or has staged) stream si of the
// plan's only version.
func (p *healPlan) holds(pos, si int) bool {
	return p.states[0][pos][si] == OK || p.fixed != nil && p.fixed[0][pos][si]
}

// unionWalkAll pages through unionWalk to the end of the range.
func unionWalkAll(ctx context.Context, s Set, o drive.WalkOptions) ([]string, bool, error) {
	o.Limit = pageSize
	var out []string
	for range maxPages {
		names, more, err := unionWalk(ctx, s, o)
		if err != nil {
			return nil, false, err
		}
		out = append(out, names...)
		if !more || len(names) == 0 {
			break
		}
		o.Start = names[len(names)-1] + "\x00"
	}
	return out, false, nil
}

package repair

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// unionWalk walks every drive of s and merges their pages as a union
// (unlike walkSet, which keeps what a majority holds): heal must reach the
// copies a minority of drives still holds. The result is cut where the
// earliest truncated drive page ends, beyond which some drive's view is
// unknown. Only names are returned.
func unionWalk(ctx context.Context, s Set, o drive.WalkOptions) ([]string, bool, error) {
	o.KeysOnly = true
	drives := s.Drives()
	pages := make([]drive.WalkResult, len(drives))
	errs := each(drives, func(pos int, d drive.Drive) error {
		res, err := d.Walk(ctx, o)
		pages[pos] = res
		return err
	})
	answered := 0
	for _, e := range errs {
		if e == nil {
			answered++
		}
	}
	if answered == 0 {
		return nil, false, fmt.Errorf("heal: walk: %w", noneAnswered(errs))
	}
	cut, truncated := "", false
	for i, p := range pages {
		if errs[i] == nil && p.Truncated && len(p.Entries) > 0 {
			if last := p.Entries[len(p.Entries)-1].Name; !truncated || last < cut {
				cut = last
			}
			truncated = true
		}
	}
	pos := make([]int, len(pages))
	var out []string
	for {
		best, found := "", false
		for i, p := range pages {
			if errs[i] == nil && pos[i] < len(p.Entries) && (!found || p.Entries[pos[i]].Name < best) {
				best, found = p.Entries[pos[i]].Name, true
			}
		}
		if !found || truncated && best > cut {
			break
		}
		for i, p := range pages {
			if errs[i] == nil && pos[i] < len(p.Entries) && p.Entries[pos[i]].Name == best {
				pos[i]++
			}
		}
		out = append(out, best)
	}
	return out, truncated, nil
}

// Walk selects a page of object keys for healing.
type Walk struct {
	Bucket string
	Prefix string
	// After is exclusive: the page starts after it.
	After string
	// Limit bounds the page (1 to 1000; 0 means 1000).
	Limit int
	// Set restricts the walk to one erasure set (see DriveStatus.Set);
	// -1 walks every set.
	Set int
}

// Keys returns a page of the keys of a bucket that any drive holds (a
// union over the drives, so stray copies of deleted objects are reached
// too), in order, and whether more follow.
func (r *Repairer) Keys(ctx context.Context, o Walk) ([]string, bool, error) {
	if o.Limit <= 0 || o.Limit > pageSize {
		o.Limit = pageSize
	}
	w := drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(o.Bucket), Prefix: o.Prefix, Limit: o.Limit}
	if o.After != "" {
		w.Start = o.After + "\x00"
	}
	sets := r.e.Sets()
	switch {
	case o.Set >= 0 && o.Set < len(sets):
		sets = sets[o.Set : o.Set+1]
	case o.Set >= 0:
		sets = nil
	}
	pages := make([][]string, len(sets))
	truncated := make([]bool, len(sets))
	for i, s := range sets {
		names, more, err := unionWalk(ctx, s, w)
		if err != nil {
			return nil, false, err
		}
		pages[i], truncated[i] = names, more
	}
	return mergeNames(pages, truncated, o.Limit)
}

// mergeNames merges sorted pages of names, keeping each once, up to limit
// and up to the earliest end of a truncated page (beyond which that
// page's names are unknown).
func mergeNames(pages [][]string, truncated []bool, limit int) ([]string, bool, error) {
	pos := make([]int, len(pages))
	cut, cutSet := "", false
	for i, p := range pages {
		if truncated[i] && len(p) > 0 && (!cutSet || p[len(p)-1] < cut) {
			cut, cutSet = p[len(p)-1], true
		}
	}
	var out []string
	for len(out) < limit {
		best := -1
		for i, p := range pages {
			if pos[i] < len(p) && (best < 0 || p[pos[i]] < pages[best][pos[best]]) {
				best = i
			}
		}
		if best < 0 || cutSet && pages[best][pos[best]] > cut {
			break
		}
		name := pages[best][pos[best]]
		for i, p := range pages {
			if pos[i] < len(p) && p[pos[i]] == name {
				pos[i]++
			}
		}
		out = append(out, name)
	}
	more := false
	for i, p := range pages {
		if pos[i] < len(p) || truncated[i] {
			more = true
		}
	}
	return out, more, nil
}

// Buckets returns the name of every bucket any drive holds a record
// of, so a heal reaches buckets a minority still holds after a delete.
func (r *Repairer) Buckets(ctx context.Context) ([]string, error) {
	sets := r.e.Sets()
	pages := make([][]string, len(sets))
	truncated := make([]bool, len(sets))
	var all []string
	start := ""
	for range maxPages {
		for i, s := range sets {
			names, more, err := unionWalk(ctx, s, drive.WalkOptions{NS: drive.NSBucket, Start: start, Limit: pageSize})
			if err != nil {
				return nil, err
			}
			pages[i], truncated[i] = names, more
		}
		names, more, _ := mergeNames(pages, truncated, pageSize)
		all = append(all, names...)
		if !more || len(names) == 0 {
			break
		}
		start = names[len(names)-1] + "\x00"
	}
	return all, nil
}

// noneAnswered is the error of a walk no drive answered: the only drive's
// own error, or ErrReadQuorum naming the first.
func noneAnswered(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	var first error
	for _, e := range errs {
		if errors.Is(e, storage.ErrStorageFull) {
			return e
		}
		if first == nil {
			first = e
		}
	}
	return fmt.Errorf("%w: %d drives, quorum 1: %v", storage.ErrReadQuorum, len(errs), first)
}

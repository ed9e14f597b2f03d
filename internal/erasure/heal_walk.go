package erasure

import (
	"context"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// unionWalk walks every drive of s and merges their pages as a union
// (unlike walkSet, which keeps what a majority holds): heal must reach the
// copies a minority of drives still holds. The result is cut where the
// earliest truncated drive page ends, beyond which some drive's view is
// unknown. Only names are returned.
func (l *Layer) unionWalk(ctx context.Context, s *set, o drive.WalkOptions) ([]string, bool, error) {
	o.KeysOnly = true
	pages := make([]drive.WalkResult, len(s.drives))
	errs := s.each(func(pos int, d drive.Drive) error {
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
		return nil, false, fmt.Errorf("erasure: heal walk: %w", reduceErr(errs, 1, storage.ErrReadQuorum))
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

// HealWalk selects a page of object keys for healing.
type HealWalk struct {
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

// HealKeys returns a page of the keys of a bucket that any drive holds (a
// union over the drives, so stray copies of deleted objects are reached
// too), in order, and whether more follow.
func (l *Layer) HealKeys(ctx context.Context, o HealWalk) ([]string, bool, error) {
	if o.Limit <= 0 || o.Limit > maxListKeys {
		o.Limit = maxListKeys
	}
	w := drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(o.Bucket), Prefix: o.Prefix, Limit: o.Limit}
	if o.After != "" {
		w.Start = o.After + "\x00"
	}
	var sets []*set
	if o.Set >= 0 && o.Set < len(l.sets) {
		sets = []*set{l.sets[o.Set]}
	} else if o.Set < 0 {
		sets = l.sets
	}
	pages := make([][]string, len(sets))
	truncated := make([]bool, len(sets))
	for i, s := range sets {
		names, more, err := l.unionWalk(ctx, s, w)
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

// HealBuckets returns the name of every bucket any drive holds a record
// of, so a heal reaches buckets a minority still holds after a delete.
func (l *Layer) HealBuckets(ctx context.Context) ([]string, error) {
	pages := make([][]string, len(l.sets))
	truncated := make([]bool, len(l.sets))
	var all []string
	start := ""
	for range maxPages {
		for i, s := range l.sets {
			names, more, err := l.unionWalk(ctx, s, drive.WalkOptions{NS: drive.NSBucket, Start: start, Limit: maxListKeys})
			if err != nil {
				return nil, err
			}
			pages[i], truncated[i] = names, more
		}
		names, more, _ := mergeNames(pages, truncated, maxListKeys)
		all = append(all, names...)
		if !more || len(names) == 0 {
			break
		}
		start = names[len(names)-1] + "\x00"
	}
	return all, nil
}

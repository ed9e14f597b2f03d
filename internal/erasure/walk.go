package erasure

import (
	"context"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// walkSet walks one set. A single drive is walked directly. With several,
// every drive is walked and the pages merged: a name is kept if at least
// half of the drives that answered hold it (a committed write reached a
// majority, a committed delete left a minority), and the merged page is
// cut at the earliest end of a truncated drive page, beyond which some
// drive's view is unknown.
func (l *Layer) walkSet(ctx context.Context, s *set, o drive.WalkOptions) (drive.WalkResult, error) {
	if len(s.drives) == 1 {
		return s.drives[0].Walk(ctx, o)
	}
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
	if answered < s.readQuorum() {
		return drive.WalkResult{}, fmt.Errorf("erasure: walk: %w", reduceErr(errs, s.readQuorum(), storage.ErrReadQuorum))
	}
	cut, truncated := "", false
	for i, p := range pages {
		if errs[i] == nil && p.Truncated && len(p.Entries) > 0 {
			last := p.Entries[len(p.Entries)-1].Name
			if !truncated || last < cut {
				cut = last
			}
			truncated = true
		}
	}
	need := (answered + 1) / 2
	pos := make([]int, len(pages))
	var out drive.WalkResult
	for {
		best := ""
		found := false
		for i, p := range pages {
			if errs[i] == nil && pos[i] < len(p.Entries) && (!found || p.Entries[pos[i]].Name < best) {
				best, found = p.Entries[pos[i]].Name, true
			}
		}
		if !found || (truncated && best > cut) {
			break
		}
		count := 0
		var entry drive.WalkEntry
		for i, p := range pages {
			if errs[i] == nil && pos[i] < len(p.Entries) && p.Entries[pos[i]].Name == best {
				entry = p.Entries[pos[i]]
				pos[i]++
				count++
			}
		}
		if count >= need || entry.IsPrefix {
			out.Entries = append(out.Entries, entry)
		}
	}
	out.Truncated = truncated
	return out, nil
}

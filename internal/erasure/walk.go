package erasure

import (
	"context"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// walkSet walks one set. A single drive is walked directly. With several,
// every drive is walked and the pages merged: a name (or common prefix)
// is kept if at least a read quorum of drives hold it. A committed write
// reached a write quorum, at least a read quorum; a committed delete left
// at most n - write quorum copies, fewer than a read quorum, so a deleted
// object never reappears, whichever drives are down. The merged page is
// cut at the earliest end of a truncated drive page, beyond which some
// drive's view is unknown.
func (l *Layer) walkSet(ctx context.Context, s *set, o drive.WalkOptions) (drive.WalkResult, error) {
	return l.walkSetChoose(ctx, s, o, agreedEntry)
}

// walkSetChoose is walkSet with choose picking, among the drives' entries
// for one name, the one to keep.
func (l *Layer) walkSetChoose(ctx context.Context, s *set, o drive.WalkOptions, choose func([]drive.WalkEntry) drive.WalkEntry) (drive.WalkResult, error) {
	if len(s.drives) == 1 {
		return s.drives[0].Walk(ctx, o)
	}
	pages := make([]drive.WalkResult, len(s.drives))
	errs := s.each(func(pos int, d drive.Drive) error {
		res, err := d.Walk(ctx, o)
		pages[pos] = res
		return err
	})
	errs = s.votes(errs) // stale drives do not count
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
	need := s.readQuorum()
	pos := make([]int, len(pages))
	same := make([]drive.WalkEntry, 0, len(pages))
	longest := 0
	for _, p := range pages {
		longest = max(longest, len(p.Entries))
	}
	out := drive.WalkResult{Entries: make([]drive.WalkEntry, 0, longest)}
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
		same := same[:0]
		for i, p := range pages {
			if errs[i] == nil && pos[i] < len(p.Entries) && p.Entries[pos[i]].Name == best {
				same = append(same, p.Entries[pos[i]])
				pos[i]++
			}
		}
		if len(same) >= need {
			out.Entries = append(out.Entries, choose(same))
		}
	}
	out.Truncated = truncated
	return out, nil
}

// agreedEntry picks, among the drives' entries for one name, the record
// whose latest version most drives hold, so a drive that missed a write
// (or holds a write that never reached quorum) cannot show its version in
// a listing; a tie goes to the newer version. Common prefixes and entries
// without values are the same on every drive.
func agreedEntry(same []drive.WalkEntry) drive.WalkEntry {
	if len(same) == 1 || same[0].IsPrefix || same[0].Value == nil {
		return same[0]
	}
	// Usually every drive holds the same write: compare bytes, not decodes.
	if first, ok, err := meta.DecodeListed(same[0].Value); err == nil && ok && allSameAs(same, first.SameEncoding) {
		return same[0]
	}
	return mostAgreed(same, func(b []byte) (meta.Listed, bool) {
		v, ok, err := meta.DecodeListed(b)
		return v, err == nil && ok
	}, (*meta.Listed).SameWrite, func(v *meta.Listed) time.Time { return v.ModTime })
}

// allSameAs reports whether every entry of same holds what the first
// does, as same (a byte comparison that allows for what differs between
// drives' copies of one write) judges.
func allSameAs(entries []drive.WalkEntry, same func(a, b []byte) bool) bool {
	for _, e := range entries[1:] {
		if !same(entries[0].Value, e.Value) {
			return false
		}
	}
	return true
}

// mostAgreed returns the entry of same whose decoded value most drives
// agree on (agree compares two decoded values), a tie going to the newer
// (modTime); entries that do not decode have no vote, and same[0] is
// returned when none does. It is the one quorum vote of listings: the
// latest version for ListObjects, the whole record for ListObjectVersions.
func mostAgreed[T any](same []drive.WalkEntry, decode func([]byte) (T, bool), agree func(a, b *T) bool, modTime func(*T) time.Time) drive.WalkEntry {
	type vote struct {
		v     T
		count int
		entry int
	}
	var buf [8]vote // a set has at most 16 drives; most have fewer than 8
	votes := buf[:0]
	for i := range same {
		v, ok := decode(same[i].Value)
		if !ok {
			continue
		}
		found := false
		for j := range votes {
			if agree(&votes[j].v, &v) {
				votes[j].count++
				found = true
				break
			}
		}
		if !found {
			votes = append(votes, vote{v: v, count: 1, entry: i})
		}
	}
	if len(votes) == 0 {
		return same[0]
	}
	best := 0
	for i := 1; i < len(votes); i++ {
		b := &votes[best]
		if votes[i].count > b.count || (votes[i].count == b.count && modTime(&votes[i].v).After(modTime(&b.v))) {
			best = i
		}
	}
	return same[votes[best].entry]
}

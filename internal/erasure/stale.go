package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// A stale drive may hold records older than (or deleted by) writes it
// missed, so its answers must not count: reads, listings, heal decisions
// and write quorums treat it as if it were offline. A drive becomes stale
// when a write commits on no more than half of its set (possible only
// with DegradedWrites, or a layout with fewer data than parity shards):
// the drives that missed it could otherwise tie with the ones that took
// it once they return. A drive formatted in place of a lost one is stale
// too. Before such a write is acknowledged, a record naming the stale
// drive is written (synced) on the drives that took it; at start the
// union of these records over the drives present gives the stale set, so
// a restart does not trust a drive that was never rebuilt. A stale drive
// still receives writes, best effort; healing rebuilds it like a replaced
// drive (RebuildingDrives, BeginRebuild, DriveRebuilt), and once a full
// pass reached it with no write missing it meanwhile, the records are
// removed and the drive counts again.

// errDriveStale is the answer counted for a stale drive.
var errDriveStale = errors.New("erasure: drive is stale: it missed writes and is being rebuilt")

// Reasons a drive is stale (StaleReason).
const (
	// StaleMissedWrites: the drive missed writes that only half of its
	// set took.
	StaleMissedWrites = "missed writes"
	// StaleReplaced: the drive was formatted in place of a lost one.
	StaleReplaced = "replaced"
	// StaleRepaired: the drive's damaged metadata store was moved aside
	// and created empty.
	StaleRepaired = "metadata repaired"
	staleMissed   = StaleMissedWrites
	staleReplaced = StaleReplaced
)

// staleRecord is the stored value of a stale-drive record.
type staleRecord struct {
	Since  time.Time `json:"since"`
	Reason string    `json:"reason"`
}

// staleDrive is one stale drive of a set.
type staleDrive struct {
	rec staleRecord
	// on says, by position in the set, which drives hold its record.
	on []bool
	// misses counts the committed writes that did not reach the drive;
	// base is its value when the current rebuild began.
	misses, base uint64
}

// staleState tracks the stale drives of every set of a Layer.
type staleState struct {
	mu sync.Mutex
	// drives maps set index, then drive ID, to a stale drive.
	drives []map[string]*staleDrive
	// persist serialises the writing of records so a write is
	// acknowledged only once the records it relies on are durable.
	persist sync.Mutex
}

func newStaleState(sets int) *staleState {
	st := &staleState{drives: make([]map[string]*staleDrive, sets)}
	for i := range st.drives {
		st.drives[i] = map[string]*staleDrive{}
	}
	return st
}

// staleTimeout bounds the writing or removal of stale records outside a
// request (start, replaced drives, the end of a rebuild).
const staleTimeout = 30 * time.Second

// updateMask recomputes the set's stale mask; st.mu is held.
func (l *Layer) updateMask(s *set) {
	m := l.stale.drives[s.index]
	if len(m) == 0 {
		s.mask.Store(nil)
		return
	}
	mask := make([]bool, len(s.drives))
	for pos, id := range s.ids {
		mask[pos] = m[id] != nil
	}
	s.mask.Store(&mask)
}

// staleMask returns, by position, which drives of s are stale; nil if none.
func (s *set) staleMask() []bool {
	if p := s.mask.Load(); p != nil {
		return *p
	}
	return nil
}

// votes returns errs with the answer of every stale drive replaced by
// errDriveStale, so quorum counts and picks ignore them.
func (s *set) votes(errs []error) []error {
	mask := s.staleMask()
	if mask == nil {
		return errs
	}
	out := slices.Clone(errs)
	for pos := range out {
		if mask[pos] {
			out[pos] = errDriveStale
		}
	}
	return out
}

// settle checks that a write (errs by drive position, as the drives
// answered) reached quorum drives that are not stale. A committed write
// that missed a stale drive is counted against its rebuild; one that
// reached no more than half of the set makes the drives that missed it
// stale, and returns only once their records are durable on every drive
// that counted (else it fails with ErrWriteQuorum and the caller undoes
// the write as for a missed quorum).
func (l *Layer) settle(ctx context.Context, s *set, errs []error, quorum int) error {
	if len(errs) == 1 {
		return quorumErr(errs, quorum)
	}
	l.stale.mu.Lock()
	votes := s.votes(errs)
	if err := quorumErr(votes, quorum); err != nil {
		l.stale.mu.Unlock()
		return err
	}
	ok := 0
	for _, e := range votes {
		if e == nil {
			ok++
		}
	}
	m := l.stale.drives[s.index]
	need := false
	added := false
	for pos, e := range errs {
		id := s.ids[pos]
		if sd := m[id]; sd != nil {
			if e != nil {
				sd.misses++
			}
			continue
		}
		if e != nil && 2*ok <= len(errs) {
			m[id] = &staleDrive{rec: staleRecord{Since: time.Now().UTC(), Reason: staleMissed}, on: make([]bool, len(errs))}
			l.log.Warn("drive missed a write that only half of its set took: it no longer counts until healing rebuilds it",
				"drive", s.drives[pos].Endpoint(), "set", s.index+1, "position", pos+1, "err", e)
			need, added = true, true
		}
	}
	if added {
		l.updateMask(s)
	}
	for _, sd := range m {
		need = need || !covers(sd, errs)
	}
	l.stale.mu.Unlock()
	if !need {
		return nil
	}
	if err := l.persistStale(ctx, s, votes); err != nil {
		return fmt.Errorf("erasure: record stale drives: %w: %v", storage.ErrWriteQuorum, err)
	}
	return nil
}

// covers says whether every drive that took a write (errs nil) holds
// sd's record; st.mu is held. The drives that counted must (a restart
// must find the record); the others, the stale drives themselves
// included, get it on the way, once, so that a restart with only them
// present still knows they are stale.
func covers(sd *staleDrive, errs []error) bool {
	for pos, e := range errs {
		if e == nil && !sd.on[pos] {
			return false
		}
	}
	return true
}

// persistStale writes the record of every stale drive of s onto every
// drive of s that lacks it (one synced batch per drive), and fails unless
// every drive that must hold them (required nil; nil slice: none) does
// afterwards.
func (l *Layer) persistStale(ctx context.Context, s *set, required []error) error {
	l.stale.persist.Lock()
	defer l.stale.persist.Unlock()
	l.stale.mu.Lock()
	batches := make([]drive.Batch, len(s.drives))
	type pending struct {
		sd  *staleDrive
		pos int
	}
	var todo []pending
	for id, sd := range l.stale.drives[s.index] {
		val, err := json.Marshal(sd.rec)
		if err != nil {
			l.stale.mu.Unlock()
			return fmt.Errorf("erasure: encode stale record: %w", err)
		}
		for pos := range s.drives {
			if !sd.on[pos] {
				batches[pos].Mutations = append(batches[pos].Mutations, drive.Mutation{NS: drive.NSSystem, Key: drive.StaleKey(id), Value: val})
				todo = append(todo, pending{sd, pos})
			}
		}
	}
	l.stale.mu.Unlock()
	errs := s.each(func(pos int, d drive.Drive) error {
		if len(batches[pos].Mutations) == 0 {
			return nil
		}
		return d.Apply(ctx, batches[pos])
	})
	if len(todo) > 0 {
		defer l.staleChanged()
	}
	l.stale.mu.Lock()
	defer l.stale.mu.Unlock()
	for _, p := range todo {
		if errs[p.pos] == nil {
			p.sd.on[p.pos] = true
		}
	}
	var failed []error
	for pos := range required {
		if required[pos] == nil && errs[pos] != nil {
			failed = append(failed, fmt.Errorf("%s: %w", s.drives[pos].Endpoint(), errs[pos]))
		}
	}
	return errors.Join(failed...)
}

// driveAt finds the set and position of the drive named endpoint.
func (l *Layer) driveAt(endpoint string) (*set, int) {
	for _, s := range l.sets {
		for pos, d := range s.drives {
			if d.Endpoint() == endpoint {
				return s, pos
			}
		}
	}
	return nil, -1
}

// markRebuilding records that the drive at endpoint was formatted in place
// of a lost one and holds nothing yet: it is stale until rebuilt, and the
// record of it is written to the drives of its set.
func (l *Layer) markRebuilding(endpoint string) { l.markRebuildingFor(endpoint, staleReplaced) }

// markRebuildingFor is markRebuilding with the reason recorded.
func (l *Layer) markRebuildingFor(endpoint, reason string) {
	s, pos := l.driveAt(endpoint)
	if s == nil {
		return
	}
	l.stale.mu.Lock()
	id := s.ids[pos]
	sd := l.stale.drives[s.index][id]
	if sd == nil {
		sd = &staleDrive{on: make([]bool, len(s.drives))}
		l.stale.drives[s.index][id] = sd
	}
	sd.rec = staleRecord{Since: time.Now().UTC(), Reason: reason}
	clear(sd.on) // a wiped drive lost its records; the others are rewritten with the reason
	sd.misses, sd.base = 0, 0
	l.updateMask(s)
	l.stale.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), staleTimeout)
	defer cancel()
	if err := l.persistStale(ctx, s, nil); err != nil {
		l.log.Warn("recording a replaced drive as stale", "drive", endpoint, "err", err)
	}
}

// RebuildingDrives returns, sorted, the endpoints of the stale drives:
// formatted in place of lost ones (at start or since), or that missed
// writes only half of their set took. Healing must visit every object of
// their sets (BeginRebuild, then DriveRebuilt); StorageInfo reports them
// as "healing" while they answer.
func (l *Layer) RebuildingDrives() []string {
	var out []string
	l.stale.mu.Lock()
	defer l.stale.mu.Unlock()
	for _, s := range l.sets {
		for pos, id := range s.ids {
			if l.stale.drives[s.index][id] != nil {
				out = append(out, s.drives[pos].Endpoint())
			}
		}
	}
	slices.Sort(out)
	return out
}

// staleSince says since when the drive named endpoint is stale and why
// (zero and "" if it is not).
func (l *Layer) staleSince(endpoint string) (time.Time, string) {
	s, pos := l.driveAt(endpoint)
	if s == nil {
		return time.Time{}, ""
	}
	l.stale.mu.Lock()
	defer l.stale.mu.Unlock()
	if sd := l.stale.drives[s.index][s.ids[pos]]; sd != nil {
		return sd.rec.Since, sd.rec.Reason
	}
	return time.Time{}, ""
}

// StaleReason says why the drive named endpoint is stale (StaleReplaced
// or StaleMissedWrites), or "" if it is not.
func (l *Layer) StaleReason(endpoint string) string {
	s, pos := l.driveAt(endpoint)
	if s == nil {
		return ""
	}
	l.stale.mu.Lock()
	defer l.stale.mu.Unlock()
	if sd := l.stale.drives[s.index][s.ids[pos]]; sd != nil {
		return sd.rec.Reason
	}
	return ""
}

// BeginRebuild records that a full healing pass onto the drive named
// endpoint starts now: DriveRebuilt then clears the drive only if no
// write missed it since.
func (l *Layer) BeginRebuild(endpoint string) {
	s, pos := l.driveAt(endpoint)
	if s == nil {
		return
	}
	l.stale.mu.Lock()
	defer l.stale.mu.Unlock()
	if sd := l.stale.drives[s.index][s.ids[pos]]; sd != nil {
		sd.base = sd.misses
	}
}

// DriveRebuilt records that healing has visited every object of its set
// since the drive at endpoint became stale (or since BeginRebuild), so it
// holds its share of every object again: its records are removed from the
// drives and it counts again (StorageInfo reports it "online"). If a write
// missed the drive during the pass, it stays stale for another pass.
func (l *Layer) DriveRebuilt(endpoint string) {
	s, pos := l.driveAt(endpoint)
	if s == nil {
		return
	}
	id := s.ids[pos]
	ctx, cancel := context.WithTimeout(context.Background(), staleTimeout)
	defer cancel()
	if _, err := s.drives[pos].DiskInfo(ctx); err != nil {
		// A pass that did not fail may still not have reached it (a set
		// without objects): it counts again only once it answers.
		l.log.Warn("rebuilt drive does not answer: it stays stale", "drive", endpoint, "err", err)
		return
	}
	// Records are written and removed under persist, taken first: a new
	// record of this drive (a new outage) cannot be removed by this call.
	l.stale.persist.Lock()
	defer l.stale.persist.Unlock()
	l.stale.mu.Lock()
	sd := l.stale.drives[s.index][id]
	if sd == nil {
		l.stale.mu.Unlock()
		return
	}
	if sd.misses != sd.base {
		l.stale.mu.Unlock()
		l.log.Warn("writes missed the drive while it was rebuilt: it stays stale for another pass", "drive", endpoint, "missed", sd.misses-sd.base)
		return
	}
	delete(l.stale.drives[s.index], id)
	l.updateMask(s)
	l.stale.mu.Unlock()
	l.log.Info("drive rebuilt: it counts again", "drive", endpoint)
	s.each(func(pos int, d drive.Drive) error {
		err := d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSSystem, Key: drive.StaleKey(id), Delete: true}}})
		if err != nil {
			// Left behind, the record makes the next start rebuild the drive once more.
			l.log.Warn("removing a stale-drive record", "drive", d.Endpoint(), "stale_drive", endpoint, "err", err)
		}
		return err
	})
	l.staleChanged()
}

// isStale reports whether the drive d of some set is stale.
func (l *Layer) isStale(d drive.Drive) bool {
	for _, s := range l.sets {
		if mask := s.staleMask(); mask != nil {
			for pos, o := range s.drives {
				if o == d {
					return mask[pos]
				}
			}
		}
	}
	return false
}

// applySettled applies mk(pos) on every drive that holds the staged data
// of w (nil: metadata only) and settles the write quorum (of w's layout
// too) as settle does.
func (l *Layer) applySettled(ctx context.Context, s *set, w *written, mk func(pos int) drive.Batch) error {
	q := s.writeQuorum()
	if w != nil {
		q = max(q, w.quorum)
	}
	if err := l.settle(ctx, s, s.applyEach(ctx, w, mk), q); err != nil {
		return fmt.Errorf("erasure: commit: %w", err)
	}
	return nil
}

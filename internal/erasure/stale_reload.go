package erasure

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// Stale-drive records are written by the engine that finds a drive stale
// and removed by the one that rebuilds it; in a cluster every node runs
// an engine over the same drives, so each must learn of the others'
// records while it runs, not only at start. ReloadStale reads them again
// from the drives: the server calls it when a peer reports a change (the
// engine reports its own through Config.StaleChanged) and the healer
// every few seconds, for peers that do not report changes.

// staleReadTimeout bounds the reading of one drive's stale records.
const staleReadTimeout = 5 * time.Second

// staleChanged tells Config.StaleChanged that stale records changed.
func (l *Layer) staleChanged() {
	if l.cfg.StaleChanged != nil {
		l.cfg.StaleChanged()
	}
}

// readStale reads the stale-drive records of every drive of s; found[pos]
// is nil for a drive that did not answer.
func readStale(ctx context.Context, s *set) []map[string]staleRecord {
	found := make([]map[string]staleRecord, len(s.drives))
	s.each(func(pos int, d drive.Drive) error {
		ctx, cancel := context.WithTimeout(ctx, staleReadTimeout)
		defer cancel()
		res, err := d.Walk(ctx, drive.WalkOptions{NS: drive.NSSystem, Scope: drive.StaleScope, Limit: maxListKeys})
		if err != nil {
			return err
		}
		recs := map[string]staleRecord{}
		for _, e := range res.Entries {
			var r staleRecord
			if json.Unmarshal(e.Value, &r) != nil {
				r = staleRecord{Since: time.Now().UTC(), Reason: staleMissed}
			}
			recs[e.Name] = r
		}
		found[pos] = recs
		return nil
	})
	return found
}

// loadStale reads the stale-drive records of every drive that answers
// and makes the union the stale set (called once at start).
func (l *Layer) loadStale(ctx context.Context) {
	for _, s := range l.sets {
		l.mergeStale(s, readStale(ctx, s))
	}
}

// ReloadStale reads the stale-drive records of every drive again and
// brings the stale set up to date with them: a drive recorded stale by
// another engine (another node of a cluster) stops counting, and one
// whose records another engine removed after rebuilding it counts again.
// It removes a drive from the stale set only on evidence: a read quorum
// of its set answered, none holds its record, and one that held it no
// longer does; a drive this engine marked stale but could not record yet
// stays. It returns the endpoints whose state changed.
func (l *Layer) ReloadStale(ctx context.Context) []string {
	var changed []string
	for _, s := range l.sets {
		changed = append(changed, l.reloadSet(ctx, s)...)
	}
	return changed
}

// reloadSet is ReloadStale for one set. Under persist, no record of this
// engine is being written or removed meanwhile, so what the drives answer
// is not older than memory.
func (l *Layer) reloadSet(ctx context.Context, s *set) []string {
	l.stale.persist.Lock()
	defer l.stale.persist.Unlock()
	return l.mergeStale(s, readStale(ctx, s))
}

// mergeStale brings the stale drives of s up to date with the records
// found on its drives (see ReloadStale) and returns the endpoints whose
// state changed.
func (l *Layer) mergeStale(s *set, found []map[string]staleRecord) []string {
	answered := 0
	for _, f := range found {
		if f != nil {
			answered++
		}
	}
	l.stale.mu.Lock()
	defer l.stale.mu.Unlock()
	m := l.stale.drives[s.index]
	var changed []string
	for at, id := range s.ids {
		sd := m[id]
		held, dropped := false, false
		for pos, f := range found {
			if f == nil {
				continue
			}
			r, ok := f[id]
			if ok && sd == nil {
				sd = &staleDrive{rec: r, on: make([]bool, len(s.drives))}
				m[id] = sd
				changed = append(changed, s.drives[at].Endpoint())
				l.log.Warn("drive is recorded stale (it missed writes, was replaced or repaired, and was not rebuilt): it does not count until healing rebuilds it",
					"drive", s.drives[at].Endpoint(), "since", r.Since, "reason", r.Reason)
			}
			if sd == nil {
				continue
			}
			held = held || ok
			dropped = dropped || (!ok && sd.on[pos])
			sd.on[pos] = ok
		}
		if sd != nil && !held && dropped && answered >= s.readQuorum() {
			delete(m, id)
			changed = append(changed, s.drives[at].Endpoint())
			l.log.Info("drive's stale records were removed (rebuilt by another node): it counts again", "drive", s.drives[at].Endpoint())
		}
	}
	l.updateMask(s)
	return changed
}

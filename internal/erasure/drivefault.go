package erasure

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// A drive whose metadata store is found damaged (drive.Fault) answers
// every call with drive.ErrFaulty: it stops counting for reads and
// writes at once, like a drive that went offline, and the others serve
// with quorum. CheckDrives (run by healing every few seconds) then
// repairs it in place: it is marked stale (so it cannot vote before it
// is rebuilt, even across a restart), its store is moved aside and
// created empty (drive.RepairLocal), and healing rebuilds it like a
// replaced drive. A drive faulty for another reason (I/O errors) is
// opened again after ioFaultRetry and rejoins if it answers; one whose
// store failed for lack of space (pebble could not preallocate its log)
// is opened again at every check, so it rejoins once space returns. A drive out
// of service because a call hung is left to its drive.Watchdog, which
// lets it rejoin once the hung calls returned and it answers again.

// watched wraps every drive open returns in a drive.Watchdog with the
// configured deadline (none when DriveTimeout is negative), so that no
// request waits on a hung drive longer than that and the rest of the
// engine never needs to know. A drive that is a Watchdog already (a
// cluster node's own drive, watched where it is served to peers too) is
// not wrapped twice.
func watched(cfg Config, open opener) opener {
	if cfg.DriveTimeout < 0 {
		return open
	}
	o := drive.WatchdogOptions{Timeout: cfg.DriveTimeout, RejoinInterval: cfg.DriveRejoinInterval, Logger: cfg.Logger}
	return func(ctx context.Context, i int) (drive.Drive, error) {
		d, err := open(ctx, i)
		if err != nil {
			return nil, err
		}
		if w, ok := d.(*drive.Watchdog); ok {
			return w, nil
		}
		return drive.NewWatchdog(d, o), nil
	}
}

// ioFaultRetry is how long a drive faulty for I/O errors stays out
// before it is opened again.
const ioFaultRetry = time.Minute

// Fault reports the fault of the attached drive, if any.
func (s *slotDrive) Fault() *drive.Fault {
	if d := s.cur.Load(); d != nil {
		return drive.FaultOf(*d)
	}
	return nil
}

// Fault reports the fault of the current drive, if any.
func (r *reopenDrive) Fault() *drive.Fault { return drive.FaultOf(r.inner()) }

var (
	_ drive.FaultReporter = (*slotDrive)(nil)
	_ drive.FaultReporter = (*reopenDrive)(nil)
)

// driveStatus is the state StorageInfo reports for drive d (see
// driveState), with why and since when, where known.
func (l *Layer) driveStatus(d drive.Drive, err error) (state, reason string, since time.Time) {
	if f := drive.FaultOf(d); f != nil {
		state = stateOffline
		if f.Metadata {
			state = stateCorrupt
		}
		return state, f.Reason, f.Since
	}
	state = l.driveState(d, err)
	switch state {
	case stateHealing:
		since, why := l.staleSince(d.Endpoint())
		return state, "being rebuilt: " + why, since
	case stateOffline, stateCorrupt:
		if h, ok := d.(*slotDrive); ok && !h.attached() {
			return state, h.reason(), h.since
		}
		if err != nil {
			reason = err.Error()
		}
	}
	return state, reason, time.Time{}
}

// repairDrives repairs in place the local drives found faulty (see the
// comment at the top of this file) and returns the endpoints repaired.
// A damaged metadata store is moved aside only while the other drives
// of its set that count hold a read quorum: beyond parity the damaged
// stores are left as they are (out of service) for an operator, as
// their undamaged records may be all that is left of some objects.
func (l *Layer) repairDrives(ctx context.Context) ([]string, error) {
	var repaired []string
	var errs []error
	for _, s := range l.sets {
		faulty := false
		for _, d := range s.drives {
			faulty = faulty || drive.FaultOf(d) != nil
		}
		if !faulty {
			continue
		}
		mask := s.staleMask()
		good := 0
		for pos, d := range s.drives {
			if drive.FaultOf(d) == nil && (mask == nil || !mask[pos]) && answers(ctx, d) {
				good++
			}
		}
		for _, d := range s.drives {
			f := drive.FaultOf(d)
			r := asReopen(d)
			if f == nil || f.Hung || r == nil || r.repair == nil {
				continue // a hung drive rejoins by itself (drive.Watchdog)
			}
			if !f.Metadata {
				if time.Since(f.Since) < ioFaultRetry && !f.Full {
					continue // a store that failed for space is retried at every check
				}
				if err := r.swap(r.open); err != nil {
					errs = append(errs, err)
					continue
				}
				l.log.Info("drive opened again after an I/O fault", "drive", d.Endpoint(), "fault", f.Reason)
				continue
			}
			if good < s.readQuorum() {
				l.log.Error("drive's metadata store is damaged, and too few other drives of its set count to rebuild it: left out of service as it is",
					"drive", d.Endpoint(), "fault", f.Reason, "set", s.index+1, "good_drives", good, "needed", s.readQuorum())
				continue
			}
			// Stale first: from the moment the empty store is in place it
			// must not vote that objects are absent.
			l.markRebuildingFor(d.Endpoint(), StaleRepaired)
			if err := r.swap(r.repair); err != nil {
				errs = append(errs, fmt.Errorf("erasure: repair %s: %w", d.Endpoint(), err))
				continue
			}
			repaired = append(repaired, d.Endpoint())
			l.log.Warn("drive's damaged metadata store moved aside and created empty: healing rebuilds the drive from the others of its set",
				"drive", d.Endpoint(), "fault", f.Reason, "set", s.index+1)
		}
	}
	return repaired, errors.Join(errs...)
}

// OpenRepairable opens the local drive folder path as a drive the engine
// can repair in place (CheckDrives): the form in which a cluster node
// hands its own drives to the engine. Open does the same for its drives.
func OpenRepairable(path string, opts drive.Options) (drive.Drive, error) {
	d, err := drive.OpenLocal(path, opts)
	if err != nil {
		return nil, err
	}
	return newRepairable(d, path, opts), nil
}

// newRepairable wraps the drive d opened on path so CheckDrives can open
// it again, or repair it, in place.
func newRepairable(d drive.Drive, path string, opts drive.Options) *reopenDrive {
	return newReopenDrive(d,
		func() (drive.Drive, error) { return drive.OpenLocal(path, opts) },
		func() (drive.Drive, error) {
			d, _, err := drive.RepairLocal(path, opts)
			if err != nil {
				return nil, err
			}
			return d, nil
		})
}

// answers reports whether d answers a capacity query within a few seconds.
func answers(ctx context.Context, d drive.Drive) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := d.DiskInfo(ctx)
	return err == nil
}

// swap closes the current drive and puts the one open returns in its
// place (on failure the faulty drive stays, closed: it answers ErrClosed).
func (r *reopenDrive) swap(open func() (drive.Drive, error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	// A damaged store may not close cleanly: the new one is opened anyway
	// (the old store's lock is released unless its close hung, and then
	// the open fails and is tried again at the next check).
	r.d.Close()
	d, err := open()
	if err != nil {
		return fmt.Errorf("erasure: reopen %s: %w", r.d.Endpoint(), err)
	}
	r.d = d
	return nil
}

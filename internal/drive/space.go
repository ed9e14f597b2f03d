package drive

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// spaceGauge spares most writes the statfs call that checks the drive's
// free space: every commit and every new shard file checked it, which
// cost about a tenth of a small PUT's CPU. A reading is reused for
// spaceFresh, less the bytes the writes checked since then claimed (space
// freed meanwhile is not counted until the next reading, so the estimate
// only errs low); within spaceSlack of the limit a check always asks the
// filesystem, so a drive nearly full is judged exactly as before, and a
// write is only ever refused on a fresh reading. Writes
// the estimate misses within one spaceFresh (shard data streams in at
// most a few hundred MiB/s) cannot reach the limit from spaceSlack away.
type spaceGauge struct {
	mu   sync.Mutex
	free uint64    // free bytes at the last reading, less claims since
	at   time.Time // when the last reading was taken; zero: none yet
}

const (
	// spaceFresh is how long a reading of the free space is reused.
	spaceFresh = 100 * time.Millisecond
	// spaceSlack is how far above its limit a check stops trusting the
	// estimate and asks the filesystem.
	spaceSlack = 256 << 20
)

// room returns the free bytes to check need against limit, from a fresh
// reading when the last one is stale or too close to limit; g.mu is held.
func (l *Local) room(limit, need uint64) (uint64, error) {
	g := &l.space
	near := limit > math.MaxUint64-need-spaceSlack || g.free < limit+need+spaceSlack
	if now := time.Now(); near || g.at.IsZero() || now.Sub(g.at) > spaceFresh {
		_, free, err := statfs(l.sys)
		if err != nil {
			return 0, err
		}
		g.free, g.at = free, now
	}
	return g.free, nil
}

// checkSpace fails with ErrFull unless need bytes fit above the reserve,
// and counts them as taken until the next reading.
func (l *Local) checkSpace(need uint64) error {
	l.space.mu.Lock()
	defer l.space.mu.Unlock()
	free, err := l.room(l.reserve, need)
	if err != nil {
		return err
	}
	if free < l.reserve || free-l.reserve < need {
		return fmt.Errorf("%w: %d bytes free, %d reserved, %d needed", ErrFull, free, l.reserve, need)
	}
	l.space.free -= need
	return nil
}

// deleteFloor is the free space below which even deletes are refused, so
// the metadata store's write-ahead log always has room.
const deleteFloor = 8 << 20

// checkDeleteSpace fails with ErrFull when the free space is below
// deleteFloor.
func (l *Local) checkDeleteSpace() error {
	l.space.mu.Lock()
	defer l.space.mu.Unlock()
	free, err := l.room(deleteFloor, 0)
	if err != nil {
		return err
	}
	if free < deleteFloor {
		return fmt.Errorf("%w: %d bytes free", ErrFull, free)
	}
	return nil
}

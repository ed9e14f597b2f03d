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
// spaceFresh, less the bytes the checks since then claimed; within
// spaceSlack of the limit a check always asks the filesystem, so a drive
// nearly full is judged exactly as before, and a write is only ever
// refused on a fresh reading. The estimate can run high by what nobody
// claimed within one spaceFresh (the metadata store's flushes and
// compactions, other drives on the same filesystem): spaceSlack covers
// 2.5 GB/s of that, more than the disks this runs on write. A shard of
// unknown size claims nothing it could be measured by, so its check
// always takes a fresh reading.
type spaceGauge struct {
	mu   sync.Mutex
	free uint64    // free bytes at the last reading, less claims since
	at   time.Time // when the last reading was taken; zero: none yet
	// statfs reads the filesystem's total and free bytes (the statfs
	// function; tests replace it).
	statfs func(path string) (total, free uint64, err error)
}

const (
	// spaceFresh is how long a reading of the free space is reused.
	spaceFresh = 100 * time.Millisecond
	// spaceSlack is how far above its limit a check stops trusting the
	// estimate and asks the filesystem.
	spaceSlack = 256 << 20
)

// room returns the free bytes to check need against limit: a fresh
// reading when fresh is asked, the last one is stale, or the estimate is
// too close to limit; l.space.mu is held.
func (l *Local) room(limit, need uint64, fresh bool) (uint64, error) {
	g := &l.space
	near := need > math.MaxUint64-spaceSlack || limit > math.MaxUint64-need-spaceSlack || g.free < limit+need+spaceSlack
	if now := time.Now(); fresh || near || g.at.IsZero() || now.Sub(g.at) > spaceFresh {
		read := g.statfs
		if read == nil {
			read = statfs
		}
		_, free, err := read(l.sys)
		if err != nil {
			return 0, err
		}
		g.free, g.at = free, now
	}
	return g.free, nil
}

// checkSpace fails with ErrFull unless need bytes fit above the reserve,
// and counts them as taken until the next reading. fresh asks for a
// reading of the filesystem whatever the last one was.
func (l *Local) checkSpace(need uint64, fresh bool) error {
	l.space.mu.Lock()
	defer l.space.mu.Unlock()
	free, err := l.room(l.reserve, need, fresh)
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
	free, err := l.room(deleteFloor, 0, false)
	if err != nil {
		return err
	}
	if free < deleteFloor {
		return fmt.Errorf("%w: %d bytes free", ErrFull, free)
	}
	return nil
}

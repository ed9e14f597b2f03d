package drive

import (
	"errors"
	"testing"
	"time"
)

// TestSpaceChecks: against a filesystem whose free space the test sets,
// the checks answer as a statfs per check would, reuse a reading far from
// the limit, and never reuse one near it.
func TestSpaceChecks(t *testing.T) {
	const mib = 1 << 20
	const reserve = 64 * mib
	type check struct {
		need    uint64
		fresh   bool
		setFree uint64 // the filesystem's free bytes from this check on (0: unchanged)
		full    bool   // refused
		reads   int    // statfs calls so far
	}
	tests := []struct {
		name   string
		free   uint64
		checks []check
	}{
		{"far from the limit: one reading", 10 << 30, []check{{need: mib, reads: 1}, {need: mib, reads: 1}, {need: 100 * mib, reads: 1}}},
		{"more than is free: a fresh reading refuses", 10 << 30, []check{{need: mib, reads: 1}, {need: 20 << 30, full: true, reads: 2}}},
		{"near the limit: every check reads", reserve + 200*mib, []check{{need: mib, reads: 1}, {need: mib, reads: 2}, {need: 200 * mib, reads: 3}, {need: 250 * mib, full: true, reads: 4}}},
		{"claims bring a reading, not a refusal", reserve + 700*mib, []check{{need: 300 * mib, reads: 1}, {need: 300 * mib, reads: 2}, {need: 300 * mib, reads: 3}}},
		{"space returns: the next check sees it", reserve + 10*mib, []check{{need: 20 * mib, full: true, reads: 1}, {need: 20 * mib, setFree: 1 << 30, reads: 2}}},
		{"fresh asks the filesystem", 10 << 30, []check{{need: mib, reads: 1}, {need: mib, fresh: true, reads: 2}}},
		{"above the reserve", reserve - 1, []check{{need: 1, full: true, reads: 1}}},
		{"a need past any limit", 10 << 30, []check{{need: 1 << 63, full: true, reads: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			free, reads := tt.free, 0
			l := &Local{reserve: reserve}
			l.space.statfs = func(string) (uint64, uint64, error) { reads++; return 100 << 30, free, nil }
			for i, c := range tt.checks {
				if c.setFree != 0 {
					free = c.setFree
				}
				err := l.checkSpace(c.need, c.fresh)
				if err != nil && !errors.Is(err, ErrFull) {
					t.Fatal(err)
				}
				if errors.Is(err, ErrFull) != c.full || reads != c.reads {
					t.Fatalf("check %d (%d MiB): got %v after %d readings, want full %v after %d", i, c.need/mib, err, reads, c.full, c.reads)
				}
			}
		})
	}
	t.Run("a reading is reused for spaceFresh only", func(t *testing.T) {
		reads := 0
		l := &Local{reserve: reserve}
		l.space.statfs = func(string) (uint64, uint64, error) { reads++; return 100 << 30, 10 << 30, nil }
		if err := l.checkSpace(mib, false); err != nil {
			t.Fatal(err)
		}
		l.space.at = time.Now().Add(-2 * spaceFresh)
		if err := l.checkSpace(mib, false); err != nil || reads != 2 {
			t.Fatalf("stale reading: got %v after %d readings, want nil after 2", err, reads)
		}
	})
	t.Run("deletes", func(t *testing.T) {
		free := uint64(deleteFloor + 100*mib) // near the floor: every check reads
		l := &Local{reserve: reserve}
		l.space.statfs = func(string) (uint64, uint64, error) { return 100 << 30, free, nil }
		if err := l.checkDeleteSpace(); err != nil {
			t.Fatalf("checkDeleteSpace: got %v, want nil", err)
		}
		free = deleteFloor - 1
		if err := l.checkDeleteSpace(); !errors.Is(err, ErrFull) {
			t.Fatalf("checkDeleteSpace below the floor: got %v, want ErrFull", err)
		}
	})
}

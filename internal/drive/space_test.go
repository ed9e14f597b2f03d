package drive

import (
	"errors"
	"testing"
)

// TestSpaceChecks: the checks answer as a statfs per check would, near the
// limit and far from it.
func TestSpaceChecks(t *testing.T) {
	const mib = 1 << 20
	l := openLocal(t, t.TempDir())
	_, free, err := statfs(l.sys)
	if err != nil {
		t.Fatal(err)
	}
	if free < 2<<30 {
		t.Skipf("needs 2 GiB free, has %d MiB", free/mib)
	}
	tests := []struct {
		name    string
		reserve uint64
		needs   []uint64 // checked one after the other
		full    int      // index of the first need refused, -1 for none
	}{
		{"far from the limit", 64 * mib, []uint64{mib, mib, mib}, -1},
		{"more than is free", 64 * mib, []uint64{mib, free}, 1},
		{"near the limit: exact", free - 100*mib, []uint64{40 * mib, 200 * mib}, 1},
		{"above the reserve", free + mib, []uint64{1}, 0},
		// The first check's claim brings the estimate near the limit: the
		// second asks the filesystem, which still has the room (nothing
		// was written), so a refusal never comes from an estimate.
		{"claims bring a reading, not a refusal", free - 600*mib, []uint64{300 * mib, 300 * mib, 300 * mib}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l.reserve = tt.reserve
			l.space = spaceGauge{}
			for i, need := range tt.needs {
				err := l.checkSpace(need)
				if wantFull := i == tt.full; errors.Is(err, ErrFull) != wantFull {
					t.Fatalf("need %d (%d MiB): got %v, want full %v", i, need/mib, err, wantFull)
				}
				if err != nil && !errors.Is(err, ErrFull) {
					t.Fatal(err)
				}
			}
		})
	}
	l.space = spaceGauge{}
	if err := l.checkDeleteSpace(); err != nil {
		t.Fatalf("checkDeleteSpace: got %v, want nil", err)
	}
}

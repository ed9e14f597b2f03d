package erasure

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
)

// sharedDrive is a drive a second engine uses without owning it: its
// Close leaves the drive open for the first.
type sharedDrive struct{ drive.Drive }

func (sharedDrive) Close() error { return nil }

// TestStaleReload runs two engines over the same drives, as two nodes of
// a cluster do: what one records stale (a repaired drive) or clears (the
// drive rebuilt), the other learns by ReloadStale, without a restart;
// reloading again changes nothing, and a second clearing is harmless.
func TestStaleReload(t *testing.T) {
	t.Parallel()
	var changes atomic.Int64
	a, faulty, _ := openFaulty(t, 4, Config{StaleChanged: func() { changes.Add(1) }})
	mustBucket(t, a, "bkt")
	body := randBytes(3000, 1)
	mustPut(t, a, "bkt", "k", body)
	shared := make([]drive.Drive, len(faulty))
	for i, f := range faulty {
		shared[i] = sharedDrive{f}
	}
	b, err := New(context.Background(), Config{}, shared)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx := context.Background()
	ep := faulty[2].Endpoint()

	steps := []struct {
		name        string
		act         func()
		wantChanged []string
		wantStale   []string
		wantState   string
	}{
		{"nothing recorded", func() {}, nil, nil, stateOnline},
		{"repaired on the other engine", func() { a.markRebuildingFor(ep, StaleRepaired) }, []string{ep}, []string{ep}, stateHealing},
		{"reloaded again", func() {}, nil, []string{ep}, stateHealing},
		{"rebuilt on the other engine", func() { a.DriveRebuilt(ep) }, []string{ep}, nil, stateOnline},
		{"cleared twice", func() { a.DriveRebuilt(ep); b.DriveRebuilt(ep) }, nil, nil, stateOnline},
	}
	for _, st := range steps {
		before := changes.Load()
		st.act()
		if st.wantChanged != nil && changes.Load() == before {
			t.Errorf("%s: StaleChanged not called", st.name)
		}
		if got := b.ReloadStale(ctx); !slices.Equal(got, st.wantChanged) {
			t.Errorf("%s: ReloadStale got %v, want %v", st.name, got, st.wantChanged)
		}
		if got := b.RebuildingDrives(); !slices.Equal(got, st.wantStale) {
			t.Errorf("%s: RebuildingDrives got %v, want %v", st.name, got, st.wantStale)
		}
		info, err := b.StorageInfo(ctx)
		if err != nil || info.Drives[2].State != st.wantState {
			t.Errorf("%s: StorageInfo drive 3: got %+v, %v; want %s", st.name, info.Drives[2], err, st.wantState)
		}
		if st.wantState == stateHealing && b.StaleReason(ep) != StaleRepaired {
			t.Errorf("%s: StaleReason got %q, want %q", st.name, b.StaleReason(ep), StaleRepaired)
		}
	}
	// While the drive is stale to b, two other drives lost still leave
	// b a quorum error, never the empty drive's "not found".
	a.markRebuildingFor(ep, StaleRepaired)
	b.ReloadStale(ctx)
	setModes(faulty, drive.FaultEIO, 0)
	if got, err := readAll(b, "bkt", "k"); err != nil || !slices.Equal(got, body) {
		t.Errorf("GET with one drive lost and one stale: got %d bytes, %v; want the object", len(got), err)
	}
	setModes(faulty, drive.FaultEIO, 1)
	if got, err := readAll(b, "bkt", "k"); !isQuorumErr(err) {
		t.Errorf("GET with two drives lost and one stale: got %d bytes, %v; want a quorum error", len(got), err)
	}
}

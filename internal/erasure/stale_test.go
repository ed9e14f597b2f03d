package erasure

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// staleOpen opens a single-node 2+2 set of faulty drives with a bucket.
func staleOpen(t *testing.T) (*Layer, []*drive.Faulty, []string) {
	t.Helper()
	l, faulty, dirs := openFaulty(t, 4, Config{DegradedWrites: true})
	mustBucket(t, l, "bkt")
	return l, faulty, dirs
}

func setModes(faulty []*drive.Faulty, mode drive.FaultMode, which ...int) {
	for _, i := range which {
		faulty[i].SetMode(mode)
	}
}

// endpoints returns the sorted endpoints of faulty drives which.
func endpoints(faulty []*drive.Faulty, which ...int) []string {
	var out []string
	for _, i := range which {
		out = append(out, faulty[i].Endpoint())
	}
	slices.Sort(out)
	return out
}

// TestStaleDeleteStaysDeleted: a delete taken by 2 of 4 drives while the
// other 2 were down; when they return the object stays deleted in GET,
// HEAD and LIST, also when the drives that took the delete go down (a
// quorum error then, never the object), and after the rebuild.
func TestStaleDeleteStaysDeleted(t *testing.T) {
	t.Parallel()
	l, faulty, _ := staleOpen(t)
	ctx := context.Background()
	mustPut(t, l, "bkt", "keep", randBytes(100, 1))
	for _, k := range []string{"gone/small", "gone/big"} {
		mustPut(t, l, "bkt", k, randBytes(map[string]int{"gone/small": 300, "gone/big": 900 << 10}[k], 2))
	}
	setModes(faulty, drive.FaultEIO, 2, 3)
	for _, k := range []string{"gone/small", "gone/big"} {
		if _, err := l.DeleteObject(ctx, "bkt", k, storage.DeleteOptions{}); err != nil {
			t.Fatalf("delete %s with 2 of 4 drives down: got %v, want nil", k, err)
		}
	}
	setModes(faulty, drive.FaultNone, 2, 3)
	if got, want := l.RebuildingDrives(), endpoints(faulty, 2, 3); !slices.Equal(got, want) {
		t.Fatalf("RebuildingDrives: got %v, want %v", got, want)
	}
	checkGone := func(when string, wantErr func(error) bool) {
		t.Helper()
		for _, k := range []string{"gone/small", "gone/big"} {
			if got, err := readAll(l, "bkt", k); !wantErr(err) {
				t.Errorf("%s: GET %s: got %d bytes, %v", when, k, len(got), err)
			}
			if _, err := l.StatObject(ctx, "bkt", k, storage.GetOptions{}); !wantErr(err) {
				t.Errorf("%s: HEAD %s: got %v", when, k, err)
			}
		}
		keys, _, err := listAllErr(l, "bkt", storage.ListOptions{})
		if wantErr(storage.ErrObjectNotFound) && (err != nil || !slices.Equal(keys, []string{"keep"})) ||
			!wantErr(storage.ErrObjectNotFound) && !isQuorumErr(err) {
			t.Errorf("%s: LIST: got %q, %v", when, keys, err)
		}
	}
	notFound := func(err error) bool { return errors.Is(err, storage.ErrObjectNotFound) }
	checkGone("drives back", notFound)
	setModes(faulty, drive.FaultEIO, 0, 1)
	checkGone("the drives that took the delete down", isQuorumErr)
	if err := sweepAll(l); err == nil {
		t.Errorf("rebuild pass without the drives that took the delete: got nil, want an error")
	}
	setModes(faulty, drive.FaultNone, 0, 1)
	sweepStale(t, l)
	checkGone("after the rebuild", notFound)
	for pos, d := range l.sets[0].drives {
		for _, k := range []string{"gone/small", "gone/big"} {
			if _, err := d.Get(ctx, drive.NSObject, drive.ObjectKey("bkt", k)); !errors.Is(err, drive.ErrNotFound) {
				t.Errorf("after the rebuild, drive %d holds %s: got %v, want no record", pos, k, err)
			}
		}
	}
	setModes(faulty, drive.FaultEIO, 0, 1)
	checkGone("rebuilt drives alone", notFound)
}

// TestStaleOverwriteNotServed: an overwrite taken by 2 of 4 drives; when
// they are the ones down later, the returning drives' old version is never
// served (a quorum error instead) and they cannot be rebuilt; once the
// others are back the rebuild brings them the new version, shard by
// shard, and they serve it alone.
func TestStaleOverwriteNotServed(t *testing.T) {
	t.Parallel()
	l, faulty, _ := staleOpen(t)
	bodies := map[string][]byte{"small": randBytes(2000, 1), "big": randBytes(1<<20+5, 2)}
	for k, b := range bodies {
		mustPut(t, l, "bkt", k, b)
	}
	setModes(faulty, drive.FaultRemoved, 2, 3)
	for k := range bodies {
		bodies[k] = randBytes(len(bodies[k])+10, 3)
		mustPut(t, l, "bkt", k, bodies[k])
	}
	setModes(faulty, drive.FaultNone, 2, 3)
	setModes(faulty, drive.FaultEIO, 0, 1)
	for k := range bodies {
		if got, err := readAll(l, "bkt", k); !isQuorumErr(err) {
			t.Errorf("GET %s with only the stale drives: got %d bytes, %v; want a quorum error", k, len(got), err)
		}
	}
	if _, err := l.PutObject(context.Background(), "bkt", "other", newPayload([]byte("x")), storage.PutOptions{}); !isQuorumErr(err) {
		t.Errorf("PUT with only the stale drives: got %v, want a quorum error", err)
	}
	if err := sweepAll(l); err == nil {
		t.Errorf("rebuild pass with only the stale drives: got nil, want an error")
	}
	if got, want := l.RebuildingDrives(), endpoints(faulty, 2, 3); !slices.Equal(got, want) {
		t.Errorf("RebuildingDrives: got %v, want %v", got, want)
	}
	setModes(faulty, drive.FaultNone, 0, 1)
	sweepStale(t, l)
	for k, b := range bodies {
		if p := verifyRedundancy(t, l, "bkt", k); len(p) != 0 {
			t.Errorf("after the rebuild, %s: %v; want full redundancy", k, p)
		}
		healMustRead(t, l, "bkt", k, b)
	}
	setModes(faulty, drive.FaultEIO, 0, 1)
	for k, b := range bodies {
		healMustRead(t, l, "bkt", k, b)
	}
}

// TestStaleSurvivesRestart: stale drives stay stale across a restart (the
// records on the drives that took the writes), a drive formatted in place
// of a lost one resumes its rebuild after a restart, and a completed
// rebuild leaves no record behind.
func TestStaleSurvivesRestart(t *testing.T) {
	t.Parallel()
	l, faulty, dirs := staleOpen(t)
	body := randBytes(3000, 1)
	mustPut(t, l, "bkt", "k", randBytes(3000, 2))
	setModes(faulty, drive.FaultEIO, 2, 3)
	mustPut(t, l, "bkt", "k", body)
	setModes(faulty, drive.FaultNone, 2, 3)
	l.Close()

	l, faulty = openFaultyDirs(t, dirs, Config{DegradedWrites: true})
	if got, want := l.RebuildingDrives(), endpoints(faulty, 2, 3); !slices.Equal(got, want) {
		t.Fatalf("after a restart, RebuildingDrives: got %v, want %v", got, want)
	}
	info, err := l.StorageInfo(context.Background())
	if err != nil || info.Drives[2].State != stateHealing || info.Drives[0].State != stateOnline {
		t.Errorf("StorageInfo: got %+v, %v; want drive 3 healing, drive 1 online", info.Drives, err)
	}
	setModes(faulty, drive.FaultEIO, 0, 1)
	if got, err := readAll(l, "bkt", "k"); !isQuorumErr(err) {
		t.Errorf("GET with only the stale drives after a restart: got %d bytes, %v; want a quorum error", len(got), err)
	}
	setModes(faulty, drive.FaultNone, 0, 1)
	sweepStale(t, l)
	l.Close()

	// A drive wiped while the engine was down is formatted at start and
	// rebuilt; a restart before its rebuild keeps it stale.
	if err := os.RemoveAll(dirs[1]); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dirs[1], 0o755); err != nil {
		t.Fatal(err)
	}
	l, faulty = openFaultyDirs(t, dirs, Config{DegradedWrites: true})
	if got, want := l.RebuildingDrives(), endpoints(faulty, 1); !slices.Equal(got, want) {
		t.Fatalf("with a blank drive, RebuildingDrives: got %v, want %v", got, want)
	}
	l.Close()
	l, _ = openFaultyDirs(t, dirs, Config{DegradedWrites: true})
	if got, want := l.RebuildingDrives(), endpoints(faulty, 1); !slices.Equal(got, want) {
		t.Fatalf("restart before the rebuild of the blank drive: RebuildingDrives got %v, want %v", got, want)
	}
	sweepStale(t, l)
	healMustRead(t, l, "bkt", "k", body)
	if p := verifyRedundancy(t, l, "bkt", "k"); len(p) != 0 {
		t.Errorf("after the rebuild: %v; want full redundancy", p)
	}
	l.Close()
	l, _ = openFaultyDirs(t, dirs, Config{DegradedWrites: true})
	if got := l.RebuildingDrives(); len(got) != 0 {
		t.Errorf("restart after the rebuilds: RebuildingDrives got %v, want none", got)
	}
}

// TestStaleMissDuringRebuild: a write that misses a stale drive after its
// rebuild pass began leaves it stale; the next pass clears it.
func TestStaleMissDuringRebuild(t *testing.T) {
	t.Parallel()
	l, faulty, _ := staleOpen(t)
	setModes(faulty, drive.FaultReadOnly, 2, 3)
	mustPut(t, l, "bkt", "a", randBytes(100, 1))
	setModes(faulty, drive.FaultNone, 3)
	ep := faulty[2].Endpoint()
	l.BeginRebuild(ep)
	mustPut(t, l, "bkt", "b", randBytes(100, 2)) // drive 3 is still read-only: it misses this
	l.DriveRebuilt(ep)
	if got := l.RebuildingDrives(); !slices.Contains(got, ep) {
		t.Errorf("after a write missed it during the pass: RebuildingDrives got %v, want %s in it", got, ep)
	}
	setModes(faulty, drive.FaultNone, 2)
	sweepStale(t, l)
	for _, k := range []string{"a", "b"} {
		if p := verifyRedundancy(t, l, "bkt", k); len(p) != 0 {
			t.Errorf("%s after the rebuild: %v", k, p)
		}
	}
}

// TestStaleNotInClusterMode: without DegradedWrites a 2+2 set refuses
// writes on 2 drives and marks nothing stale.
func TestStaleNotInClusterMode(t *testing.T) {
	t.Parallel()
	l, faulty, _ := openFaulty(t, 4, Config{})
	mustBucket(t, l, "bkt")
	setModes(faulty, drive.FaultEIO, 0, 3)
	_, err := l.PutObject(context.Background(), "bkt", "k", newPayload([]byte("x")), storage.PutOptions{})
	if !errors.Is(err, storage.ErrWriteQuorum) {
		t.Errorf("PUT on 2 of 4: got %v, want ErrWriteQuorum", err)
	}
	if got := l.RebuildingDrives(); len(got) != 0 {
		t.Errorf("RebuildingDrives: got %v, want none", got)
	}
	setModes(faulty, drive.FaultNone, 0, 3)
	if _, err := readAll(l, "bkt", "k"); !errors.Is(err, storage.ErrObjectNotFound) {
		t.Errorf("GET of the refused PUT: got %v, want not found", err)
	}
}

// TestStaleRebuildOlderDisagreement: an object written on 3 of 4 drives
// (one down, not yet healed) before two others missed writes: the two
// drives that count disagree on it, so it reads as a quorum error, but
// the rebuild still decides it with every drive (its write predates the
// outage), heals it everywhere and completes.
func TestStaleRebuildOlderDisagreement(t *testing.T) {
	t.Parallel()
	l, faulty, _ := staleOpen(t)
	body := randBytes(5000, 1)
	setModes(faulty, drive.FaultEIO, 1)
	mustPut(t, l, "bkt", "k", body)
	setModes(faulty, drive.FaultNone, 1)
	setModes(faulty, drive.FaultEIO, 2, 3)
	mustPut(t, l, "bkt", "other", randBytes(10, 2))
	setModes(faulty, drive.FaultNone, 2, 3)
	if got, err := readAll(l, "bkt", "k"); !isQuorumErr(err) {
		t.Errorf("GET k with the counting drives split: got %d bytes, %v; want a quorum error", len(got), err)
	}
	sweepStale(t, l)
	healMustRead(t, l, "bkt", "k", body)
	if p := verifyRedundancy(t, l, "bkt", "k"); len(p) != 0 {
		t.Errorf("after the rebuild: %v; want full redundancy", p)
	}
}

// openFaultyModes opens the engine over the drive folders dirs wrapped in
// drive.Faulty, with drives down (FaultRemoved) from the start.
func openFaultyModes(t *testing.T, dirs []string, cfg Config, down ...int) (*Layer, []*drive.Faulty, error) {
	t.Helper()
	drives := make([]drive.Drive, len(dirs))
	faulty := make([]*drive.Faulty, len(dirs))
	for i, dir := range dirs {
		d, err := drive.OpenLocal(dir, drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		faulty[i] = drive.NewFaulty(d)
		drives[i] = faulty[i]
	}
	setModes(faulty, drive.FaultRemoved, down...)
	l, err := New(context.Background(), cfg, drives)
	if err != nil {
		for _, d := range drives {
			d.Close()
		}
		return nil, nil, err
	}
	t.Cleanup(func() { l.Close() })
	return l, faulty, nil
}

// TestStaleStartWithoutSafeQuorum: a single node restarted with two of
// its four drives gone starts after a grace period (a cluster's engine
// does not), takes writes, and rebuilds the two when they come back.
// Drives that returned stale and took a write carry their own record, so
// a restart with only them present does not trust them.
func TestStaleStartWithoutSafeQuorum(t *testing.T) {
	t.Parallel()
	l, _, dirs := staleOpen(t)
	old := randBytes(4000, 1)
	mustPut(t, l, "bkt", "k", old)
	l.Close()
	quick := Config{StartTimeout: 300 * time.Millisecond, ProbeInterval: 20 * time.Millisecond, MonitorInterval: 20 * time.Millisecond}
	if _, _, err := openFaultyModes(t, dirs, quick, 2, 3); err == nil {
		t.Fatalf("cluster engine with 2 of 4 drives: got a start, want a refusal")
	}
	degraded := quick
	degraded.DegradedWrites = true
	l, faulty, err := openFaultyModes(t, dirs, degraded, 2, 3)
	if err != nil {
		t.Fatalf("single node with 2 of 4 drives: got %v, want a start", err)
	}
	body := randBytes(5000, 2)
	mustPut(t, l, "bkt", "k", body)
	if got, want := l.RebuildingDrives(), endpoints(faulty, 2, 3); !slices.Equal(got, want) {
		t.Errorf("RebuildingDrives: got %v, want %v", got, want)
	}
	setModes(faulty, drive.FaultNone, 2, 3)
	for i := 0; ; i++ { // the monitor attaches the returned drives
		info, err := l.StorageInfo(context.Background())
		if err == nil && info.Drives[2].State == stateHealing && info.Drives[3].State == stateHealing {
			break
		}
		if i == 500 {
			t.Fatalf("returned drives: got %+v, %v; want them attached, healing", info.Drives, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mustPut(t, l, "bkt", "other", randBytes(10, 3)) // the returned drives take it, and their own records
	l.Close()

	l, _, err = openFaultyModes(t, dirs, degraded, 0, 1)
	if err != nil {
		t.Fatalf("restart with only the stale drives: got %v, want a start", err)
	}
	if got := l.RebuildingDrives(); len(got) != 2 {
		t.Errorf("restart with only the stale drives: RebuildingDrives got %v, want both", got)
	}
	if got, err := readAll(l, "bkt", "k"); !isQuorumErr(err) {
		t.Errorf("GET with only the stale drives after a restart: got %d bytes (old: %v), %v; want a quorum error", len(got), bytes.Equal(got, old), err)
	}
	l.Close()
	l, _, err = openFaultyModes(t, dirs, degraded)
	if err != nil {
		t.Fatal(err)
	}
	sweepStale(t, l)
	healMustRead(t, l, "bkt", "k", body)
}

package erasure

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

const (
	hangTimeout = 400 * time.Millisecond
	// hangMargin is what a request may take beyond the drive deadline on
	// a loaded machine (the race detector, other tests).
	hangMargin = 1500 * time.Millisecond
)

// within runs f and fails the test if it took longer than the drive
// deadline plus the margin.
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	start := time.Now()
	err := f()
	if took := time.Since(start); took > hangTimeout+hangMargin {
		t.Errorf("%s took %v, want at most %v (deadline %v)", what, took, hangTimeout+hangMargin, hangTimeout)
	}
	return err
}

// pollState polls StorageInfo until drive pos shows state, for at most 10s.
func pollState(t *testing.T, l *Layer, pos int, state string) storage.DriveInfo {
	t.Helper()
	var last storage.DriveInfo
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		info, err := l.StorageInfo(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		last = info.Drives[pos]
		if last.State == state {
			return last
		}
	}
	t.Fatalf("drive %d: state %q (%s), want %q", pos, last.State, last.Reason, state)
	return last
}

// TestHungDrive: one drive of four hangs in the kernel (every call blocks,
// contexts ignored). GETs and PUTs complete within the drive deadline
// plus a margin, byte-exact; the drive shows offline with why; once it
// answers again it rejoins by itself, the write it abandoned leaves no
// staged file, and healing gives it what it missed.
func TestHungDrive(t *testing.T) {
	t.Parallel()
	cfg := Config{DriveTimeout: hangTimeout, DriveRejoinInterval: 20 * time.Millisecond}
	l, faulty, dirs := openFaulty(t, 4, cfg)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	old := randBytes(3<<20, 1)
	mustPut(t, l, "bkt", "old", old)
	mustPut(t, l, "bkt", "small", []byte("small"))

	const hung = 1
	faulty[hung].SetMode(drive.FaultHang)
	for _, k := range []string{"old", "small"} {
		var got []byte
		err := within(t, "GET "+k, func() error { var err error; got, err = readAll(l, "bkt", k); return err })
		if err != nil {
			t.Fatalf("GET %s with a hung drive: got %v, want nil", k, err)
		}
		if k == "old" && string(got) != string(old) {
			t.Errorf("GET old with a hung drive: %d bytes differ from the %d written", len(got), len(old))
		}
	}
	fresh := randBytes(5<<20, 2)
	err := within(t, "PUT", func() error {
		_, err := l.PutObject(ctx, "bkt", "fresh", newPayload(fresh), storage.PutOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("PUT with a hung drive: got %v, want nil", err)
	}
	if got, err := readAll(l, "bkt", "fresh"); err != nil || string(got) != string(fresh) {
		t.Errorf("GET fresh with a hung drive: %d bytes, %v; want the %d written", len(got), err, len(fresh))
	}
	di := pollState(t, l, hung, stateOffline)
	if !strings.Contains(di.Reason, "hung") || di.Since.IsZero() {
		t.Errorf("hung drive: reason %q since %v, want a reason naming the hang and a time", di.Reason, di.Since)
	}

	faulty[hung].SetMode(drive.FaultNone)
	pollState(t, l, hung, stateOnline)
	for _, k := range []string{"old", "small", "fresh"} {
		if _, err := l.HealObject(ctx, "bkt", k); err != nil {
			t.Errorf("heal %s: got %v, want nil", k, err)
		}
		if p := verifyRedundancy(t, l, "bkt", k); len(p) != 0 {
			t.Errorf("after heal, %s: %v; want full redundancy", k, p)
		}
	}
	for start := time.Now(); tmpEntries(t, dirs[hung]) != 0; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("staged files on the drive that hung: %d, want 0 once it answers", tmpEntries(t, dirs[hung]))
		}
	}
}

// TestHungDrivesBeyondParity: three drives of four hang. A PUT answers
// 503 (write quorum) within the deadline plus a margin and leaves nothing
// visible, neither then nor after the drives answer again (their late
// completions are strays); writes then succeed again without a restart.
func TestHungDrivesBeyondParity(t *testing.T) {
	t.Parallel()
	cfg := Config{DriveTimeout: hangTimeout, DriveRejoinInterval: 20 * time.Millisecond}
	l, faulty, dirs := openFaulty(t, 4, cfg)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	for _, f := range faulty[1:] {
		f.SetMode(drive.FaultHang)
	}
	err := within(t, "PUT", func() error {
		_, err := l.PutObject(ctx, "bkt", "lost", newPayload(randBytes(2<<20, 3)), storage.PutOptions{})
		return err
	})
	if !errors.Is(err, storage.ErrWriteQuorum) && !errors.Is(err, storage.ErrReadQuorum) {
		t.Fatalf("PUT with 3 of 4 drives hung: got %v, want a quorum error (503)", err)
	}
	for _, f := range faulty[1:] {
		f.SetMode(drive.FaultNone)
	}
	for pos := 1; pos < 4; pos++ {
		pollState(t, l, pos, stateOnline)
	}
	if _, err := l.StatObject(ctx, "bkt", "lost", storage.GetOptions{}); !errors.Is(err, storage.ErrObjectNotFound) {
		t.Errorf("stat of the refused object after the drives answer: got %v, want not found", err)
	}
	if keys, _, err := listAllErr(l, "bkt", storage.ListOptions{}); err != nil || len(keys) != 0 {
		t.Errorf("listing after the refused PUT: got %v, %v; want empty", keys, err)
	}
	mustPut(t, l, "bkt", "after", []byte("after"))
	for _, dir := range dirs {
		for start := time.Now(); tmpEntries(t, dir) != 0; time.Sleep(20 * time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				t.Fatalf("staged files on %s: %d, want 0 once it answers", dir, tmpEntries(t, dir))
			}
		}
	}
}

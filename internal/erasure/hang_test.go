package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
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

// commitHang is a drive whose commits (Apply) block, contexts ignored,
// while hang is set, until release is closed: a disk that hangs exactly
// as a write commits.
type commitHang struct {
	drive.Drive
	hang    atomic.Bool
	release chan struct{}
	landed  atomic.Int32 // commits that returned after blocking
}

func (c *commitHang) Apply(ctx context.Context, b drive.Batch) error {
	if c.hang.Load() {
		<-c.release
		defer c.landed.Add(1)
	}
	return c.Drive.Apply(ctx, b)
}

// TestLateCommits: drives hang exactly in the commit of a PUT and their
// commits land after the deadline. With one drive the PUT succeeds in
// time and the late commit agrees with the others; with two (the write
// quorum of 2+2 without degraded writes is 3) the PUT answers 503 in
// time, and once the late commits land the object is either absent or
// whole and byte-exact, never partial, and healing leaves it consistent
// on every drive.
func TestLateCommits(t *testing.T) {
	t.Parallel()
	for _, hung := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d hung", hung), func(t *testing.T) {
			t.Parallel()
			hangs := make([]*commitHang, 4)
			drives := make([]drive.Drive, 4)
			for i := range drives {
				d, err := drive.OpenLocal(t.TempDir(), drive.Options{})
				if err != nil {
					t.Fatal(err)
				}
				hangs[i] = &commitHang{Drive: d, release: make(chan struct{})}
				drives[i] = hangs[i]
			}
			l, err := New(context.Background(), Config{DriveTimeout: hangTimeout, DriveRejoinInterval: 20 * time.Millisecond}, drives)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			ctx := context.Background()
			mustBucket(t, l, "bkt")
			for _, h := range hangs[1 : 1+hung] {
				h.hang.Store(true)
			}
			body := randBytes(3<<20, 7)
			err = within(t, "PUT", func() error {
				_, err := l.PutObject(ctx, "bkt", "k", newPayload(body), storage.PutOptions{})
				return err
			})
			switch {
			case hung == 1 && err != nil:
				t.Fatalf("PUT with one drive hung in its commit: got %v, want nil", err)
			case hung == 2 && !errors.Is(err, storage.ErrWriteQuorum):
				t.Fatalf("PUT with two drives hung in their commit: got %v, want a write quorum error (503)", err)
			}
			for _, h := range hangs {
				h.hang.Store(false)
				close(h.release)
			}
			for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
				n := int32(0)
				for _, h := range hangs {
					n += h.landed.Load()
				}
				if n == int32(hung) {
					break
				}
				if time.Since(start) > 5*time.Second {
					t.Fatalf("late commits landed: %d, want %d", n, hung)
				}
			}
			for pos := range 4 {
				pollState(t, l, pos, stateOnline)
			}
			check := func(when string) {
				t.Helper()
				got, err := readAll(l, "bkt", "k")
				switch {
				case errors.Is(err, storage.ErrObjectNotFound):
					if hung == 1 {
						t.Errorf("%s: the acknowledged object is not found", when)
					}
				case err != nil:
					t.Errorf("%s: GET: got %v, want the object or not found", when, err)
				case !bytes.Equal(got, body):
					t.Errorf("%s: GET: %d bytes that differ from the %d written", when, len(got), len(body))
				}
			}
			check("after the late commits")
			if _, err := l.HealObject(ctx, "bkt", "k"); err != nil && !errors.Is(err, storage.ErrObjectNotFound) {
				t.Errorf("heal: got %v", err)
			}
			check("after heal")
			if _, err := readAll(l, "bkt", "k"); err == nil {
				if p := verifyRedundancy(t, l, "bkt", "k"); len(p) != 0 {
					t.Errorf("after heal: %v; want full redundancy", p)
				}
			} else {
				for pos, d := range l.sets[0].drives {
					if _, err := d.Get(ctx, drive.NSObject, drive.ObjectKey("bkt", "k")); !errors.Is(err, drive.ErrNotFound) {
						t.Errorf("after heal, drive %d: record %v; want none (the object is absent)", pos, err)
					}
				}
			}
			t.Logf("%d hung: object after the late commits and heal: %v", hung, func() error { _, err := readAll(l, "bkt", "k"); return err }())
		})
	}
}

// TestHungReadGivesUpBuffer: shard reads go straight into the GET's
// block buffer (drive.DirectReader). A read that hangs mid-stream is
// abandoned at its deadline and writes into that buffer when the drive
// answers again, so the buffer must never be used or pooled again: GETs
// running while the late reads land stay byte-exact, and the race
// detector sees no write shared with them.
func TestHungReadGivesUpBuffer(t *testing.T) {
	t.Parallel()
	cfg := Config{DriveTimeout: hangTimeout, DriveRejoinInterval: 20 * time.Millisecond}
	l, faulty, _ := openFaulty(t, 4, cfg)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	a, b := randBytes(6<<20, 1), randBytes(6<<20, 2)
	mustPut(t, l, "bkt", "a", a)
	mustPut(t, l, "bkt", "b", b)
	for h := range faulty {
		o, err := l.OpenObject(ctx, "bkt", "a", storage.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := o.Reader(0, int64(len(a)))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(a))
		if _, err := io.ReadFull(r, got[:1<<20]); err != nil {
			t.Fatalf("drive %d: first MiB: %v", h, err)
		}
		faulty[h].SetMode(drive.FaultHang)
		err = within(t, "rest of GET", func() error { _, err := io.ReadFull(r, got[1<<20:]); return err })
		r.Close()
		o.Close()
		if err != nil || !bytes.Equal(got, a) {
			t.Fatalf("drive %d hung mid-GET: %v, bytes equal %v; want the object", h, err, bytes.Equal(got, a))
		}
		// Release the hung reads while other GETs run on the pooled buffers.
		done := make(chan error, 1)
		go func() {
			for range 6 {
				got, err := readAll(l, "bkt", "b")
				if err != nil || !bytes.Equal(got, b) {
					done <- fmt.Errorf("GET b while late reads land: %v, bytes equal %v", err, bytes.Equal(got, b))
					return
				}
			}
			done <- nil
		}()
		faulty[h].SetMode(drive.FaultNone)
		if err := <-done; err != nil {
			t.Fatalf("drive %d: %v", h, err)
		}
		pollState(t, l, h, stateOnline)
	}
}

package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"
)

const (
	testCallTimeout = 400 * time.Millisecond
	// testMargin is what a call may take beyond its deadline on a loaded
	// machine.
	testMargin = 600 * time.Millisecond
)

// waitFor polls cond every 10ms for at most d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newWatched(t *testing.T) (*Watchdog, *Faulty, string) {
	t.Helper()
	f, _ := newFaultyWithShard(t)
	w := NewWatchdog(f, WatchdogOptions{Timeout: testCallTimeout, RejoinInterval: 20 * time.Millisecond})
	t.Cleanup(func() {
		f.SetMode(FaultNone)
		w.Close()
	})
	return w, f, f.Endpoint()
}

// TestWatchdogHungCalls: every call of a hung drive returns within the
// deadline with ErrFaulty, the first takes the drive out of service with
// its reason, later ones fail at once, and once released the drive
// rejoins by itself.
func TestWatchdogHungCalls(t *testing.T) {
	for i, name := range callNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w, f, _ := newWatched(t)
			c := faultyCalls(w, [16]byte{0xaa})[i]
			f.SetMode(FaultHang)
			start := time.Now()
			err := c.call()
			if took := time.Since(start); took > testCallTimeout+testMargin {
				t.Errorf("hung call took %v, want at most %v", took, testCallTimeout+testMargin)
			}
			if !errors.Is(err, ErrFaulty) {
				t.Fatalf("hung call: got %v, want ErrFaulty", err)
			}
			flt := w.Fault()
			if flt == nil || !flt.Hung || flt.Reason == "" || flt.Since.IsZero() {
				t.Fatalf("fault after a hung call: got %+v, want hung with reason and time", flt)
			}
			start = time.Now()
			if _, err := w.DiskInfo(context.Background()); !errors.Is(err, ErrFaulty) {
				t.Errorf("call while out of service: got %v, want ErrFaulty", err)
			}
			if took := time.Since(start); took > testCallTimeout/2 {
				t.Errorf("call while out of service took %v, want at once", took)
			}
			f.SetMode(FaultNone)
			waitFor(t, 5*time.Second, "rejoin", func() bool { return w.Fault() == nil })
			if n := w.Stuck(); n != 0 {
				t.Errorf("stuck calls after rejoin: got %d, want 0", n)
			}
			if err := c.call(); err != nil {
				t.Errorf("%s after rejoin: got %v, want nil", c.name, err)
			}
		})
	}
}

func callNames() []string {
	var names []string
	for _, c := range faultyCalls(NewFaulty(nil), [16]byte{}) {
		names = append(names, c.name)
	}
	return names
}

// TestWatchdogStreams: a shard write or read that hangs mid-stream
// returns in time; the staged file of a write abandoned that way is
// removed once the drive answers, and a stream never touches the
// caller's buffer after its call returned.
func TestWatchdogStreams(t *testing.T) {
	ctx := context.Background()
	t.Run("write", func(t *testing.T) {
		w, f, root := newWatched(t)
		sw, err := w.CreateShard(ctx, "ab", "part.1", 8)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sw.Write([]byte("abcd")); err != nil {
			t.Fatal(err)
		}
		f.SetMode(FaultHang)
		buf := []byte("efgh")
		start := time.Now()
		if _, err := sw.Write(buf); !errors.Is(err, ErrFaulty) {
			t.Fatalf("hung write: got %v, want ErrFaulty", err)
		}
		if took := time.Since(start); took > testCallTimeout+testMargin {
			t.Errorf("hung write took %v", took)
		}
		copy(buf, "XXXX") // the caller reuses its buffer at once
		if err := sw.Abort(); !errors.Is(err, ErrFaulty) {
			t.Errorf("abort while hung: got %v, want ErrFaulty", err)
		}
		f.SetMode(FaultNone)
		waitFor(t, 5*time.Second, "rejoin", func() bool { return w.Fault() == nil })
		waitFor(t, 5*time.Second, "abandoned stage removed", func() bool {
			m, _ := filepath.Glob(filepath.Join(root, ".hoard.sys", "tmp", "*", "*"))
			return len(m) == 0
		})
	})
	t.Run("read", func(t *testing.T) {
		w, f, _ := newWatched(t)
		r, err := w.ReadShard(ctx, [16]byte{0xaa}, "part.1", 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		f.SetMode(FaultHang)
		p := make([]byte, 5)
		if _, err := r.Read(p); !errors.Is(err, ErrFaulty) {
			t.Fatalf("hung read: got %v, want ErrFaulty", err)
		}
		r.Close()
		f.SetMode(FaultNone)
		waitFor(t, 5*time.Second, "rejoin", func() bool { return w.Fault() == nil })
		if string(p) != "\x00\x00\x00\x00\x00" {
			t.Errorf("caller's buffer after an abandoned read: got %q, want untouched", p)
		}
		r, err = w.ReadShard(ctx, [16]byte{0xaa}, "part.1", 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != "hello" {
			t.Errorf("read after rejoin: got %q, %v; want hello", got, err)
		}
	})
}

// TestWatchdogNoRejoinWhileStuck: a drive whose hung call never returns
// stays out of service even though other calls would answer.
func TestWatchdogNoRejoinWhileStuck(t *testing.T) {
	w, f, _ := newWatched(t)
	f.SetMode(FaultHang)
	if _, err := w.Get(context.Background(), NSBucket, "b"); !errors.Is(err, ErrFaulty) {
		t.Fatalf("hung get: got %v, want ErrFaulty", err)
	}
	// Let ten probe rounds pass: none may bring the drive back (an
	// absence, so a bounded wait rather than a poll).
	time.Sleep(10 * 20 * time.Millisecond)
	if w.Fault() == nil || w.Stuck() != 1 {
		t.Fatalf("while a call hangs: fault %v, stuck %d; want out of service, 1 stuck", w.Fault(), w.Stuck())
	}
	f.SetMode(FaultNone)
	waitFor(t, 5*time.Second, "rejoin", func() bool { return w.Fault() == nil && w.Stuck() == 0 })
}

// TestWatchdogHangsAgain: a drive that hangs, rejoins and hangs again is
// taken out of service and rejoins each time.
func TestWatchdogHangsAgain(t *testing.T) {
	w, f, _ := newWatched(t)
	for round := range 3 {
		f.SetMode(FaultHang)
		if _, err := w.ListShards(context.Background(), [16]byte{0xaa}); !errors.Is(err, ErrFaulty) {
			t.Fatalf("round %d: hung call: got %v, want ErrFaulty", round, err)
		}
		f.SetMode(FaultNone)
		waitFor(t, 5*time.Second, fmt.Sprintf("round %d: rejoin", round), func() bool { return w.Fault() == nil })
		if _, err := w.ListShards(context.Background(), [16]byte{0xaa}); err != nil {
			t.Fatalf("round %d: after rejoin: got %v, want nil", round, err)
		}
	}
}

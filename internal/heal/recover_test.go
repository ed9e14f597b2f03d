package heal

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoopPanicRecovered checks that a background loop that panics (a bug
// meeting unexpected drive contents) is logged and started again, at most
// loopRestarts times, and never ends the process; a one-shot background
// job that panics is only logged.
func TestLoopPanicRecovered(t *testing.T) {
	t.Parallel()
	l, _, q := openDirs(t, 1)
	h, err := New(Config{Engine: l, Queue: q, Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	h.restartPause = time.Millisecond
	var runs, always atomic.Int32
	h.goLoop("test", func(ctx context.Context) {
		if runs.Add(1) <= 2 {
			panic("damaged record")
		}
	})
	h.goLoop("always", func(ctx context.Context) {
		always.Add(1)
		panic("always")
	})
	h.goBackground(func(ctx context.Context) { panic("one shot") })
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("background loops still running after 10 s")
	}
	if got := runs.Load(); got != 3 {
		t.Errorf("loop that panicked twice ran %d times, want 3", got)
	}
	if got := always.Load(); got != loopRestarts+1 {
		t.Errorf("loop that always panics ran %d times, want %d", got, loopRestarts+1)
	}
	h.Close()
}

package authguard

import (
	"context"
	"sync"
	"testing"
	"time"
)

// clock is a manual clock for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func guard(c *clock, burst int) *Guard {
	return New(Options{Burst: burst, Refill: time.Second, Now: c.now})
}
func allowed(g *Guard, key, addr string) bool {
	a, _, _ := g.Begin(context.Background(), key, addr)
	if a != nil {
		a.Done(Passed)
	}
	return a != nil
}

// fail makes one failed attempt, which must be let through.
func fail(t *testing.T, g *Guard, key, addr string, o Outcome) {
	t.Helper()
	a, _, _ := g.Begin(context.Background(), key, addr)
	if a == nil {
		t.Fatalf("Begin(%q, %q): throttled, want an attempt", key, addr)
	}
	a.Done(o)
}

func TestGuard(t *testing.T) {
	type step struct {
		fail    bool // record a failure (known key) instead of asking
		unknown bool // the failure is for an unknown key
		key     string
		addr    string
		advance time.Duration
		want    bool // for asks: allowed?
	}
	tests := []struct {
		name  string
		burst int
		steps []step
	}{
		{"under the burst", 3, []step{
			{fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"},
			{key: "k", addr: "a", want: true},
		}},
		{"burst spent throttles the pair", 3, []step{
			{fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"},
			{key: "k", addr: "a", want: false},
		}},
		{"the owner elsewhere is untouched", 2, []step{
			{fail: true, key: "k", addr: "attacker"}, {fail: true, key: "k", addr: "attacker"},
			{key: "k", addr: "attacker", want: false},
			{key: "k", addr: "owner", want: true},
		}},
		{"another key from the same address is untouched by wrong signatures", 2, []step{
			{fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"},
			{key: "other", addr: "a", want: true},
		}},
		{"unknown keys spend the address's budget", 2, []step{
			{fail: true, unknown: true, key: "x1", addr: "a"}, {fail: true, unknown: true, key: "x2", addr: "a"},
			{key: "x3", addr: "a", want: false},
			{key: "k", addr: "a", want: false},
			{key: "k", addr: "b", want: true},
		}},
		{"the budget refills", 2, []step{
			{fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"},
			{key: "k", addr: "a", want: false},
			{advance: 999 * time.Millisecond},
			{key: "k", addr: "a", want: false},
			{advance: time.Millisecond},
			{key: "k", addr: "a", want: true},
		}},
		{"failures while throttled do not go below zero", 1, []step{
			{fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"}, {fail: true, key: "k", addr: "a"},
			{advance: time.Second},
			{key: "k", addr: "a", want: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			g := guard(c, tt.burst)
			for i, s := range tt.steps {
				switch {
				case s.advance > 0:
					c.advance(s.advance)
				case s.fail:
					o := WrongSignature
					if s.unknown {
						o = UnknownKey
					}
					if a, _, _ := g.Begin(context.Background(), s.key, s.addr); a != nil {
						a.Done(o)
					}
				default:
					if got := allowed(g, s.key, s.addr); got != s.want {
						t.Fatalf("step %d: Allowed(%q, %q) = %v, want %v", i, s.key, s.addr, got, s.want)
					}
				}
			}
		})
	}
}

func TestGuardRetryAfter(t *testing.T) {
	c := newClock()
	g := guard(c, 1)
	fail(t, g, "k", "a", WrongSignature)
	c.advance(250 * time.Millisecond)
	a, wait, _ := g.Begin(context.Background(), "k", "a")
	if a != nil || wait != 750*time.Millisecond {
		t.Errorf("Begin: got %v, %v; want nil, 750ms", a, wait)
	}
}

func TestGuardBoundedMemory(t *testing.T) {
	c := newClock()
	g := New(Options{Burst: 2, Refill: time.Second, MaxEntries: 100, Now: c.now})
	for i := range 1000 {
		fail(t, g, "k", string(rune('a'+i%26))+string(rune(i)), WrongSignature)
		if n := g.Len(); n > 100 {
			t.Fatalf("after %d failures: %d entries, want at most 100", i+1, n)
		}
	}
	// Entries whose budget refilled go first: a throttled source survives
	// a flood of one-off failures only while it is the most recent.
	c.advance(10 * time.Second)
	fail(t, g, "k", "fresh", WrongSignature)
	if n := g.Len(); n > 100 {
		t.Errorf("after refill: %d entries", n)
	}
}

// TestGuardConcurrentBurst checks that a concurrent burst of failing
// attempts is counted exactly: the burst is let through, no more.
func TestGuardConcurrentBurst(t *testing.T) {
	c := newClock()
	g := guard(c, 5)
	var mu sync.Mutex
	through := 0
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, _, _ := g.Begin(context.Background(), "k", "a"); a != nil {
				// The caller checks the signature; it fails.
				a.Done(WrongSignature)
				mu.Lock()
				through++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if through != 5 {
		t.Errorf("%d attempts got through, want exactly the burst of 5", through)
	}
}

// TestGuardPassedAttemptsCostNothing checks that right signatures never
// throttle, however many, and leave nothing behind.
func TestGuardPassedAttemptsCostNothing(t *testing.T) {
	c := newClock()
	g := guard(c, 2)
	for i := range 1000 {
		if !allowed(g, "k", "a") {
			t.Fatalf("attempt %d throttled", i)
		}
	}
	if n := g.Len(); n != 0 {
		t.Errorf("after passed attempts: %d entries, want 0", n)
	}
}

// TestGuardConcurrentPasses checks that more right signatures in flight
// at once than the burst are all let through (they wait for each other
// instead of being refused), and that they leave nothing behind.
func TestGuardConcurrentPasses(t *testing.T) {
	g := guard(newClock(), 3)
	const n = 64
	start := make(chan struct{})
	held := make(chan *Attempt, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a, wait, err := g.Begin(context.Background(), "k", "a")
			if a == nil {
				t.Errorf("Begin refused a right signature: wait %v, err %v", wait, err)
				return
			}
			held <- a
		}()
	}
	close(start)
	// End the attempts as they come, as signatures that pass.
	for range n {
		(<-held).Done(Passed)
	}
	wg.Wait()
	if l := g.Len(); l != 0 {
		t.Errorf("after passed attempts: %d entries, want 0", l)
	}
}

// TestGuardWaitEndsWithContext checks that an attempt waiting for others
// in flight gives up when its request does.
func TestGuardWaitEndsWithContext(t *testing.T) {
	g := guard(newClock(), 1)
	first, _, _ := g.Begin(context.Background(), "k", "a")
	if first == nil {
		t.Fatal("first attempt refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	a, _, err := g.Begin(ctx, "k", "a")
	if a != nil || err != context.DeadlineExceeded {
		t.Errorf("Begin while the budget is held: got %v, %v; want nil, %v", a, err, context.DeadlineExceeded)
	}
	first.Done(WrongSignature)
	if a, wait, _ := g.Begin(context.Background(), "k", "a"); a != nil || wait <= 0 {
		t.Errorf("after the failure: got %v, wait %v; want refused with a wait", a, wait)
	}
}

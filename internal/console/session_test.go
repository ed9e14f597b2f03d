package console

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestSessionExpiry(t *testing.T) {
	cred := sigv4.Credentials{AccessKey: "ak", SecretKey: "sk"}
	cases := []struct {
		name  string
		steps []time.Duration // gaps between uses
		alive bool
	}{
		{"fresh", nil, true},
		{"used within the idle time", []time.Duration{50 * time.Minute, 50 * time.Minute, 50 * time.Minute}, true},
		{"idle too long", []time.Duration{61 * time.Minute}, false},
		{"idle exactly the limit", []time.Duration{time.Hour}, false},
		{"active past the absolute limit", []time.Duration{55 * time.Minute, 55 * time.Minute, 55 * time.Minute, 55 * time.Minute,
			55 * time.Minute, 55 * time.Minute, 55 * time.Minute, 55 * time.Minute, 55 * time.Minute, 55 * time.Minute,
			55 * time.Minute, 55 * time.Minute, 55 * time.Minute, 55 * time.Minute}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			st := newSessionStore(12*time.Hour, time.Hour, 100, clock.now)
			id, _ := st.create(cred)
			alive := true
			for _, d := range tc.steps {
				clock.add(d)
				_, alive = st.get(id)
				if !alive {
					break
				}
			}
			if alive != tc.alive {
				t.Fatalf("alive: got %v, want %v", alive, tc.alive)
			}
			if !alive && st.len() != 0 {
				t.Errorf("expired session kept: %d held, want 0", st.len())
			}
		})
	}
}

func TestSessionStore(t *testing.T) {
	clock := newFakeClock()
	st := newSessionStore(time.Hour, time.Hour, 3, clock.now)
	cred := sigv4.Credentials{AccessKey: "ak", SecretKey: "sk"}
	seen := map[string]bool{}
	var ids []string
	for i := 0; i < 3; i++ {
		id, s := st.create(cred)
		if len(id) != 43 || len(s.csrf) != 43 || seen[id] || seen[s.csrf] || id == s.csrf {
			t.Fatalf("session %d: id %q csrf %q: want distinct 256-bit tokens", i, id, s.csrf)
		}
		seen[id], seen[s.csrf] = true, true
		ids = append(ids, id)
		clock.add(time.Minute)
	}
	if _, ok := st.get(""); ok {
		t.Error("the empty ID found a session")
	}
	if _, ok := st.get(ids[0] + "x"); ok {
		t.Error("a changed ID found a session")
	}
	// Touch the first so the second is the least recently used.
	if _, ok := st.get(ids[0]); !ok {
		t.Fatal("first session missing")
	}
	st.create(cred)
	if st.len() != 3 {
		t.Fatalf("sessions held: got %d, want the limit 3", st.len())
	}
	if _, ok := st.get(ids[1]); ok {
		t.Error("the least recently used session survived eviction")
	}
	if _, ok := st.get(ids[0]); !ok {
		t.Error("a recently used session was evicted")
	}
	st.delete(ids[0])
	if _, ok := st.get(ids[0]); ok {
		t.Error("a deleted session is still found")
	}
}

func TestValidCSRF(t *testing.T) {
	s := session{csrf: "token-abc"}
	cases := map[string]bool{"token-abc": true, "": false, "token-abd": false, "token-ab": false, "token-abcd": false}
	for token, want := range cases {
		if got := s.validCSRF(token); got != want {
			t.Errorf("validCSRF(%q): got %v, want %v", token, got, want)
		}
	}
	if (session{}).validCSRF("") {
		t.Error("an empty token matched a session without one")
	}
}

func TestLoginLimiter(t *testing.T) {
	clock := newFakeClock()
	l := newLoginLimiter(clock.now)
	try := func(client string, result loginResult) time.Duration {
		d := l.begin(client)
		if d == 0 {
			l.finish(client, result)
		}
		return d
	}
	for i := 0; i < freeLoginFailures; i++ {
		if d := try("1.2.3.4", loginFailed); d != 0 {
			t.Fatalf("attempt %d: got wait %v, want none within the free allowance", i+1, d)
		}
	}
	if d := try("1.2.3.4", loginVoid); d != firstLoginDelay {
		t.Fatalf("after %d failures: got wait %v, want %v", freeLoginFailures, d, firstLoginDelay)
	}
	clock.add(firstLoginDelay)
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i, w := range want {
		if d := try("1.2.3.4", loginFailed); d != 0 {
			t.Fatalf("failure %d over the allowance: got wait %v before it, want none", i+1, d)
		}
		if d := l.begin("1.2.3.4"); d != w {
			t.Fatalf("failure %d over the allowance: got wait %v, want %v", i+1, d, w)
		}
		if d := try("5.6.7.8", loginVoid); d != 0 {
			t.Fatalf("another client: got wait %v, want none", d)
		}
		clock.add(w)
	}
	// A void attempt (a malformed request) neither counts nor forgets.
	if d := try("1.2.3.4", loginVoid); d != 0 {
		t.Fatalf("void attempt after the delay: got wait %v, want none", d)
	}
	if d := l.begin("1.2.3.4"); d != 0 {
		t.Fatalf("after a void attempt: got wait %v, want none (no failure was added)", d)
	}
	l.finish("1.2.3.4", loginFailed)
	for i := 0; i < 20; i++ {
		clock.add(maxLoginDelay)
		try("1.2.3.4", loginFailed)
	}
	if d := l.begin("1.2.3.4"); d != maxLoginDelay {
		t.Fatalf("many failures: got wait %v, want the cap %v", d, maxLoginDelay)
	}
	clock.add(maxLoginDelay)
	if d := try("1.2.3.4", loginSucceeded); d != 0 {
		t.Fatalf("after the delay: got wait %v, want none", d)
	}
	if d := try("1.2.3.4", loginFailed); d != 0 {
		t.Fatalf("after a success: got wait %v, want none", d)
	}
	for i := 0; i < freeLoginFailures+1; i++ {
		try("9.9.9.9", loginFailed)
	}
	clock.add(forgetFailuresAfter + time.Second)
	if d := try("9.9.9.9", loginFailed); d != 0 {
		t.Fatalf("after a long quiet time: got wait %v, want the allowance back", d)
	}
}

// TestLoginLimiterBurst: 200 concurrent attempts from one address get the
// free allowance and no more, however they interleave.
func TestLoginLimiterBurst(t *testing.T) {
	t.Parallel()
	l := newLoginLimiter(time.Now)
	var wg sync.WaitGroup
	var admitted atomic.Int32
	start := make(chan struct{})
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if l.begin("10.0.0.1") == 0 {
				admitted.Add(1)
				l.finish("10.0.0.1", loginFailed)
			}
		}()
	}
	close(start)
	wg.Wait()
	if got := admitted.Load(); got != freeLoginFailures {
		t.Fatalf("attempts let through: got %d, want %d", got, freeLoginFailures)
	}
}

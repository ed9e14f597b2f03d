package console

import (
	"sync"
	"time"
)

// Login throttling: a client may fail freeLoginFailures times, then waits
// a delay that doubles with every further failure up to maxLoginDelay. A
// client that stops failing for forgetFailuresAfter is forgotten.
const (
	freeLoginFailures   = 5
	firstLoginDelay     = time.Second
	maxLoginDelay       = time.Minute
	forgetFailuresAfter = 15 * time.Minute
	maxTrackedClients   = 10000
)

// loginLimiter slows down password guessing from one client address.
type loginLimiter struct {
	mu      sync.Mutex
	clients map[string]*loginFailures
	now     func() time.Time
}

type loginFailures struct {
	count int
	last  time.Time
	until time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{clients: map[string]*loginFailures{}, now: now}
}

// wait returns how long client must wait before its next attempt (0: go).
func (l *loginLimiter) wait(client string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.clients[client]
	if !ok {
		return 0
	}
	if now.Sub(f.last) > forgetFailuresAfter {
		delete(l.clients, client)
		return 0
	}
	if d := f.until.Sub(now); d > 0 {
		return d
	}
	return 0
}

// fail records a failed attempt by client.
func (l *loginLimiter) fail(client string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.clients[client]
	if ok && now.Sub(f.last) > forgetFailuresAfter {
		*f = loginFailures{}
	}
	if !ok {
		if len(l.clients) >= maxTrackedClients {
			l.pruneLocked(now)
		}
		f = &loginFailures{}
		l.clients[client] = f
	}
	f.count++
	f.last = now
	if over := f.count - freeLoginFailures; over > 0 {
		delay := firstLoginDelay << min(over-1, 16)
		f.until = now.Add(min(delay, maxLoginDelay))
	}
}

// succeed forgets client's failures.
func (l *loginLimiter) succeed(client string) {
	l.mu.Lock()
	delete(l.clients, client)
	l.mu.Unlock()
}

func (l *loginLimiter) pruneLocked(now time.Time) {
	for k, f := range l.clients {
		if now.Sub(f.last) > forgetFailuresAfter {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		// Still full of recent failures: forget them all rather than grow
		// without bound; the delays restart from the free allowance.
		clear(l.clients)
	}
}

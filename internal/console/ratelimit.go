package console

import (
	"sync"
	"time"
)

// Login throttling: a client (an address) may fail freeLoginFailures
// times, then waits a delay that doubles with every further failure up to
// maxLoginDelay. A client that stops failing for forgetFailuresAfter is
// forgotten. Attempts are counted when they start (begin), so concurrent
// attempts cannot all pass the check before the first failure is
// recorded: a burst gets the free allowance, not more.
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
	count    int // failures
	inflight int // attempts begun and not finished
	last     time.Time
	until    time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{clients: map[string]*loginFailures{}, now: now}
}

// begin starts an attempt by client: 0 when it may go (the caller must
// then call finish), or how long to wait before trying again. Attempts in
// flight count as failures until they finish.
func (l *loginLimiter) begin(client string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.clients[client]
	if ok && f.inflight == 0 && now.Sub(f.last) > forgetFailuresAfter {
		delete(l.clients, client)
		ok = false
	}
	if !ok {
		if len(l.clients) >= maxTrackedClients {
			l.pruneLocked(now)
		}
		f = &loginFailures{}
		l.clients[client] = f
	}
	if d := f.until.Sub(now); d > 0 {
		return d
	}
	if f.count+f.inflight >= freeLoginFailures && f.inflight > 0 {
		// Past the allowance one attempt runs at a time.
		return firstLoginDelay
	}
	f.inflight++
	return 0
}

// loginResult is how an attempt ended.
type loginResult int

// Results of a sign-in attempt.
const (
	// loginVoid: the attempt did not test the keys (a malformed request,
	// a server error).
	loginVoid loginResult = iota
	loginFailed
	loginSucceeded
)

// finish ends an attempt begun by client: a failure counts and may start
// a delay, a success forgets the client's failures.
func (l *loginLimiter) finish(client string, result loginResult) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.clients[client]
	if !ok {
		return // forgotten by a prune meanwhile
	}
	f.inflight = max(f.inflight-1, 0)
	switch result {
	case loginVoid:
		return
	case loginSucceeded:
		if f.inflight == 0 {
			delete(l.clients, client)
		} else {
			f.count = 0
		}
		return
	}
	f.count++
	f.last = now
	if over := f.count - freeLoginFailures + 1; over > 0 {
		delay := firstLoginDelay << min(over-1, 16)
		f.until = now.Add(min(delay, maxLoginDelay))
	}
}

func (l *loginLimiter) pruneLocked(now time.Time) {
	for k, f := range l.clients {
		if f.inflight == 0 && now.Sub(f.last) > forgetFailuresAfter {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		// Still full of recent failures: forget them all rather than grow
		// without bound; the delays restart from the free allowance.
		clear(l.clients)
	}
}

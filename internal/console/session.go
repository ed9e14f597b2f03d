package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// session is a signed-in browser. Its credentials stay in server memory;
// the browser holds only the random session ID (in an HttpOnly cookie) and
// the CSRF token.
type session struct {
	cred sigv4.Credentials
	// user is who signed in through single sign-on ("" with keys).
	user    string
	csrf    string
	created time.Time
	seen    time.Time
}

// expires returns when the session ends if it stays idle from now on.
func (s session) expires(ttl, idle time.Duration) time.Time {
	abs := s.created.Add(ttl)
	if e := s.seen.Add(idle); e.Before(abs) {
		return e
	}
	return abs
}

// sessionStore holds the sessions, keyed by the SHA-256 of their ID so the
// IDs themselves are never kept.
type sessionStore struct {
	mu   sync.Mutex
	m    map[[32]byte]*session
	ttl  time.Duration
	idle time.Duration
	max  int
	now  func() time.Time
}

func newSessionStore(ttl, idle time.Duration, max int, now func() time.Time) *sessionStore {
	return &sessionStore{m: map[[32]byte]*session{}, ttl: ttl, idle: idle, max: max, now: now}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func sessionKey(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// create starts a session for cred and returns its ID and a copy of it.
// When the store is full it drops expired sessions and then the oldest.
func (st *sessionStore) create(cred sigv4.Credentials) (string, session) {
	return st.createFor(cred, "")
}

// createFor is create for a session of user (single sign-on).
func (st *sessionStore) createFor(cred sigv4.Credentials, user string) (string, session) {
	id := randomToken()
	now := st.now()
	s := &session{cred: cred, user: user, csrf: randomToken(), created: now, seen: now}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.m) >= st.max {
		st.pruneLocked(now)
	}
	if len(st.m) >= st.max {
		var oldest [32]byte
		var first = true
		for k, v := range st.m {
			if first || v.seen.Before(st.m[oldest].seen) {
				oldest, first = k, false
			}
		}
		delete(st.m, oldest)
	}
	st.m[sessionKey(id)] = s
	return id, *s
}

// get returns the live session with id, marking it used; an expired one is
// removed and reported missing.
func (st *sessionStore) get(id string) (session, bool) {
	if id == "" {
		return session{}, false
	}
	k := sessionKey(id)
	now := st.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.m[k]
	if !ok {
		return session{}, false
	}
	if !now.Before(s.expires(st.ttl, st.idle)) {
		delete(st.m, k)
		return session{}, false
	}
	s.seen = now
	return *s, true
}

// delete ends the session with id.
func (st *sessionStore) delete(id string) {
	st.mu.Lock()
	delete(st.m, sessionKey(id))
	st.mu.Unlock()
}

// len returns the number of sessions held, expired ones included.
func (st *sessionStore) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.m)
}

func (st *sessionStore) pruneLocked(now time.Time) {
	for k, s := range st.m {
		if !now.Before(s.expires(st.ttl, st.idle)) {
			delete(st.m, k)
		}
	}
}

// validCSRF compares a presented CSRF token with the session's in
// constant time.
func (s session) validCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.csrf)) == 1
}

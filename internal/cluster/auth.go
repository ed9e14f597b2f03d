package cluster

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request authentication between nodes. Every RPC carries a timestamp, a
// random nonce and an HMAC-SHA256 over the method, host, path, raw query,
// timestamp and nonce, keyed by a key derived from the cluster secret. The
// receiver recomputes the MAC and compares it in constant time, refuses
// timestamps outside the replay window and nonces it has already seen
// within it. Bodies are not covered (shards stream); on an untrusted
// network run the nodes with TLS, which protects them.

// Header names of the RPC authentication.
const (
	authHeader  = "Authorization"
	dateHeader  = "X-Hoard-Date"
	nonceHeader = "X-Hoard-Nonce"
	authScheme  = "HOARD-HMAC-SHA256 "
)

// DefaultReplayWindow is how far a request's timestamp may be from the
// receiver's clock; node clocks must agree to within it.
const DefaultReplayWindow = time.Minute

// DeriveKey derives the RPC key from the cluster secret (or, when no
// cluster secret is configured, from the root credentials joined by NUL).
func DeriveKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte("hoard-cluster-rpc-v1"))
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// authenticator signs outgoing requests and verifies incoming ones.
type authenticator struct {
	key    []byte
	window time.Duration
	now    func() time.Time
	seen   *nonceCache
}

func newAuthenticator(key []byte, window time.Duration, now func() time.Time) *authenticator {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	if now == nil {
		now = time.Now
	}
	return &authenticator{key: key, window: window, now: now, seen: newNonceCache(window, 1<<20)}
}

func (a *authenticator) mac(method, host, path, query, date, nonce string) []byte {
	m := hmac.New(sha256.New, a.key)
	for _, s := range []string{method, host, path, query, date, nonce} {
		m.Write([]byte(s))
		m.Write([]byte{'\n'})
	}
	return m.Sum(nil)
}

// sign adds the authentication headers to r.
func (a *authenticator) sign(r *http.Request) {
	var n [16]byte
	rand.Read(n[:])
	nonce := hex.EncodeToString(n[:])
	date := strconv.FormatInt(a.now().UnixNano(), 10)
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	sum := a.mac(r.Method, host, r.URL.EscapedPath(), r.URL.RawQuery, date, nonce)
	r.Header.Set(dateHeader, date)
	r.Header.Set(nonceHeader, nonce)
	r.Header.Set(authHeader, authScheme+hex.EncodeToString(sum))
}

// verify checks the authentication headers of r.
func (a *authenticator) verify(r *http.Request) error {
	auth := r.Header.Get(authHeader)
	if !strings.HasPrefix(auth, authScheme) {
		return fmt.Errorf("%w: no signature", ErrAuth)
	}
	sig := strings.TrimPrefix(auth, authScheme)
	got, err := hex.DecodeString(sig)
	// Only the lowercase form is accepted, so one request has one valid
	// header: a signature is never malleable.
	if err != nil || len(got) != sha256.Size || hex.EncodeToString(got) != sig {
		return fmt.Errorf("%w: malformed signature", ErrAuth)
	}
	date, nonce := r.Header.Get(dateHeader), r.Header.Get(nonceHeader)
	ns, err := strconv.ParseInt(date, 10, 64)
	var n [16]byte
	if err != nil || len(nonce) != 2*len(n) {
		return fmt.Errorf("%w: malformed date or nonce", ErrAuth)
	}
	if _, err := hex.Decode(n[:], []byte(nonce)); err != nil {
		return fmt.Errorf("%w: malformed nonce", ErrAuth)
	}
	want := a.mac(r.Method, r.Host, r.URL.EscapedPath(), r.URL.RawQuery, date, nonce)
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%w: signature does not match (do all nodes share the same secret?)", ErrAuth)
	}
	skew := a.now().Sub(time.Unix(0, ns))
	if skew > a.window || skew < -a.window {
		return fmt.Errorf("%w: timestamp %v away from this node's clock (limit %v)", ErrAuth, skew.Round(time.Second), a.window)
	}
	if !a.seen.add(n, a.now()) {
		return fmt.Errorf("%w: replayed request", ErrAuth)
	}
	return nil
}

// nonceCache remembers nonces for at least two replay windows (a request
// dated one window ahead stays replayable until one window after now), in
// two generations that rotate every two windows, or early when the current
// one reaches its cap, which shortens the memory under extreme load.
type nonceCache struct {
	mu      sync.Mutex
	window  time.Duration
	cap     int
	rotated time.Time
	cur     map[[16]byte]struct{}
	prev    map[[16]byte]struct{}
}

func newNonceCache(window time.Duration, cap int) *nonceCache {
	return &nonceCache{window: window, cap: cap, cur: map[[16]byte]struct{}{}, prev: map[[16]byte]struct{}{}}
}

// add records nonce and reports whether it was new.
func (c *nonceCache) add(nonce [16]byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.rotated) > 2*c.window || len(c.cur) >= c.cap {
		c.prev, c.cur, c.rotated = c.cur, make(map[[16]byte]struct{}, len(c.cur)), now
	}
	if _, ok := c.cur[nonce]; ok {
		return false
	}
	if _, ok := c.prev[nonce]; ok {
		return false
	}
	c.cur[nonce] = struct{}{}
	return true
}

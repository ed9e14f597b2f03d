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
// random nonce and an HMAC-SHA256 over the method, the target node, path,
// raw query, timestamp and nonce, keyed by a key derived from the cluster
// secret. The target is the receiving node's host:port as the topology's
// endpoints name it: the receiver recomputes the MAC with its own name, not
// with anything the request says, so a call signed for one node is refused
// by every other (each node's nonce cache then only has to stop replays to
// the node the call was meant for). The receiver compares in constant time,
// refuses timestamps outside the replay window and nonces it has already
// seen within it. Bodies are not covered (shards stream); on an untrusted
// network run the nodes with TLS, which protects them.

// Header names of the RPC authentication.
const (
	authHeader  = "Authorization"
	dateHeader  = "X-Hoard-Date"
	nonceHeader = "X-Hoard-Nonce"
	// targetHeader names the node a request is signed for. It only makes
	// the refusal of a misdirected call explicit: the receiver always
	// checks the MAC against its own name.
	targetHeader = "X-Hoard-Target"
	authScheme   = "HOARD-HMAC-SHA256 "
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
	key []byte
	// self is this node's host:port as the topology names it: the only
	// target verify accepts. Empty for a client that only signs.
	self   string
	window time.Duration
	now    func() time.Time
	seen   *nonceCache
}

// newAuthenticator returns an authenticator keyed by key that accepts
// requests signed for the node named self (empty: it only signs).
func newAuthenticator(key []byte, self string, window time.Duration, now func() time.Time) *authenticator {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	if now == nil {
		now = time.Now
	}
	return &authenticator{key: key, self: self, window: window, now: now, seen: newNonceCache(window, 1<<20)}
}

func (a *authenticator) mac(method, target, path, query, date, nonce string) []byte {
	m := hmac.New(sha256.New, a.key)
	for _, s := range []string{method, target, path, query, date, nonce} {
		m.Write([]byte(s))
		m.Write([]byte{'\n'})
	}
	return m.Sum(nil)
}

// sign adds the authentication headers to r, a request for the node the
// topology names target (host:port).
func (a *authenticator) sign(r *http.Request, target string) {
	var n [16]byte
	rand.Read(n[:])
	nonce := hex.EncodeToString(n[:])
	date := strconv.FormatInt(a.now().UnixNano(), 10)
	sum := a.mac(r.Method, target, r.URL.EscapedPath(), r.URL.RawQuery, date, nonce)
	r.Header.Set(dateHeader, date)
	r.Header.Set(nonceHeader, nonce)
	r.Header.Set(targetHeader, target)
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
	if a.self == "" {
		return fmt.Errorf("%w: this client does not accept requests", ErrAuth)
	}
	// A request for another node is refused whatever its Host header
	// says. Without the (optional) target header the MAC decides alone.
	if t := r.Header.Get(targetHeader); t != "" && t != a.self {
		return fmt.Errorf("%w: request addressed to node %q, this node is %q", ErrAuth, t, a.self)
	}
	want := a.mac(r.Method, a.self, r.URL.EscapedPath(), r.URL.RawQuery, date, nonce)
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

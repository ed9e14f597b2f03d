package cluster

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

func TestAuthRefusesBadRequests(t *testing.T) {
	t.Parallel()
	n := startNode(t, testSecret, map[string]drive.Drive{"/d": openLocal(t, drive.Options{})})
	good := newAuthenticator(DeriveKey(testSecret), "", 0, nil)
	wrong := newAuthenticator(DeriveKey("another-secret"), "", 0, nil)
	stale := newAuthenticator(DeriveKey(testSecret), "", 0, func() time.Time { return time.Now().Add(-10 * time.Minute) })
	future := newAuthenticator(DeriveKey(testSecret), "", 0, func() time.Time { return time.Now().Add(10 * time.Minute) })
	self := n.host()
	url := n.srv.URL + rpcPrefix + "drive/format?drive=%2Fd"
	cases := []struct {
		name   string
		prep   func(r *http.Request)
		status int
	}{
		{"signed", func(r *http.Request) { good.sign(r, self) }, http.StatusPreconditionFailed}, // reaches the drive: unformatted
		{"unsigned", func(r *http.Request) {}, http.StatusForbidden},
		{"wrong secret", func(r *http.Request) { wrong.sign(r, self) }, http.StatusForbidden},
		{"stale timestamp", func(r *http.Request) { stale.sign(r, self) }, http.StatusForbidden},
		{"future timestamp", func(r *http.Request) { future.sign(r, self) }, http.StatusForbidden},
		{"tampered query", func(r *http.Request) { good.sign(r, self); r.URL.RawQuery = "drive=%2Fe" }, http.StatusForbidden},
		{"tampered method", func(r *http.Request) { good.sign(r, self); r.Method = http.MethodPut }, http.StatusForbidden},
		{"garbage signature", func(r *http.Request) { good.sign(r, self); r.Header.Set(authHeader, authScheme+"zz") }, http.StatusForbidden},
		{"bad date", func(r *http.Request) { good.sign(r, self); r.Header.Set(dateHeader, "yesterday") }, http.StatusForbidden},
		{"long nonce", func(r *http.Request) { good.sign(r, self); r.Header.Set(nonceHeader, strings.Repeat("ab", 40)) }, http.StatusForbidden},
		{"non-hex nonce", func(r *http.Request) { good.sign(r, self); r.Header.Set(nonceHeader, strings.Repeat("zz", 16)) }, http.StatusForbidden},
		{"signed for another node", func(r *http.Request) { good.sign(r, "127.0.0.2:9000") }, http.StatusForbidden},
		{"retargeted", func(r *http.Request) { good.sign(r, "127.0.0.2:9000"); r.Header.Set(targetHeader, self) }, http.StatusForbidden},
		{"target header dropped", func(r *http.Request) { good.sign(r, "127.0.0.2:9000"); r.Header.Del(targetHeader) }, http.StatusForbidden},
		{"signed without target header", func(r *http.Request) { good.sign(r, self); r.Header.Del(targetHeader) }, http.StatusPreconditionFailed},
		{"shifted date", func(r *http.Request) {
			good.sign(r, self)
			ns, _ := strconv.ParseInt(r.Header.Get(dateHeader), 10, 64)
			r.Header.Set(dateHeader, strconv.FormatInt(ns+1, 10))
		}, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			c.prep(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status: got %d, want %d", resp.StatusCode, c.status)
			}
			if c.status == http.StatusForbidden && resp.Header.Get(errorHeader) != "auth" {
				t.Fatalf("error code: got %q, want auth", resp.Header.Get(errorHeader))
			}
		})
	}
}

func TestAuthRefusesReplay(t *testing.T) {
	t.Parallel()
	n := startNode(t, testSecret, map[string]drive.Drive{"/d": openLocal(t, drive.Options{})})
	a := newAuthenticator(DeriveKey(testSecret), "", 0, nil)
	req, _ := http.NewRequest(http.MethodGet, n.srv.URL+rpcPrefix+"ping", nil)
	a.sign(req, n.host())
	for i, want := range []int{http.StatusOK, http.StatusForbidden} {
		resp, err := http.DefaultClient.Do(req.Clone(context.Background()))
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: got status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

// TestAuthRefusesCrossNodeReplay: a call captured on its way to node 2 is
// refused by node 1 (whose nonce cache never saw it), whatever Host header
// the replay carries, and by node 2 itself once it has been served.
func TestAuthRefusesCrossNodeReplay(t *testing.T) {
	t.Parallel()
	// The same drive path on both nodes, as in a real cluster: only the
	// node binding tells the two calls apart.
	node1 := startNode(t, testSecret, map[string]drive.Drive{"/d": openLocal(t, drive.Options{})})
	node2 := startNode(t, testSecret, map[string]drive.Drive{"/d": openLocal(t, drive.Options{})})
	// The call as node 3 sends it to node 2 (a peer signs for the node it
	// calls, by its topology name) and as an eavesdropper records it.
	captured, _ := http.NewRequest(http.MethodGet, node2.srv.URL+rpcPrefix+"drive/format?drive=%2Fd", nil)
	newAuthenticator(DeriveKey(testSecret), "", 0, nil).sign(captured, node2.host())
	if status, msg := sendCopy(t, captured, node2, node2.host()); status != http.StatusPreconditionFailed {
		t.Fatalf("genuine call to node 2: got %d %q, want 412 (unformatted drive)", status, msg)
	}
	cases := []struct {
		name     string
		to       *testNode
		host     string
		wantText string
	}{
		{"node 1, Host of node 2", node1, node2.host(), "addressed to node"},
		{"node 1, Host of node 1", node1, node1.host(), "addressed to node"},
		{"node 2 again", node2, node2.host(), "replayed"},
	}
	for _, c := range cases {
		status, msg := sendCopy(t, captured, c.to, c.host)
		if status != http.StatusForbidden || !strings.Contains(msg, c.wantText) {
			t.Fatalf("%s: got %d %q, want 403 containing %q", c.name, status, msg, c.wantText)
		}
	}
	// Without the target header node 1 still refuses: the MAC is checked
	// against node 1's own name.
	captured.Header.Del(targetHeader)
	if status, msg := sendCopy(t, captured, node1, node2.host()); status != http.StatusForbidden || !strings.Contains(msg, "does not match") {
		t.Fatalf("node 1 without target header: got %d %q, want 403 signature mismatch", status, msg)
	}
}

// sendCopy sends a copy of the signed request r to node to with the Host
// header host and returns the answer's status and body.
func sendCopy(t *testing.T, r *http.Request, to *testNode, host string) (int, string) {
	t.Helper()
	req := r.Clone(context.Background())
	req.URL.Host = to.host()
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

func TestPeerWithWrongSecretStaysOffline(t *testing.T) {
	t.Parallel()
	n := startNode(t, testSecret, map[string]drive.Drive{"/d": openLocal(t, drive.Options{})})
	p := newTestPeer(t, n.host(), "not-the-secret", PeerOptions{})
	r := NewRemote(p, "http://"+n.host()+"/d", "/d")
	deadline := time.Now().Add(5 * time.Second)
	for p.LastError() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if p.Online() {
		t.Fatalf("peer with the wrong secret: got online, want offline")
	}
	_, err := r.ReadFormat(context.Background())
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("call through a refused peer: got %v, want ErrOffline", err)
	}
	_, err = p.Ping(context.Background())
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("ping with the wrong secret: got %v, want ErrAuth", err)
	}
}

func TestNonceCacheRotates(t *testing.T) {
	t.Parallel()
	c := newNonceCache(time.Minute, 3)
	now := time.Now()
	steps := []struct {
		nonce byte
		at    time.Duration
		want  bool
	}{
		{'a', 0, true},
		{'a', time.Second, false},
		{'b', 2 * time.Second, true},
		{'a', 90 * time.Second, false},  // still remembered within two windows
		{'c', 121 * time.Second, true},  // rotation: a and b move to the old generation
		{'a', 122 * time.Second, false}, // the old generation still answers
		{'d', 250 * time.Second, true},  // second rotation: a and b forgotten
		{'a', 251 * time.Second, true},
	}
	for i, s := range steps {
		if got := c.add([16]byte{s.nonce}, now.Add(s.at)); got != s.want {
			t.Fatalf("step %d add(%c): got %v, want %v", i, s.nonce, got, s.want)
		}
	}
}

// FuzzVerify: arbitrary authentication headers are refused, never a panic.
func FuzzVerify(f *testing.F) {
	// A fixed clock and nonce make the one genuine signature the same in
	// every fuzzing worker.
	at := time.Unix(1_700_000_000, 0)
	a := newAuthenticator(DeriveKey(testSecret), "h", 0, func() time.Time { return at })
	date, nonce := strconv.FormatInt(at.UnixNano(), 10), strings.Repeat("ab", 16)
	genuine := [3]string{authScheme + hex.EncodeToString(a.mac(http.MethodGet, "h", "/hoard/rpc/v1/ping", "", date, nonce)), date, nonce}
	f.Add(genuine[0], genuine[1], genuine[2])
	f.Fuzz(func(t *testing.T, auth, date, nonce string) {
		r, _ := http.NewRequest(http.MethodGet, "http://h/hoard/rpc/v1/ping", nil)
		r.Header.Set(authHeader, auth)
		r.Header.Set(dateHeader, date)
		r.Header.Set(nonceHeader, nonce)
		if err := a.verify(r); err == nil && [3]string{auth, date, nonce} != genuine {
			t.Fatalf("forged headers %q %q %q accepted", auth, date, nonce)
		}
	})
}

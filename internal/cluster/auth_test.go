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
	good := newAuthenticator(DeriveKey(testSecret), 0, nil)
	wrong := newAuthenticator(DeriveKey("another-secret"), 0, nil)
	stale := newAuthenticator(DeriveKey(testSecret), 0, func() time.Time { return time.Now().Add(-10 * time.Minute) })
	future := newAuthenticator(DeriveKey(testSecret), 0, func() time.Time { return time.Now().Add(10 * time.Minute) })
	url := n.srv.URL + rpcPrefix + "drive/format?drive=%2Fd"
	cases := []struct {
		name   string
		prep   func(r *http.Request)
		status int
	}{
		{"signed", func(r *http.Request) { good.sign(r) }, http.StatusPreconditionFailed}, // reaches the drive: unformatted
		{"unsigned", func(r *http.Request) {}, http.StatusForbidden},
		{"wrong secret", func(r *http.Request) { wrong.sign(r) }, http.StatusForbidden},
		{"stale timestamp", func(r *http.Request) { stale.sign(r) }, http.StatusForbidden},
		{"future timestamp", func(r *http.Request) { future.sign(r) }, http.StatusForbidden},
		{"tampered query", func(r *http.Request) { good.sign(r); r.URL.RawQuery = "drive=%2Fe" }, http.StatusForbidden},
		{"tampered method", func(r *http.Request) { good.sign(r); r.Method = http.MethodPut }, http.StatusForbidden},
		{"garbage signature", func(r *http.Request) { good.sign(r); r.Header.Set(authHeader, authScheme+"zz") }, http.StatusForbidden},
		{"bad date", func(r *http.Request) { good.sign(r); r.Header.Set(dateHeader, "yesterday") }, http.StatusForbidden},
		{"long nonce", func(r *http.Request) { good.sign(r); r.Header.Set(nonceHeader, strings.Repeat("ab", 40)) }, http.StatusForbidden},
		{"non-hex nonce", func(r *http.Request) { good.sign(r); r.Header.Set(nonceHeader, strings.Repeat("zz", 16)) }, http.StatusForbidden},
		{"shifted date", func(r *http.Request) {
			good.sign(r)
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
	a := newAuthenticator(DeriveKey(testSecret), 0, nil)
	req, _ := http.NewRequest(http.MethodGet, n.srv.URL+rpcPrefix+"ping", nil)
	a.sign(req)
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
	a := newAuthenticator(DeriveKey(testSecret), 0, func() time.Time { return at })
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

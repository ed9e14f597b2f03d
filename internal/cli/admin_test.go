package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// fakeAdmin is an admin API that checks SigV4 like the server does and
// answers from canned values.
type fakeAdmin struct {
	mu       sync.Mutex
	polls    int
	started  string
	verifier *sigv4.Verifier
}

func newFakeAdmin(access, secret string) *fakeAdmin {
	return &fakeAdmin{verifier: sigv4.NewVerifier("us-east-1", func(k string) (sigv4.Credentials, bool) {
		return sigv4.Credentials{AccessKey: access, SecretKey: secret}, k == access
	})}
}

func (f *fakeAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if res, err := f.verifier.Verify(r); err != nil || res.Anonymous {
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(adminError{Code: "SignatureDoesNotMatch", Message: "bad signature"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.Method + " " + r.URL.Path {
	case "GET " + adminPrefix + "info":
		json.NewEncoder(w).Encode(adminInfo{
			Mode: "erasure", Region: "us-east-1", DataShards: 2, ParityShards: 2,
			Drives: []adminDrive{
				{Endpoint: "/mnt/d1", State: "online", TotalBytes: 1 << 40, FreeBytes: 1 << 39, UsedBytes: 1 << 39},
				{Endpoint: "/mnt/d2", State: "offline"},
			},
			RawBytes: 4 << 40, UsableBytes: 2 << 40, UsedBytes: 3 << 30, Objects: 42,
			Buckets: []adminBucket{{Name: "photos", Objects: 42, Bytes: 3 << 30}},
			Nodes: []adminNode{
				{Address: "node1:9000", State: "online", Drives: 2, OnlineDrives: 2},
				{Address: "node2:9000", State: "offline", Drives: 2},
			},
		})
	case "POST " + adminPrefix + "heal":
		f.started = r.URL.Query().Get("bucket") + "|" + r.URL.Query().Get("prefix")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(healStatus{Running: true, Bucket: r.URL.Query().Get("bucket")})
	case "GET " + adminPrefix + "heal":
		f.polls++
		st := healStatus{Running: f.polls < 3, Scanned: uint64(10 * f.polls), Healed: 2}
		json.NewEncoder(w).Encode(st)
	default:
		http.NotFound(w, r)
	}
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	fake := newFakeAdmin("root", "root-secret-0123456789")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	h := &harness{t: t, cfgDir: filepath.Join(t.TempDir(), "cfg")}
	h.mustRun("alias", "set", "fake", srv.URL, "root", "root-secret-0123456789", "--no-check")
	h.mustRun("alias", "set", "bad", srv.URL, "root", "wrong-secret", "--no-check")

	out := h.mustRun("admin", "info", "fake")
	for _, want := range []string{"Mode:      erasure", "2 data + 2 parity", "Drives: 1 of 2 online", "/mnt/d2  offline", "photos", "3.0 GiB in 42 objects",
		"Nodes: 1 of 2 online", "node2:9000  offline", "0 of 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("admin info: got\n%s\nwant it to contain %q", out, want)
		}
	}
	info := jsonLines(t, h.mustRun("admin", "info", "fake", "--json"))
	if len(info) != 1 || info[0]["mode"] != "erasure" || info[0]["objects"] != float64(42) {
		t.Errorf("admin info --json: got %v", info)
	}
	err := h.mustFail("admin", "info", "bad")
	if !strings.HasPrefix(err.Error(), "access denied for alias bad: check the access and secret key") {
		t.Errorf("admin info with a wrong secret: got %q", err)
	}

	out = h.mustRun("admin", "heal", "fake/photos/2026/")
	if fake.started != "photos|2026/" {
		t.Errorf("heal scope sent: got %q, want photos|2026/", fake.started)
	}
	if !strings.Contains(out, "finished") || !strings.Contains(out, "Scanned  :  30") {
		t.Errorf("admin heal: got\n%s\nwant a finished heal that scanned 30", out)
	}
	if fake.polls != 3 {
		t.Errorf("status polls: got %d, want 3", fake.polls)
	}
	st := jsonLines(t, h.mustRun("admin", "heal", "fake", "--status", "--json"))
	if len(st) != 1 || st[0]["running"] != false {
		t.Errorf("admin heal --status --json: got %v", st)
	}
}

func TestAdminNotHoard(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	h := &harness{t: t, cfgDir: filepath.Join(t.TempDir(), "cfg")}
	h.mustRun("alias", "set", "other", srv.URL, "a", "b", "--no-check")
	if err := h.mustFail("admin", "info", "other"); !strings.Contains(err.Error(), "no Hoard admin API") {
		t.Errorf("admin info against a non-Hoard server: got %v", err)
	}
}

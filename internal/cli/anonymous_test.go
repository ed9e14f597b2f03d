package cli

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnonymousCommands opens prefixes of a bucket with `hoard anonymous
// set`, checks with plain unauthenticated HTTP that exactly those are
// open, keeps hand-written statements, and closes everything again.
func TestAnonymousCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/site")
	dir := t.TempDir()
	for _, name := range []string{"assets/a.txt", "private/b.txt"} {
		writeRandom(t, filepath.Join(dir, name), 100)
		h.mustRun("cp", filepath.Join(dir, name), "local/site/"+name)
	}
	status := func(method, path string, body []byte) int {
		t.Helper()
		req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	level := func(target string) string {
		t.Helper()
		l := jsonLines(t, h.mustRun("anonymous", "get", "--json", target))
		return l[0]["level"].(string)
	}

	if got := level("local/site/assets/"); got != "none" {
		t.Errorf("level before any: %q", got)
	}
	if got := status(http.MethodGet, "/site/assets/a.txt", nil); got != http.StatusForbidden {
		t.Errorf("anonymous GET before any policy: %d", got)
	}
	h.mustRun("anonymous", "set", "download", "local/site/assets/")
	h.mustRun("anonymous", "set", "upload", "local/site/inbox/")
	checks := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/site/assets/a.txt", http.StatusOK},
		{http.MethodGet, "/site/private/b.txt", http.StatusForbidden},
		{http.MethodGet, "/site?list-type=2&prefix=assets/", http.StatusOK},
		{http.MethodGet, "/site?list-type=2", http.StatusForbidden},
		{http.MethodPut, "/site/inbox/new.txt", http.StatusOK},
		{http.MethodPut, "/site/assets/new.txt", http.StatusForbidden},
		{http.MethodGet, "/site/inbox/new.txt", http.StatusForbidden},
	}
	for _, c := range checks {
		if got := status(c.method, c.path, []byte("x")); got != c.want {
			t.Errorf("anonymous %s %s: %d, want %d", c.method, c.path, got, c.want)
		}
	}
	if got := level("local/site/assets/"); got != "download" {
		t.Errorf("level of assets/: %q", got)
	}
	if got := level("local/site/inbox/"); got != "upload" {
		t.Errorf("level of inbox/: %q", got)
	}
	h.mustRun("anonymous", "set", "public", "local/site/assets/")
	if got := level("local/site/assets/"); got != "public" {
		t.Errorf("level of assets/ after public: %q", got)
	}

	// Hand-written statements survive, and make other prefixes "custom".
	h.mustRun("anonymous", "set", "none", "local/site/assets/")
	h.mustRun("anonymous", "set", "none", "local/site/inbox/")
	if out := h.mustRun("anonymous", "get-json", "local/site"); !strings.Contains(out, "has no policy") {
		t.Errorf("get-json after removing every level: %q", out)
	}
	if got := status(http.MethodGet, "/site/assets/a.txt", nil); got != http.StatusForbidden {
		t.Errorf("anonymous GET after set none: %d", got)
	}
	hand := filepath.Join(dir, "policy.json")
	os.WriteFile(hand, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"ByHand","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/private/*"}]}`), 0o644)
	h.mustRun("anonymous", "set-json", "local/site", hand)
	if got := level("local/site/private/"); got != "custom" {
		t.Errorf("level with a hand-written policy: %q", got)
	}
	h.mustRun("anonymous", "set", "download", "local/site/assets/")
	out := h.mustRun("anonymous", "get-json", "--json", "local/site")
	if !strings.Contains(out, `"ByHand"`) || !strings.Contains(out, "HoardAnonymousGet:assets/") {
		t.Errorf("get-json after set on top of a hand-written policy: %s", out)
	}
	if got := status(http.MethodGet, "/site/private/b.txt", nil); got != http.StatusOK {
		t.Errorf("anonymous GET allowed by the hand-written statement: %d", got)
	}

	// Refusals.
	var ue usageErr
	if err := h.mustFail("anonymous", "set", "everything", "local/site"); !errors.As(err, &ue) {
		t.Errorf("unknown level: %v, want a usage error", err)
	}
	os.WriteFile(hand, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`), 0o644)
	if err := h.mustFail("anonymous", "set-json", "local/site", hand); !strings.Contains(err.Error(), "MalformedPolicy") {
		t.Errorf("policy naming another bucket: %v", err)
	}
	if err := h.mustFail("anonymous", "get", "local/nobucket"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing bucket: %v, want ErrNotFound", err)
	}
}

func TestAnonymousStatements(t *testing.T) {
	tests := []struct {
		prefix, level string
		sids          []string
	}{
		{"", "download", []string{"HoardAnonymousList:", "HoardAnonymousGet:"}},
		{"a/", "upload", []string{"HoardAnonymousPut:a/"}},
		{"a/", "public", []string{"HoardAnonymousList:a/", "HoardAnonymousGet:a/", "HoardAnonymousPut:a/"}},
		{"a/", "none", nil},
	}
	for _, tt := range tests {
		st := anonymousStatements("b", tt.prefix, tt.level)
		var sids []string
		for _, s := range st {
			sids = append(sids, s["Sid"].(string))
		}
		if strings.Join(sids, ",") != strings.Join(tt.sids, ",") {
			t.Errorf("%s on %q: statements %v, want %v", tt.level, tt.prefix, sids, tt.sids)
		}
		for _, s := range st {
			if !ownStatement(s, tt.prefix) || ownStatement(s, "x:"+tt.prefix) {
				t.Errorf("ownStatement(%v, %q) wrong", s["Sid"], tt.prefix)
			}
		}
		d := &policyDoc{Statement: st}
		if want := tt.level; levelOf(d, tt.prefix) != want {
			t.Errorf("levelOf(%s on %q) = %s", tt.level, tt.prefix, levelOf(d, tt.prefix))
		}
	}
}

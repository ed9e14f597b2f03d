package console

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/policy"
)

func TestForwardable(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"iam/users", true},
		{"iam/policies/p1", true},
		{"sts/revoke", true},
		{"access", true},
		{"iam/", false},
		{"iam", false},
		{"info", false},
		{"heal", false},
		{"iam/../heal", false},
		{"iam//users", false},
		{"accessx", false},
		{"", false},
	} {
		if got := forwardable(tc.path); got != tc.want {
			t.Errorf("forwardable(%q): got %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestAdminProxy checks that /api/admin/ forwards to the admin API signed
// with the session's own keys and hands its answer back unchanged (the
// admin API decides), and that what the console refuses itself (no
// session, no CSRF token, a path it does not forward, an oversized body)
// reaches the admin API not at all.
func TestAdminProxy(t *testing.T) {
	hs := newHarness(t, nil)
	fa := hs.cfg.AdminAPI.(*fakeAdmin)
	rootCookie, rootCSRF := hs.login(rootCred)
	readerCookie, readerCSRF := hs.login(readerCred)
	big := `{"accessKey":"x","secretKey":"` + strings.Repeat("s", maxAdminBody) + `"}`
	for _, tc := range []struct {
		name, method, path, body string
		cookie, csrf             string
		status                   int
		want                     string // in the answer
		forwarded                string // the admin call, "" for none
	}{
		{"root lists users", "GET", "/api/admin/iam/users", "", rootCookie, "", 200, "[]", "root-key GET /hoard/admin/v1/iam/users "},
		{"root creates a user", "POST", "/api/admin/iam/users", `{"accessKey":"a","secretKey":"b"}`, rootCookie, rootCSRF, 200, "[]",
			`root-key POST /hoard/admin/v1/iam/users {"accessKey":"a","secretKey":"b"}`},
		{"the admin API refuses the reader", "GET", "/api/admin/iam/users", "", readerCookie, "", 403, "admin:ListUsers", "reader-key GET /hoard/admin/v1/iam/users "},
		{"policy error keeps its position", "PUT", "/api/admin/iam/policies/bad", "{\n  x", rootCookie, rootCSRF, 400, `"line":2,"column":3`,
			"root-key PUT /hoard/admin/v1/iam/policies/bad {\n  x"},
		{"no session", "GET", "/api/admin/iam/users", "", "", "", 401, "NoSession", ""},
		{"no CSRF token", "POST", "/api/admin/iam/users", `{}`, readerCookie, "", 403, "BadCSRFToken", ""},
		{"not forwarded: heal", "POST", "/api/admin/heal", "", rootCookie, rootCSRF, 404, "NotFound", ""},
		{"not forwarded: info", "GET", "/api/admin/info", "", rootCookie, "", 404, "NotFound", ""},
		{"oversized body", "POST", "/api/admin/iam/users", big, rootCookie, rootCSRF, 413, "at most 20 KiB", ""},
		{"reader's own access", "POST", "/api/admin/access", `{"checks":[{"action":"admin:ListUsers"}]}`, readerCookie, readerCSRF, 200, `"allowed":false`,
			`reader-key POST /hoard/admin/v1/access {"checks":[{"action":"admin:ListUsers"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fa.mu.Lock()
			fa.calls = nil
			fa.mu.Unlock()
			hdr := map[string]string{}
			if tc.cookie != "" {
				hdr["Cookie"] = tc.cookie
			}
			if tc.csrf != "" {
				hdr["X-Hoard-CSRF"] = tc.csrf
			}
			w := hs.serve(tc.method, tc.path, tc.body, hdr)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("got %d %.200s, want %d with %q", w.Code, w.Body, tc.status, tc.want)
			}
			fa.mu.Lock()
			calls := fa.calls
			fa.mu.Unlock()
			switch {
			case tc.forwarded == "" && len(calls) != 0:
				t.Errorf("admin calls: got %q, want none", calls)
			case tc.forwarded != "" && (len(calls) != 1 || calls[0] != tc.forwarded):
				t.Errorf("admin calls: got %q, want [%q]", calls, tc.forwarded)
			}
		})
	}
	if policy.MaxSize>>10 != 20 {
		t.Fatalf("policy.MaxSize changed to %d; update the oversized case", policy.MaxSize)
	}
}

// TestNoAdminAPI checks that a console without the admin API answers 501
// to the IAM calls and shows no dashboard, even to root.
func TestNoAdminAPI(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.AdminAPI = nil })
	cookie, _ := hs.login(rootCred)
	if w := hs.serve("GET", "/api/admin/iam/users", "", map[string]string{"Cookie": cookie}); w.Code != http.StatusNotImplemented {
		t.Errorf("IAM call: got %d %s, want 501", w.Code, w.Body)
	}
	if w := hs.serve("GET", "/api/dashboard", "", map[string]string{"Cookie": cookie}); w.Code != http.StatusForbidden {
		t.Errorf("dashboard: got %d, want 403", w.Code)
	}
	if w := hs.serve("GET", "/api/session", "", map[string]string{"Cookie": cookie}); !strings.Contains(w.Body.String(), `"admin":false`) {
		t.Errorf("session: got %s, want admin false", w.Body)
	}
}

func TestWithPublicRead(t *testing.T) {
	for _, tc := range []struct {
		name, old string
		stmts     int
	}{
		{"no policy", "", 1},
		{"one statement as an object", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}}`, 2},
		{"made public before", `{"Version":"2012-10-17","Statement":[{"Sid":"HoardConsolePublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := withPublicRead([]byte(tc.old), "b")
			if err != nil {
				t.Fatal(err)
			}
			p, err := policy.Parse(doc, "b")
			if err != nil {
				t.Fatalf("the result does not parse: %v\n%s", err, doc)
			}
			if len(p.Statements) != tc.stmts {
				t.Errorf("got %d statements, want %d:\n%s", len(p.Statements), tc.stmts, doc)
			}
			if p.Evaluate(policy.Request{Action: "s3:GetObject", Bucket: "b", Key: "k", Context: map[string]string{}}) != policy.DecisionAllow {
				t.Errorf("anonymous GetObject is not allowed by\n%s", doc)
			}
			if p.Evaluate(policy.Request{Action: "s3:PutObject", Bucket: "b", Key: "k", Context: map[string]string{}}) == policy.DecisionAllow {
				t.Errorf("anonymous PutObject is allowed by\n%s", doc)
			}
		})
	}
	if _, err := withPublicRead([]byte(`{"Version":"2012-10-17"} {}`), "b"); err == nil {
		t.Error("two JSON values: got no error")
	}
}

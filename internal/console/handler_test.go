package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// Two identities the fake S3 knows: root may do anything, reader may only
// list buckets.
var (
	rootCred   = sigv4.Credentials{AccessKey: "root-key", SecretKey: "root-secret-0123456789"}
	readerCred = sigv4.Credentials{AccessKey: "reader-key", SecretKey: "reader-secret-0123456789"}
)

// fakeS3 verifies every request's SigV4 signature like the real S3 layer,
// applies a tiny policy, and records who called what.
type fakeS3 struct {
	verifier *sigv4.Verifier
	mu       sync.Mutex
	calls    []string // "ACCESSKEY METHOD PATH REMOTE"
	buckets  []string
}

func newFakeS3() *fakeS3 {
	lookup := func(k string) (sigv4.Credentials, bool) {
		switch k {
		case rootCred.AccessKey:
			return rootCred, true
		case readerCred.AccessKey:
			return readerCred, true
		}
		return sigv4.Credentials{}, false
	}
	return &fakeS3{verifier: sigv4.NewVerifier("us-east-1", lookup)}
}

func s3Fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, err := f.verifier.Verify(r)
	if err != nil {
		code, _ := sigv4.Code(err)
		s3Fail(w, http.StatusForbidden, code, sigv4.Message(err))
		return
	}
	if res.Anonymous {
		s3Fail(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, res.AccessKey+" "+r.Method+" "+r.URL.Path+" "+r.RemoteAddr)
	f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		f.mu.Lock()
		var b strings.Builder
		for _, name := range f.buckets {
			fmt.Fprintf(&b, "<Bucket><Name>%s</Name><CreationDate>2026-01-02T03:04:05.000Z</CreationDate></Bucket>", name)
		}
		f.mu.Unlock()
		fmt.Fprintf(w, `<ListAllMyBucketsResult><Buckets>%s</Buckets></ListAllMyBucketsResult>`, b.String())
	case res.AccessKey != rootCred.AccessKey:
		s3Fail(w, http.StatusForbidden, "AccessDenied", "Access Denied")
	case r.Method == http.MethodPut && strings.Count(r.URL.Path, "/") == 1:
		f.mu.Lock()
		f.buckets = append(f.buckets, strings.TrimPrefix(r.URL.Path, "/"))
		f.mu.Unlock()
	case r.Method == http.MethodHead:
		h := w.Header()
		h.Set("Content-Length", "11")
		h.Set("Content-Type", "text/plain")
		h.Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		h.Set("Last-Modified", "Fri, 02 Jan 2026 03:04:05 GMT")
		h.Set("X-Amz-Meta-Owner", "ops")
		if r.Header.Get("X-Amz-Checksum-Mode") == "ENABLED" {
			h.Set("X-Amz-Checksum-Crc32c", "yZRlqg==")
			h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
		}
		h.Set("X-Amz-Tagging-Count", "1")
	case r.Method == http.MethodGet && r.URL.Query().Has("tagging"):
		fmt.Fprint(w, `<Tagging><TagSet><Tag><Key>team</Key><Value>ops</Value></Tag></TagSet></Tagging>`)
	default:
		s3Fail(w, http.StatusNotImplemented, "NotImplemented", "not in the fake")
	}
}

func (f *fakeS3) callsBy(key string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, key+" ") {
			out = append(out, c)
		}
	}
	return out
}

// fakeAdmin is an admin API that verifies signatures as the real one
// does, allows root every action and reader none, and records the
// forwarded calls.
type fakeAdmin struct {
	verifier *sigv4.Verifier
	mu       sync.Mutex
	calls    []string // "ACCESSKEY METHOD PATH BODY"
}

func newFakeAdmin(v *sigv4.Verifier) *fakeAdmin { return &fakeAdmin{verifier: v} }

func (f *fakeAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, err := f.verifier.Verify(r)
	if err != nil || res.Anonymous {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"code":"AccessDenied","message":"bad signature"}`)
		return
	}
	body, _ := io.ReadAll(res.Body)
	f.mu.Lock()
	f.calls = append(f.calls, res.AccessKey+" "+r.Method+" "+r.URL.Path+" "+string(body))
	f.mu.Unlock()
	root := res.AccessKey == rootCred.AccessKey
	switch {
	case r.URL.Path == admin.Prefix+"access":
		var q admin.AccessQuery
		if err := json.Unmarshal(body, &q); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ans admin.AccessAnswer
		for _, c := range q.Checks {
			ans.Results = append(ans.Results, admin.CheckResult{Check: c, Allowed: root})
		}
		_ = json.NewEncoder(w).Encode(ans)
	case !root:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"code":"AccessDenied","message":"Access Denied: admin:ListUsers (no policy allows admin:ListUsers)"}`)
	case r.URL.Path == admin.Prefix+"iam/policies/bad":
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":"MalformedPolicy","message":"line 2, column 3: oops","line":2,"column":3}`)
	default:
		fmt.Fprint(w, `[]`)
	}
}

// harness is a console over the fake S3.
type harness struct {
	t   *testing.T
	h   *Handler
	s3  *fakeS3
	cfg Config
}

func newHarness(t *testing.T, adjust func(*Config)) *harness {
	f := newFakeS3()
	cfg := Config{
		S3:       f,
		Region:   "us-east-1",
		AdminAPI: newFakeAdmin(f.verifier),
		Info: func(context.Context) (admin.Info, error) {
			return admin.Info{Mode: "single-drive", Drives: []storage.DriveInfo{{Endpoint: "/data", State: "online", TotalBytes: 100, FreeBytes: 40}},
				RawBytes: 100, UsableBytes: 100, DataShards: 1, Buckets: []storage.BucketUsage{{Name: "a", Objects: 2, Bytes: 30}},
				Lifecycle: &admin.LifecycleStatus{Passes: 3, Sets: []int{0}}}, nil
		},
		S3Address: func() string { return "[::]:9000" },
	}
	if adjust != nil {
		adjust(&cfg)
	}
	f.verifier.Now = cfg.Now // the fake S3 keeps the console's time
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, h: h, s3: f, cfg: cfg}
}

// serve runs one request through the console.
func (hs *harness) serve(method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://console.test"+path, strings.NewReader(body))
	r.RemoteAddr = "192.0.2.7:40000"
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	return w
}

// login signs in and returns the session cookie and CSRF token.
func (hs *harness) login(cred sigv4.Credentials) (cookie, csrf string) {
	hs.t.Helper()
	w := hs.serve("POST", "/api/login", fmt.Sprintf(`{"accessKey":%q,"secretKey":%q}`, cred.AccessKey, cred.SecretKey),
		map[string]string{"Content-Type": "application/json"})
	if w.Code != http.StatusOK {
		hs.t.Fatalf("login %s: got %d %s, want 200", cred.AccessKey, w.Code, w.Body)
	}
	var s sessionInfo
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil {
		hs.t.Fatal(err)
	}
	return strings.SplitN(w.Header().Get("Set-Cookie"), ";", 2)[0], s.CSRFToken
}

func TestLoginVerifiesKeysWithASignedCall(t *testing.T) {
	hs := newHarness(t, nil)
	cookie, csrf := hs.login(readerCred)
	calls := hs.s3.callsBy(readerCred.AccessKey)
	if len(calls) != 1 || calls[0] != "reader-key GET / 192.0.2.7:40000" {
		t.Fatalf("S3 calls at login: got %q, want one ListBuckets signed by reader-key from the browser's address", calls)
	}
	if cookie == "" || csrf == "" {
		t.Fatal("login gave no cookie or no CSRF token")
	}
	for _, bad := range []sigv4.Credentials{{AccessKey: readerCred.AccessKey, SecretKey: "wrong"}, {AccessKey: "nobody", SecretKey: "x"}} {
		w := hs.serve("POST", "/api/login", fmt.Sprintf(`{"accessKey":%q,"secretKey":%q}`, bad.AccessKey, bad.SecretKey), map[string]string{"Content-Type": "application/json"})
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "InvalidCredentials") || w.Header().Get("Set-Cookie") != "" {
			t.Errorf("login %+v: got %d %s, want 401 InvalidCredentials and no cookie", bad, w.Code, w.Body)
		}
	}
}

func TestActionsAreAuthorisedAsTheirS3Call(t *testing.T) {
	hs := newHarness(t, nil)
	readerCookie, readerCSRF := hs.login(readerCred)
	rootCookie, rootCSRF := hs.login(rootCred)
	create := func(cookie, csrf, name string) *httptest.ResponseRecorder {
		return hs.serve("POST", "/api/buckets", `{"name":"`+name+`"}`, map[string]string{"Cookie": cookie, "X-Hoard-CSRF": csrf, "Content-Type": "application/json"})
	}
	if w := create(readerCookie, readerCSRF, "by-reader"); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "not allowed") {
		t.Errorf("reader creates a bucket: got %d %s, want 403 with S3's refusal", w.Code, w.Body)
	}
	if w := create(rootCookie, rootCSRF, "by-root"); w.Code != http.StatusCreated {
		t.Errorf("root creates a bucket: got %d %s, want 201", w.Code, w.Body)
	}
	if got := hs.s3.callsBy(readerCred.AccessKey); len(got) != 2 || !strings.HasPrefix(got[1], "reader-key PUT /by-reader") {
		t.Errorf("reader's S3 calls: got %q, want the login and the refused PUT signed by reader", got)
	}
	// A session's CSRF token does not work with another session's cookie.
	if w := create(readerCookie, rootCSRF, "mixed"); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "BadCSRFToken") {
		t.Errorf("reader's cookie with root's token: got %d %s, want 403 BadCSRFToken", w.Code, w.Body)
	}
	// The dashboard is for administrators only.
	if w := hs.serve("GET", "/api/dashboard", "", map[string]string{"Cookie": readerCookie}); w.Code != http.StatusForbidden {
		t.Errorf("reader's dashboard: got %d, want 403", w.Code)
	}
	w := hs.serve("GET", "/api/dashboard", "", map[string]string{"Cookie": rootCookie})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"name":"This server"`) || !strings.Contains(w.Body.String(), `"lifecycle":{"running":false,"passes":3`) {
		t.Errorf("root's dashboard: got %d %s, want 200 with the node and the lifecycle worker", w.Code, w.Body)
	}
	// Usage shows only the buckets the session's own ListBuckets returns.
	w = hs.serve("GET", "/api/usage", "", map[string]string{"Cookie": rootCookie})
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"a"`) {
		t.Errorf("usage: got %d %s, want 200 without bucket a, which ListBuckets does not list", w.Code, w.Body)
	}
}

func TestSecretNeverLeavesTheServer(t *testing.T) {
	hs := newHarness(t, nil)
	cookie, csrf := hs.login(rootCred)
	hdr := map[string]string{"Cookie": cookie, "X-Hoard-CSRF": csrf, "Content-Type": "application/json"}
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/api/session", ""},
		{"GET", "/api/buckets", ""},
		{"GET", "/api/buckets/b/object?key=k", ""},
		{"POST", "/api/buckets/b/share", `{"key":"k","expiresSeconds":60}`},
		{"GET", "/api/dashboard", ""},
	} {
		w := hs.serve(req.method, req.path, req.body, hdr)
		all := w.Body.String() + fmt.Sprint(w.Header())
		if w.Code >= 300 || strings.Contains(all, rootCred.SecretKey) {
			t.Errorf("%s %s: got %d, and the secret appears: %v", req.method, req.path, w.Code, strings.Contains(all, rootCred.SecretKey))
		}
	}
}

func TestObjectDetails(t *testing.T) {
	hs := newHarness(t, nil)
	cookie, _ := hs.login(rootCred)
	w := hs.serve("GET", "/api/buckets/b/object?key=dir/k.txt", "", map[string]string{"Cookie": cookie})
	var d detailsJSON
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || w.Code != 200 {
		t.Fatalf("details: got %d %s", w.Code, w.Body)
	}
	want := `11 text/plain 0123456789abcdef0123456789abcdef STANDARD map[owner:ops] [{CRC32C FULL_OBJECT yZRlqg==}] map[team:ops]`
	if got := fmt.Sprint(d.Size, " ", d.ContentType, " ", d.ETag, " ", d.StorageClass, " ", d.Metadata, " ", d.Checksums, " ", d.Tags); got != want {
		t.Errorf("details: got %s, want %s", got, want)
	}
}

func TestRateLimitedLogin(t *testing.T) {
	clock := newFakeClock()
	hs := newHarness(t, func(c *Config) { c.Now = clock.now })
	bad := `{"accessKey":"reader-key","secretKey":"wrong"}`
	ct := map[string]string{"Content-Type": "application/json"}
	for i := 0; i < freeLoginFailures; i++ {
		if w := hs.serve("POST", "/api/login", bad, ct); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: got %d, want 401", i+1, w.Code)
		}
	}
	w := hs.serve("POST", "/api/login", `{"accessKey":"reader-key","secretKey":"reader-secret-0123456789"}`, ct)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("after %d failures: got %d Retry-After %q, want 429 and 1", freeLoginFailures, w.Code, w.Header().Get("Retry-After"))
	}
	clock.add(time.Second)
	if w := hs.serve("POST", "/api/login", `{"accessKey":"reader-key","secretKey":"reader-secret-0123456789"}`, ct); w.Code != http.StatusOK {
		t.Fatalf("after the delay: got %d %s, want 200", w.Code, w.Body)
	}
}

func TestSecureCookie(t *testing.T) {
	hs := newHarness(t, func(c *Config) { c.Secure = true })
	w := hs.serve("POST", "/api/login", `{"accessKey":"root-key","secretKey":"root-secret-0123456789"}`, map[string]string{"Content-Type": "application/json"})
	cookie := w.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-hoard-session=", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %q", cookie, want)
		}
	}
	if w.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no Strict-Transport-Security over TLS")
	}
	var s struct {
		Expires time.Time `json:"expires"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &s)
	if s.Expires.IsZero() {
		t.Error("the session answer has no expiry")
	}
}

func TestNewRequiresS3(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without an S3 handler: got no error")
	}
}

package console

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// bucketExists asks S3 directly.
func bucketExists(t *testing.T, e *env, name string) bool {
	t.Helper()
	_, err := e.srv.S3Client(t).HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(name)})
	if err == nil {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchBucket") {
		return false
	}
	t.Fatalf("HeadBucket %s: %v", name, err)
	return false
}

type apiErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// TestRefusedWithoutSession checks that every API call needs a session.
func TestRefusedWithoutSession(t *testing.T) {
	e := startServer(t, 1)
	c := e.client(t)
	cases := []struct {
		method, path, body string
	}{
		{"GET", "/api/buckets", ""},
		{"GET", "/api/usage", ""},
		{"POST", "/api/buckets", `{"name":"nosession"}`},
		{"DELETE", "/api/buckets/nosession", ""},
		{"GET", "/api/buckets/nosession/objects", ""},
		{"GET", "/api/buckets/nosession/content?key=a", ""},
		{"PUT", "/api/buckets/nosession/object?key=a", "data"},
		{"POST", "/api/buckets/nosession/share", `{"key":"a","expiresSeconds":60}`},
		{"GET", "/api/dashboard", ""},
		{"POST", "/api/logout", ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			for _, cookie := range []string{"", "hoard-session=forged-session-id"} {
				hdr := map[string]string{"Content-Type": "application/json", "X-Hoard-CSRF": "anything"}
				if cookie != "" {
					hdr["Cookie"] = cookie
				}
				status, _, body := c.do(tc.method, tc.path, strings.NewReader(tc.body), hdr)
				if status != http.StatusUnauthorized || !strings.Contains(string(body), `"NoSession"`) {
					t.Errorf("cookie %q: got %d %s, want 401 NoSession", cookie, status, body)
				}
			}
		})
	}
	if bucketExists(t, e, "nosession") {
		t.Fatal("a request without a session created a bucket")
	}
}

// TestCSRF checks that state-changing calls need the session's own CSRF
// token and a same-origin page, and that a refused call changes nothing.
func TestCSRF(t *testing.T) {
	e := startServer(t, 1)
	c := e.client(t)
	if status := c.login(e.srv.AccessKey, e.srv.SecretKey); status != http.StatusOK || c.csrf == "" {
		t.Fatalf("login: got %d and token %q, want 200 and a token", status, c.csrf)
	}
	other := e.client(t)
	if status := other.login(e.srv.AccessKey, e.srv.SecretKey); status != http.StatusOK {
		t.Fatalf("second login: got %d, want 200", status)
	}
	if other.csrf == c.csrf {
		t.Fatal("two sessions got the same CSRF token")
	}
	forged := []byte(c.csrf)
	forged[0] ^= 1
	cases := []struct {
		name string
		hdr  map[string]string
		code string
	}{
		{"no token", map[string]string{}, "BadCSRFToken"},
		{"forged token", map[string]string{"X-Hoard-CSRF": string(forged)}, "BadCSRFToken"},
		{"another session's token", map[string]string{"X-Hoard-CSRF": other.csrf}, "BadCSRFToken"},
		{"token in a query", map[string]string{}, "BadCSRFToken"},
		{"cross-site origin", map[string]string{"X-Hoard-CSRF": c.csrf, "Origin": "http://evil.example"}, "CrossOrigin"},
		{"cross-site fetch", map[string]string{"X-Hoard-CSRF": c.csrf, "Sec-Fetch-Site": "cross-site"}, "CrossOrigin"},
		{"cross-site referer", map[string]string{"X-Hoard-CSRF": c.csrf, "Referer": "http://evil.example/page"}, "CrossOrigin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.hdr["Content-Type"] = "application/json"
			path := "/api/buckets"
			if tc.name == "token in a query" {
				path += "?csrf=" + c.csrf
			}
			status, _, body := c.do("POST", path, strings.NewReader(`{"name":"csrf-victim"}`), tc.hdr)
			if status != http.StatusForbidden || !strings.Contains(string(body), `"`+tc.code+`"`) {
				t.Errorf("got %d %s, want 403 %s", status, body, tc.code)
			}
		})
	}
	if bucketExists(t, e, "csrf-victim") {
		t.Fatal("a refused request created the bucket")
	}
	// The same call with the right token and the page's own origin works.
	status, _, body := c.do("POST", "/api/buckets", strings.NewReader(`{"name":"csrf-victim"}`),
		map[string]string{"Content-Type": "application/json", "X-Hoard-CSRF": c.csrf, "Origin": e.console, "Sec-Fetch-Site": "same-origin"})
	if status != http.StatusCreated {
		t.Fatalf("create with the right token: got %d %s, want 201", status, body)
	}
	if !bucketExists(t, e, "csrf-victim") {
		t.Fatal("the bucket is missing after a successful create")
	}
}

// TestLogin checks sign-in answers, the cookie's flags, and sign-out.
func TestLogin(t *testing.T) {
	e := startServer(t, 1)
	t.Run("refused", func(t *testing.T) {
		cases := []struct {
			name, ctype, body string
			hdr               map[string]string
			status            int
			code              string
		}{
			{"wrong secret", "application/json", `{"accessKey":"` + e.srv.AccessKey + `","secretKey":"wrong"}`, nil, 401, "InvalidCredentials"},
			{"unknown key", "application/json", `{"accessKey":"nobody","secretKey":"` + e.srv.SecretKey + `"}`, nil, 401, "InvalidCredentials"},
			{"empty secret", "application/json", `{"accessKey":"` + e.srv.AccessKey + `","secretKey":""}`, nil, 400, "BadRequest"},
			{"form post", "application/x-www-form-urlencoded", "accessKey=a&secretKey=b", nil, 400, "BadRequest"},
			{"cross-site", "application/json", `{"accessKey":"` + e.srv.AccessKey + `","secretKey":"` + e.srv.SecretKey + `"}`, map[string]string{"Origin": "http://evil.example"}, 403, "CrossOrigin"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := e.client(t)
				hdr := map[string]string{"Content-Type": tc.ctype}
				for k, v := range tc.hdr {
					hdr[k] = v
				}
				status, h, body := c.do("POST", "/api/login", strings.NewReader(tc.body), hdr)
				var ae apiErr
				_ = jsonUnmarshal(body, &ae)
				if status != tc.status || ae.Code != tc.code || ae.Message == "" {
					t.Fatalf("got %d %s, want %d %s with a message", status, body, tc.status, tc.code)
				}
				if h.Get("Set-Cookie") != "" {
					t.Errorf("a refused login set a cookie: %s", h.Get("Set-Cookie"))
				}
			})
		}
	})
	t.Run("accepted", func(t *testing.T) {
		c := e.client(t)
		status, h, body := c.do("POST", "/api/login", strings.NewReader(`{"accessKey":"`+e.srv.AccessKey+`","secretKey":"`+e.srv.SecretKey+`"}`),
			map[string]string{"Content-Type": "application/json"})
		if status != http.StatusOK {
			t.Fatalf("login: got %d %s, want 200", status, body)
		}
		if bytes.Contains(body, []byte(e.srv.SecretKey)) {
			t.Fatal("the login answer contains the secret key")
		}
		cookie := h.Get("Set-Cookie")
		for _, want := range []string{"hoard-session=", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %q", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("cookie %q is Secure on plain HTTP, where browsers would drop it", cookie)
		}
		value := strings.TrimPrefix(strings.SplitN(cookie, ";", 2)[0], "hoard-session=")
		if len(value) < 43 {
			t.Errorf("session ID %q: want at least 256 bits of randomness", value)
		}
		var s struct {
			CSRF string `json:"csrfToken"`
		}
		_ = jsonUnmarshal(body, &s)
		status, _, _ = c.do("POST", "/api/logout", nil, map[string]string{"X-Hoard-CSRF": s.CSRF})
		if status != http.StatusOK {
			t.Fatalf("logout: got %d, want 200", status)
		}
		// The old cookie no longer works, even when replayed.
		status, _, _ = c.do("GET", "/api/buckets", nil, map[string]string{"Cookie": "hoard-session=" + value})
		if status != http.StatusUnauthorized {
			t.Fatalf("old session after logout: got %d, want 401", status)
		}
	})
}

// TestPages checks the page's security headers and asset caching.
func TestPages(t *testing.T) {
	e := startServer(t, 1)
	c := e.client(t)
	status, h, body := c.do("GET", "/", nil, nil)
	if status != http.StatusOK || !strings.Contains(string(body), `<script type="module" src="/assets/js/app.js">`) {
		t.Fatalf("GET /: got %d, want 200 and the page", status)
	}
	for name, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "SAMEORIGIN",
		"Content-Type":            "text/html",
	} {
		if !strings.Contains(h.Get(name), want) {
			t.Errorf("%s: got %q, want it to contain %q", name, h.Get(name), want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
		t.Errorf("page CSP %q allows inline code or other hosts", csp)
	}
	status, h, _ = c.do("GET", "/assets/js/app.js", nil, nil)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || h.Get("ETag") == "" {
		t.Fatalf("app.js: got %d %q etag %q, want 200 text/javascript with an ETag", status, h.Get("Content-Type"), h.Get("ETag"))
	}
	status, _, _ = c.do("GET", "/assets/js/app.js", nil, map[string]string{"If-None-Match": h.Get("ETag")})
	if status != http.StatusNotModified {
		t.Errorf("revalidating app.js: got %d, want 304", status)
	}
	for _, p := range []string{"/assets/index.html", "/assets/nothing.js", "/api/nothing"} {
		if status, _, _ := c.do("GET", p, nil, nil); status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", p, status)
		}
	}
}

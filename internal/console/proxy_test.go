package console

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/clientip"
)

// TestLoginLimiterBehindProxy: behind a trusted proxy, sign-in failures
// count against the client the proxy forwards, not the proxy, and a
// client cannot pick its address with a forged header.
func TestLoginLimiterBehindProxy(t *testing.T) {
	clock := newFakeClock()
	hs := newHarness(t, func(c *Config) { c.Now = clock.now })
	trusted, err := clientip.ParseTrusted([]string{"10.0.0.10"})
	if err != nil {
		t.Fatal(err)
	}
	front := clientip.Handler(trusted, hs.h)
	login := func(peer, xff, secret string) int {
		body := `{"accessKey":"reader-key","secretKey":"` + secret + `"}`
		r := httptest.NewRequest(http.MethodPost, "http://console.test/api/login", strings.NewReader(body))
		r.RemoteAddr = peer
		r.Header.Set("Content-Type", "application/json")
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		front.ServeHTTP(w, r)
		return w.Code
	}
	const proxy, good = "10.0.0.10:5000", "reader-secret-0123456789"
	for i := 0; i < freeLoginFailures; i++ {
		if got := login(proxy, "198.51.100.1", "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: got %d, want 401", i+1, got)
		}
	}
	tests := []struct {
		name      string
		peer, xff string
		want      int
	}{
		{"the guessing client, through the proxy", proxy, "198.51.100.1", http.StatusTooManyRequests},
		{"another client through the same proxy", proxy, "198.51.100.2", http.StatusOK},
		{"the guessing client straight, claiming another address", "198.51.100.1:7000", "198.51.100.3", http.StatusTooManyRequests},
		{"an untrusted peer claiming the guessing client's address", "198.51.100.4:7000", "198.51.100.1", http.StatusOK},
	}
	for _, tt := range tests {
		if got := login(tt.peer, tt.xff, good); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestSessionCookieBehindTLSProxy: behind a trusted proxy that ends TLS,
// the session cookie is Secure with the __Host- prefix, HSTS is sent and
// the session works; a client claiming HTTPS straight to the plain
// listener gets neither.
func TestSessionCookieBehindTLSProxy(t *testing.T) {
	hs := newHarness(t, nil)
	trusted, err := clientip.ParseTrusted([]string{"10.0.0.10"})
	if err != nil {
		t.Fatal(err)
	}
	front := clientip.Handler(trusted, hs.h)
	tests := []struct {
		name       string
		peer       string
		wantCookie string
		wantSecure bool
	}{
		{"through the TLS-ending proxy", "10.0.0.10:5000", "__Host-hoard-session", true},
		{"straight, claiming https", "198.51.100.4:7000", "hoard-session", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"accessKey":"reader-key","secretKey":"reader-secret-0123456789"}`
			r := httptest.NewRequest(http.MethodPost, "http://console.test/api/login", strings.NewReader(body))
			r.RemoteAddr = tt.peer
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-Forwarded-Proto", "https")
			w := httptest.NewRecorder()
			front.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("login: got %d, want 200", w.Code)
			}
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies: got %d, want 1", len(cookies))
			}
			c := cookies[0]
			if c.Name != tt.wantCookie || c.Secure != tt.wantSecure {
				t.Errorf("cookie: got %s secure=%v, want %s secure=%v", c.Name, c.Secure, tt.wantCookie, tt.wantSecure)
			}
			if got := w.Header().Get("Strict-Transport-Security") != ""; got != tt.wantSecure {
				t.Errorf("HSTS sent: got %v, want %v", got, tt.wantSecure)
			}
			// The cookie opens the session on the same path.
			r2 := httptest.NewRequest(http.MethodGet, "http://console.test/api/session", nil)
			r2.RemoteAddr = tt.peer
			r2.Header.Set("X-Forwarded-Proto", "https")
			r2.AddCookie(c)
			w2 := httptest.NewRecorder()
			front.ServeHTTP(w2, r2)
			if w2.Code != http.StatusOK {
				t.Errorf("session with the cookie: got %d, want 200", w2.Code)
			}
		})
	}
}

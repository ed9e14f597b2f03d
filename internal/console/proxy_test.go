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

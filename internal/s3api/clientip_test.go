package s3api

import (
	"net/http/httptest"
	"testing"

	"github.com/hoardstore/hoard/internal/clientip"
)

// TestConditionContextFollowsResolvedClient: aws:SourceIp and
// aws:SecureTransport are the client clientip resolved (a trusted proxy's
// forwarded client), and without a resolution the connection's own.
func TestConditionContextFollowsResolvedClient(t *testing.T) {
	trusted, err := clientip.ParseTrusted([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		peer       string
		headers    map[string]string
		resolve    bool
		wantIP     string
		wantSecure string
	}{
		{"no resolution: the peer", "10.0.0.1:4000", map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, false, "10.0.0.1", "false"},
		{"trusted proxy", "10.0.0.1:4000", map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, true, "203.0.113.9", "true"},
		{"untrusted peer, forged headers", "192.0.2.1:4000", map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, true, "192.0.2.1", "false"},
		{"IPv6 peer", "[2001:db8::7]:4000", nil, true, "2001:db8::7", "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://127.0.0.1:9000/b/k", nil)
			r.RemoteAddr = tt.peer
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if tt.resolve {
				r = r.WithContext(clientip.WithClient(r.Context(), clientip.Resolve(r.RemoteAddr, false, r.Header, trusted)))
			}
			ctx := (&request{r: r}).conditionContext()
			if ctx["aws:SourceIp"] != tt.wantIP || ctx["aws:SecureTransport"] != tt.wantSecure {
				t.Errorf("got SourceIp %q SecureTransport %q, want %q %q", ctx["aws:SourceIp"], ctx["aws:SecureTransport"], tt.wantIP, tt.wantSecure)
			}
			if got := clientAddr(r); got != tt.wantIP {
				t.Errorf("clientAddr: got %q, want %q", got, tt.wantIP)
			}
		})
	}
}

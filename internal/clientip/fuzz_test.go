package clientip

import (
	"net/http"
	"testing"
)

// FuzzResolve: no input makes Resolve panic, and whatever it returns for
// an untrusted peer is the peer.
func FuzzResolve(f *testing.F) {
	trusted, _ := ParseTrusted([]string{"10.0.0.0/8", "2001:db8::/32"})
	f.Add("10.0.0.1:80", "203.0.113.9, 10.0.0.2", `for="[2001:db8::1]:4711";proto=https`, "198.51.100.1", "https")
	f.Add("[2001:db8::5]:1", "", `for=_hidden, for=unknown`, "", "http")
	f.Add("198.51.100.1:9", "1.2.3.4", `for=";\`, "::ffff:1.2.3.4", "")
	f.Add("10.0.0.1:80", ",,,", `for="[::1`, "[::1]:80", ", ,")
	f.Fuzz(func(t *testing.T, peer, xff, fwd, realIP, proto string) {
		for _, h := range []http.Header{
			{"X-Forwarded-For": {xff}, "X-Forwarded-Proto": {proto}},
			{"Forwarded": {fwd}, "X-Forwarded-Proto": {proto}},
			{"X-Real-Ip": {realIP}},
		} {
			c := Resolve(peer, false, h, trusted)
			p := parsePeer(peer)
			if !trusted.Contains(p) && (c.Addr != p || c.Proxied || c.Secure) {
				t.Fatalf("untrusted peer %q: got %v proxied=%v secure=%v", peer, c.Addr, c.Proxied, c.Secure)
			}
			if c.Addr.IsValid() && (c.Addr.Is4In6() || c.Addr.Zone() != "") {
				t.Fatalf("address %v not canonical", c.Addr)
			}
		}
		if a := parseNode(fwd); a.IsValid() && a.Is4In6() {
			t.Fatalf("parseNode(%q) = %v, not unmapped", fwd, a)
		}
	})
}

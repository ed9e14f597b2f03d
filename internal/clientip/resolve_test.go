package clientip

import (
	"net/http"
	"strings"
	"testing"
)

func mustTrusted(t testing.TB, list ...string) Trusted {
	t.Helper()
	tr, err := ParseTrusted(list)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestResolve(t *testing.T) {
	trusted := mustTrusted(t, "10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.7")
	const proxy = "10.1.2.3:55000"
	long := strings.Repeat("10.9.9.9,", 40) + "10.9.9.8"
	tests := []struct {
		name    string
		peer    string
		tls     bool
		headers map[string][]string
		want    string
		secure  bool
		proxied bool
	}{
		{name: "direct, no headers", peer: "198.51.100.1:4000", want: "198.51.100.1"},
		{name: "direct TLS", peer: "198.51.100.1:4000", tls: true, want: "198.51.100.1", secure: true},
		{name: "untrusted peer: forged XFF ignored", peer: "198.51.100.1:4000", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "198.51.100.1"},
		{name: "untrusted peer: forged Forwarded ignored", peer: "198.51.100.1:4000", headers: map[string][]string{"Forwarded": {"for=203.0.113.9;proto=https"}}, want: "198.51.100.1"},
		{name: "untrusted peer: forged X-Real-IP ignored", peer: "198.51.100.1:4000", headers: map[string][]string{"X-Real-Ip": {"203.0.113.9"}}, want: "198.51.100.1"},
		{name: "untrusted peer: forged proto ignored", peer: "198.51.100.1:4000", headers: map[string][]string{"X-Forwarded-Proto": {"https"}}, want: "198.51.100.1"},
		{name: "untrusted TLS peer: forged http proto ignored", peer: "198.51.100.1:4000", tls: true, headers: map[string][]string{"X-Forwarded-Proto": {"http"}}, want: "198.51.100.1", secure: true},
		{name: "trusted peer, no headers", peer: proxy, want: "10.1.2.3", proxied: true},
		{name: "XFF one hop", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF spoofed chain: rightmost untrusted wins", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"1.1.1.1, 10.0.0.1, 203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF skips trusted proxies", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"1.1.1.1, 203.0.113.9, 10.0.0.5, 192.0.2.7"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF several header lines", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"1.1.1.1, 203.0.113.9", "10.0.0.5"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF all trusted: leftmost", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"10.0.0.9, 10.0.0.5"}}, want: "10.0.0.9", proxied: true},
		{name: "XFF with port", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9:5123"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF IPv6", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"2001:db8::1"}}, want: "2001:db8::1", proxied: true},
		{name: "XFF bracketed IPv6 with port", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"[2001:db8::1]:4711"}}, want: "2001:db8::1", proxied: true},
		{name: "XFF bracketed IPv6", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"[2001:db8::1]"}}, want: "2001:db8::1", proxied: true},
		{name: "XFF IPv4-mapped IPv6 is IPv4", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"::ffff:203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF IPv4-mapped trusted proxy skipped", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9, ::ffff:10.0.0.5"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF zone stripped", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"fe80::1%eth0"}}, want: "fe80::1", proxied: true},
		{name: "XFF garbage: peer", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"not-an-ip"}}, want: "10.1.2.3", proxied: true},
		{name: "XFF garbage left of trusted: last trusted", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9, bogus, 10.0.0.5"}}, want: "10.0.0.5", proxied: true},
		{name: "XFF garbage left of client: client", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"<script>, 203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF unknown", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"unknown"}}, want: "10.1.2.3", proxied: true},
		{name: "XFF empty value", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {""}}, want: "10.1.2.3", proxied: true},
		{name: "XFF empty entry", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9,,10.0.0.5"}}, want: "10.0.0.5", proxied: true},
		{name: "XFF trailing comma", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9,"}}, want: "10.1.2.3", proxied: true},
		{name: "XFF too many trusted hops: stops at MaxHops", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9," + long}}, want: "10.9.9.9", proxied: true},
		{name: "XFF wins over Forwarded and X-Real-IP", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}, "Forwarded": {"for=198.51.100.77"}, "X-Real-Ip": {"198.51.100.78"}}, want: "203.0.113.9", proxied: true},
		{name: "XFF garbage does not fall back to X-Real-IP", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"junk"}, "X-Real-Ip": {"198.51.100.78"}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded one hop", peer: proxy, headers: map[string][]string{"Forwarded": {"for=203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded quoted IPv6 with port", peer: proxy, headers: map[string][]string{"Forwarded": {`for="[2001:db8::1]:4711"`}}, want: "2001:db8::1", proxied: true},
		{name: "Forwarded quoted IPv4 with port", peer: proxy, headers: map[string][]string{"Forwarded": {`For="203.0.113.9:80"`}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded obfuscated port", peer: proxy, headers: map[string][]string{"Forwarded": {`for="203.0.113.9:_p1"`}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded unquoted IPv6 is malformed", peer: proxy, headers: map[string][]string{"Forwarded": {`for=[2001:db8::1]`}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded chain with trusted hops", peer: proxy, headers: map[string][]string{"Forwarded": {`for=1.1.1.1, for=203.0.113.9;proto=https, for="[2001:db8:ffff::2]"`}}, want: "203.0.113.9", proxied: true, secure: true},
		{name: "Forwarded several lines", peer: proxy, headers: map[string][]string{"Forwarded": {"for=1.1.1.1", "for=203.0.113.9;by=10.0.0.1"}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded obfuscated nearest: peer", peer: proxy, headers: map[string][]string{"Forwarded": {"for=203.0.113.9, for=_hidden"}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded obfuscated beyond trusted: last trusted", peer: proxy, headers: map[string][]string{"Forwarded": {"for=203.0.113.9, for=_gateway, for=10.0.0.5"}}, want: "10.0.0.5", proxied: true},
		{name: "Forwarded unknown", peer: proxy, headers: map[string][]string{"Forwarded": {"for=unknown"}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded without for", peer: proxy, headers: map[string][]string{"Forwarded": {"proto=https;by=10.0.0.1"}}, want: "10.1.2.3", proxied: true, secure: true},
		{name: "Forwarded quoted comma inside a value", peer: proxy, headers: map[string][]string{"Forwarded": {`for=203.0.113.9;ext="a,b"`}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded unterminated quote: ignored", peer: proxy, headers: map[string][]string{"Forwarded": {`for="203.0.113.9`}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded duplicate parameter: ignored", peer: proxy, headers: map[string][]string{"Forwarded": {"for=203.0.113.9;for=198.51.100.1"}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded garbage: ignored", peer: proxy, headers: map[string][]string{"Forwarded": {"for 203.0.113.9"}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded empty elements skipped", peer: proxy, headers: map[string][]string{"Forwarded": {" , for=203.0.113.9 ,"}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded IPv4 with empty port", peer: proxy, headers: map[string][]string{"Forwarded": {`for="203.0.113.9:"`}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded IPv6 not bracketed", peer: proxy, headers: map[string][]string{"Forwarded": {`for="2001:db8::1"`}}, want: "10.1.2.3", proxied: true},
		{name: "Forwarded proto http over TLS hop", peer: proxy, tls: true, headers: map[string][]string{"Forwarded": {"for=203.0.113.9;proto=http"}}, want: "203.0.113.9", proxied: true},
		{name: "X-Real-IP", peer: proxy, headers: map[string][]string{"X-Real-Ip": {"203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "X-Real-IP garbage", peer: proxy, headers: map[string][]string{"X-Real-Ip": {"203.0.113.9, 1.1.1.1"}}, want: "10.1.2.3", proxied: true},
		{name: "X-Real-IP twice", peer: proxy, headers: map[string][]string{"X-Real-Ip": {"203.0.113.9", "1.1.1.1"}}, want: "10.1.2.3", proxied: true},
		{name: "X-Forwarded-Proto https", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Proto": {"HTTPS"}}, want: "203.0.113.9", proxied: true, secure: true},
		{name: "X-Forwarded-Proto http over TLS hop", peer: proxy, tls: true, headers: map[string][]string{"X-Forwarded-Proto": {"http"}}, want: "10.1.2.3", proxied: true},
		{name: "X-Forwarded-Proto garbage keeps TLS state", peer: proxy, tls: true, headers: map[string][]string{"X-Forwarded-Proto": {"gopher"}}, want: "10.1.2.3", proxied: true, secure: true},
		{name: "X-Forwarded-Proto aligned with the chosen hop", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9, 10.0.0.5"}, "X-Forwarded-Proto": {"https, http"}}, want: "203.0.113.9", proxied: true, secure: true},
		{name: "X-Forwarded-Proto forged left of proxy's", peer: proxy, headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Proto": {"https, http"}}, want: "203.0.113.9", proxied: true},
		{name: "Forwarded proto wins over X-Forwarded-Proto", peer: proxy, headers: map[string][]string{"Forwarded": {"for=203.0.113.9;proto=http"}, "X-Forwarded-Proto": {"https"}}, want: "203.0.113.9", proxied: true},
		{name: "trusted IPv6 peer", peer: "[2001:db8:ffff::1]:443", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "IPv4-mapped trusted peer", peer: "[::ffff:10.1.2.3]:443", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "single trusted address", peer: "192.0.2.7:1", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "neighbour of single trusted address", peer: "192.0.2.8:1", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "192.0.2.8"},
		{name: "peer without port", peer: "10.1.2.3", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "203.0.113.9", proxied: true},
		{name: "peer not an address", peer: "pipe", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: "pipe"},
		{name: "empty peer", peer: "", headers: map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, vs := range tt.headers {
				for _, v := range vs {
					h.Add(k, v)
				}
			}
			got := Resolve(tt.peer, tt.tls, h, trusted)
			if got.String() != tt.want || got.Secure != tt.secure || got.Proxied != tt.proxied {
				t.Errorf("got %s secure=%v proxied=%v, want %s secure=%v proxied=%v", got, got.Secure, got.Proxied, tt.want, tt.secure, tt.proxied)
			}
			if got.Peer != tt.peer {
				t.Errorf("Peer = %q, want %q", got.Peer, tt.peer)
			}
		})
	}
}

func TestResolveTrustsNobodyByDefault(t *testing.T) {
	h := http.Header{"X-Forwarded-For": {"203.0.113.9"}, "X-Forwarded-Proto": {"https"}}
	got := Resolve("127.0.0.1:80", false, h, Trusted{})
	if got.String() != "127.0.0.1" || got.Secure || got.Proxied {
		t.Errorf("got %s secure=%v proxied=%v, want the peer, insecure, not proxied", got, got.Secure, got.Proxied)
	}
}

func TestParseTrusted(t *testing.T) {
	tests := []struct {
		in      []string
		want    string
		wantErr string
	}{
		{in: nil, want: ""},
		{in: []string{"10.0.0.0/8", " 192.0.2.7 ", "", "2001:db8::/32"}, want: "10.0.0.0/8,192.0.2.7/32,2001:db8::/32"},
		{in: []string{"10.1.2.3/8"}, want: "10.0.0.0/8"},
		{in: []string{"::1"}, want: "::1/128"},
		{in: []string{"::ffff:10.0.0.0/104"}, want: "10.0.0.0/8"},
		{in: []string{"::ffff:10.0.0.1"}, want: "10.0.0.1/32"},
		{in: []string{"10.0.0.0/33", "bogus", "fe80::1%eth0", "1.2.3.4/"}, wantErr: `"10.0.0.0/33"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.in, ","), func(t *testing.T) {
			got, err := ParseTrusted(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.in) {
					t.Errorf("%d errors reported, want %d (every bad entry): %v", n, len(tt.in), err)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Errorf("got %q, %v, want %q", got.String(), err, tt.want)
			}
		})
	}
}

func TestFromRequest(t *testing.T) {
	trusted := mustTrusted(t, "127.0.0.0/8")
	r, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	if got := FromRequest(r); got.String() != "127.0.0.1" {
		t.Errorf("without Handler: got %s, want the peer 127.0.0.1", got)
	}
	var seen Client
	Handler(trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A request made for r (as the console's in-process S3 calls are)
		// carries the resolved client in its context.
		inner, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://internal/", nil)
		inner.RemoteAddr = r.RemoteAddr
		seen = FromRequest(inner)
	})).ServeHTTP(nil, r)
	if seen.String() != "203.0.113.9" || !seen.Proxied {
		t.Errorf("through Handler: got %s proxied=%v, want 203.0.113.9 proxied", seen, seen.Proxied)
	}
}

package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// MaxHops is how many proxies of a forwarding chain Resolve walks, from
// the nearest one. A chain longer than that, all trusted, ends at the
// last address walked.
const MaxHops = 16

// Client is where a request comes from.
type Client struct {
	// Addr is the client's address: the TCP peer's, or the one a trusted
	// proxy forwarded. It is invalid only when the peer address is not an
	// IP address (a request built in-process with an odd RemoteAddr).
	Addr netip.Addr
	// Secure reports whether the client reached us (or the first trusted
	// proxy) over HTTPS.
	Secure bool
	// Proxied reports whether the TCP peer is a trusted proxy, so that
	// Addr may come from its headers.
	Proxied bool
	// Peer is the TCP peer's address as the connection reports it
	// (host:port).
	Peer string
}

// String returns the client's address, or the peer's text when it is not
// an IP address.
func (c Client) String() string {
	if c.Addr.IsValid() {
		return c.Addr.String()
	}
	if host, _, err := net.SplitHostPort(c.Peer); err == nil {
		return host
	}
	return c.Peer
}

// Resolve returns the client behind the TCP peer peer (host:port, as
// http.Request.RemoteAddr), on a connection that is TLS or not, given the
// request's headers and the trusted proxies.
//
// From a peer outside trusted every forwarding header is ignored. From a
// trusted peer the first of these headers present names the client:
//
//   - X-Forwarded-For: the list is walked from the right, skipping the
//     addresses of trusted proxies; the first address that is not
//     trusted is the client. An entry that is not an address (garbage,
//     "unknown", empty) ends the walk; so does MaxHops. When the walk
//     ends without an untrusted address, the client is the last trusted
//     address walked (or the peer): a proxy, never anything written by an
//     untrusted party.
//   - Forwarded (RFC 7239): the same walk over the elements' for=
//     parameters (IPv4, quoted "[IPv6]", either with a port); an
//     obfuscated identifier ("_hidden") or "unknown" is not an address
//     and ends the walk like garbage, and a malformed header is ignored
//     as a whole.
//   - X-Real-IP: one address.
//
// Only one header is consulted, even when it yields nothing usable: a
// proxy that sets X-Forwarded-For leaves whatever the client sent in the
// others. Secure follows, from a trusted peer, the proto= of the
// Forwarded element chosen, else X-Forwarded-Proto (one value, or with
// several the one in the chosen X-Forwarded-For entry's position);
// otherwise it is whether the connection is TLS.
func Resolve(peer string, tls bool, h http.Header, trusted Trusted) Client {
	c := Client{Peer: peer, Secure: tls}
	c.Addr = parsePeer(peer)
	if !c.Addr.IsValid() || !trusted.Contains(c.Addr) {
		return c
	}
	c.Proxied = true
	xffPos := -1 // position of the chosen X-Forwarded-For entry, from the right
	var fwd *element
	switch {
	case len(h.Values("X-Forwarded-For")) > 0:
		c.Addr, xffPos = walkXFF(strings.Join(h.Values("X-Forwarded-For"), ","), c.Addr, trusted)
	case len(h.Values("Forwarded")) > 0:
		c.Addr, fwd = walkForwarded(h.Values("Forwarded"), c.Addr, trusted)
	case len(h.Values("X-Real-Ip")) == 1:
		if a, ok := parseHost(strings.TrimSpace(h.Get("X-Real-Ip"))); ok {
			c.Addr = a
		}
	}
	if fwd != nil && fwd.proto != "" {
		if secure, ok := schemeSecure(fwd.proto); ok {
			c.Secure = secure
		}
	} else if secure, ok := forwardedProto(h.Values("X-Forwarded-Proto"), xffPos); ok {
		c.Secure = secure
	}
	return c
}

// parsePeer parses a RemoteAddr: host:port, or a bare address.
func parsePeer(peer string) netip.Addr {
	if ap, err := netip.ParseAddrPort(peer); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if a, err := netip.ParseAddr(peer); err == nil {
		return a.Unmap().WithZone("")
	}
	return netip.Addr{}
}

// parseHost parses one X-Forwarded-For or X-Real-IP entry: an address,
// with or without a port, IPv6 bracketed or not.
func parseHost(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if inner, ok := strings.CutPrefix(s, "["); ok {
		if inner, ok = strings.CutSuffix(inner, "]"); ok {
			if a, err := netip.ParseAddr(inner); err == nil && a.Is6() {
				return a.Unmap().WithZone(""), true
			}
		}
	}
	return netip.Addr{}, false
}

// walkXFF walks an X-Forwarded-For list from the right: it returns the
// client address and its position counted from the right, or nearest
// (the peer) and -1 when the rightmost entry is not an address.
func walkXFF(list string, nearest netip.Addr, trusted Trusted) (netip.Addr, int) {
	pos := -1
	more := true
	for hop := 0; more && hop < MaxHops; hop++ {
		entry := list
		if i := strings.LastIndexByte(list, ','); i >= 0 {
			entry, list = list[i+1:], list[:i]
		} else {
			more = false
		}
		a, ok := parseHost(strings.TrimSpace(entry))
		if !ok {
			break
		}
		nearest, pos = a, hop
		if !trusted.Contains(a) {
			break
		}
	}
	return nearest, pos
}

// forwardedProto reads X-Forwarded-Proto: a single value, or with several
// the one at position pos from the right (the chosen X-Forwarded-For
// entry's), else the rightmost. ok is false when there is none or it is
// not a known scheme.
func forwardedProto(values []string, pos int) (secure, ok bool) {
	if len(values) == 0 {
		return false, false
	}
	list := strings.Split(strings.Join(values, ","), ",")
	i := len(list) - 1
	if pos >= 0 && pos < len(list) {
		i = len(list) - 1 - pos
	}
	return schemeSecure(strings.TrimSpace(list[i]))
}

// schemeSecure tells whether a forwarded scheme is a secure one.
func schemeSecure(s string) (secure, ok bool) {
	switch strings.ToLower(s) {
	case "https", "wss":
		return true, true
	case "http", "ws":
		return false, true
	}
	return false, false
}

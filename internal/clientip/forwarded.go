package clientip

import (
	"net/netip"
	"strings"
)

// element is one forwarded-element of a Forwarded header (RFC 7239):
// the parameters Resolve uses.
type element struct {
	addr  netip.Addr // for=, when it is an address (not obfuscated, not "unknown")
	proto string     // proto=, "" when absent
}

// walkForwarded walks the Forwarded elements from the right as walkXFF
// walks X-Forwarded-For. It returns the client address and the element
// that named it; when the nearest element names no address, nearest (the
// peer) and that element (whose proto= the trusted peer wrote); nearest
// and nil when the header is malformed or empty.
func walkForwarded(values []string, nearest netip.Addr, trusted Trusted) (netip.Addr, *element) {
	els, ok := parseForwarded(strings.Join(values, ","))
	if !ok || len(els) == 0 {
		return nearest, nil
	}
	chosen := &els[len(els)-1]
	for i := len(els) - 1; i >= 0 && i >= len(els)-MaxHops; i-- {
		if !els[i].addr.IsValid() {
			break
		}
		nearest, chosen = els[i].addr, &els[i]
		if !trusted.Contains(nearest) {
			break
		}
	}
	return nearest, chosen
}

// parseForwarded parses a Forwarded field value: elements separated by
// commas, each pairs name=value (token or quoted-string) separated by
// semicolons. Empty list elements are skipped, as HTTP lists allow; a
// syntax error, or a parameter given twice in one element, makes the
// whole value malformed (ok false). Only the rightmost MaxHops elements
// (at least) are kept.
func parseForwarded(s string) (els []element, ok bool) {
	p := &fieldParser{s: s}
	for {
		p.skipSpace()
		if p.done() {
			return els, true
		}
		if p.peek() == ',' {
			p.i++
			continue
		}
		e, ok := p.element()
		if !ok {
			return nil, false
		}
		if len(els) == 2*MaxHops {
			els = append(els[:0], els[MaxHops:]...)
		}
		els = append(els, e)
	}
}

// fieldParser reads a header field value left to right.
type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) done() bool { return p.i >= len(p.s) }
func (p *fieldParser) peek() byte { return p.s[p.i] }

func (p *fieldParser) skipSpace() {
	for !p.done() && (p.peek() == ' ' || p.peek() == '\t') {
		p.i++
	}
}

// element parses pairs up to the next top-level comma or the end.
func (p *fieldParser) element() (element, bool) {
	var e element
	seen := map[string]bool{}
	for {
		p.skipSpace()
		name := strings.ToLower(p.token())
		if name == "" || p.done() || p.peek() != '=' || seen[name] {
			return e, false
		}
		seen[name] = true
		p.i++
		value, ok := p.value()
		if !ok {
			return e, false
		}
		switch name {
		case "for":
			e.addr = parseNode(value)
		case "proto":
			e.proto = value
		}
		p.skipSpace()
		if p.done() || p.peek() == ',' {
			return e, true
		}
		if p.peek() != ';' {
			return e, false
		}
		p.i++
	}
}

// token reads a token (RFC 9110 tchar), possibly empty.
func (p *fieldParser) token() string {
	start := p.i
	for !p.done() && isTchar(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a token or a quoted-string (unescaped).
func (p *fieldParser) value() (string, bool) {
	if p.done() {
		return "", false
	}
	if p.peek() != '"' {
		v := p.token()
		return v, v != ""
	}
	p.i++
	var b strings.Builder
	for !p.done() {
		c := p.peek()
		p.i++
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\':
			if p.done() {
				return "", false
			}
			b.WriteByte(p.peek())
			p.i++
		case c < 0x20 && c != '\t', c == 0x7f:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

// isTchar reports whether c may appear in a token.
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// parseNode parses a for= node (RFC 7239 section 6): an IPv4 address or
// a bracketed IPv6 address, either optionally with a port (digits, or an
// obfuscated "_port"). "unknown", an obfuscated identifier ("_hidden")
// and anything malformed give the invalid Addr.
func parseNode(v string) netip.Addr {
	host, port := v, ""
	if rest, ok := strings.CutPrefix(v, "["); ok {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return netip.Addr{}
		}
		host, port = rest[:end], rest[end+1:]
		if port != "" {
			var ok bool
			if port, ok = strings.CutPrefix(port, ":"); !ok {
				return netip.Addr{}
			}
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() || a.Zone() != "" || !validPort(port) {
			return netip.Addr{}
		}
		return a.Unmap()
	}
	if i := strings.IndexByte(v, ':'); i >= 0 {
		host, port = v[:i], v[i+1:]
		if port == "" {
			return netip.Addr{}
		}
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() || !validPort(port) {
		return netip.Addr{}
	}
	return a
}

// validPort checks a node-port: empty (none), 1 to 5 digits, or
// "_" and obfuscation characters.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	if rest, ok := strings.CutPrefix(port, "_"); ok {
		if rest == "" {
			return false
		}
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
		return true
	}
	if len(port) > 5 {
		return false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

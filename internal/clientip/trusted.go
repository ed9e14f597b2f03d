package clientip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Trusted is a set of networks whose addresses are trusted proxies. The
// zero value trusts nobody.
type Trusted struct {
	prefixes []netip.Prefix
}

// ParseTrusted parses networks in CIDR notation ("10.0.0.0/8",
// "2001:db8::/32") or single addresses ("192.0.2.7"), reporting every
// entry it cannot parse at once. IPv4-mapped IPv6 networks
// ("::ffff:10.0.0.0/104") are taken as the IPv4 networks they map.
func ParseTrusted(list []string) (Trusted, error) {
	var t Trusted
	var errs []error
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("clientip: trusted proxy %q: want an address or a network in CIDR notation", s))
			continue
		}
		t.prefixes = append(t.prefixes, p)
	}
	if len(errs) > 0 {
		return Trusted{}, errors.Join(errs...)
	}
	return t, nil
}

// parsePrefix parses a CIDR network or a single address (a /32 or /128),
// without zone, in its canonical (masked, unmapped) form.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, errors.New("not an address")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// Contains reports whether a is in one of the trusted networks. An
// IPv4-mapped IPv6 address matches as the IPv4 address it maps; a zone
// is ignored.
func (t Trusted) Contains(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Empty reports whether the set trusts nobody.
func (t Trusted) Empty() bool { return len(t.prefixes) == 0 }

// String lists the networks, comma-separated.
func (t Trusted) String() string {
	s := make([]string, len(t.prefixes))
	for i, p := range t.prefixes {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

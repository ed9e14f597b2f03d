package policy

import (
	"net/netip"
	"strconv"
	"strings"
)

// Condition is one test of a statement's Condition block: an operator
// applied to one condition key and its values (any value may match).
type Condition struct {
	// Op is the operator without its IfExists suffix, e.g. "StringLike".
	Op string
	// IfExists makes the test hold when the key is missing.
	IfExists bool
	// Key is the condition key, lower-cased (keys are case-insensitive).
	Key    string
	Values []string

	prefixes []netip.Prefix // IpAddress, NotIpAddress
}

// conditionKeys lists the condition keys Hoard knows the value of;
// policies using others are refused rather than silently never matching.
var conditionKeys = map[string]bool{
	"aws:sourceip":        true,
	"aws:securetransport": true,
	"aws:referer":         true,
	"aws:useragent":       true,
	"aws:principaltype":   true,
	"s3:prefix":           true,
	"s3:delimiter":        true,
	"s3:max-keys":         true,
}

// operators maps each supported operator to whether it is negated (holds
// when the key is missing).
var operators = map[string]bool{
	"StringEquals": false, "StringNotEquals": true,
	"StringEqualsIgnoreCase": false, "StringNotEqualsIgnoreCase": true,
	"StringLike": false, "StringNotLike": true,
	"NumericEquals": false, "NumericNotEquals": true,
	"NumericLessThan": false, "NumericLessThanEquals": false,
	"NumericGreaterThan": false, "NumericGreaterThanEquals": false,
	"Bool":      false,
	"IpAddress": false, "NotIpAddress": true,
	"Null": false,
}

func parseCondition(op, key string, values stringList) (Condition, error) {
	c := Condition{Op: op, Key: strings.ToLower(key), Values: values}
	if base, ok := strings.CutSuffix(op, "IfExists"); ok {
		if base == "Null" {
			return c, malformed("Null cannot be combined with IfExists")
		}
		c.Op, c.IfExists = base, true
	}
	if _, ok := operators[c.Op]; !ok {
		return c, &Error{Code: "NotImplemented", Message: "Hoard does not support the condition operator " + op + " in bucket policies."}
	}
	if !conditionKeys[c.Key] {
		return c, malformed("Policy has an invalid condition key: %s", key)
	}
	if len(values) == 0 {
		return c, malformed("Condition %s on %s has no values", op, key)
	}
	switch c.Op {
	case "IpAddress", "NotIpAddress":
		for _, v := range values {
			p, err := parseNet(v)
			if err != nil {
				return c, malformed("Invalid IP address or CIDR block in condition: %s", v)
			}
			c.prefixes = append(c.prefixes, p)
		}
	case "Bool", "Null":
		for _, v := range values {
			if v != "true" && v != "false" {
				return c, malformed("Condition %s wants true or false, not %s", op, v)
			}
		}
	}
	if strings.HasPrefix(c.Op, "Numeric") {
		for _, v := range values {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return c, malformed("Condition %s wants numbers, not %s", op, v)
			}
		}
	}
	return c, nil
}

// parseNet reads an address or CIDR block; IPv4-mapped IPv6 blocks
// become the IPv4 blocks they are, as request addresses are unmapped.
func parseNet(v string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(v, "/") {
		var err error
		if p, err = netip.ParsePrefix(v); err != nil {
			return p, err
		}
	} else {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return p, err
		}
		p = netip.PrefixFrom(a.WithZone(""), a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// narrow reports whether every block of an address condition is at most
// a /8 (IPv4) or a /32 (IPv6).
func (c *Condition) narrow() bool {
	for _, p := range c.prefixes {
		if p.Addr().Is4() && p.Bits() < 8 || !p.Addr().Is4() && p.Bits() < 32 {
			return false
		}
	}
	return true
}

// holds evaluates the condition against a request's context.
func (c *Condition) holds(ctx map[string]string) bool {
	v, present := lookup(ctx, c.Key)
	if c.Op == "Null" {
		// "Null": "true" holds when the key is missing.
		for _, want := range c.Values {
			if (want == "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		return c.IfExists || operators[c.Op]
	}
	switch c.Op {
	case "StringEquals":
		return c.any(func(w string) bool { return v == w })
	case "StringNotEquals":
		return !c.any(func(w string) bool { return v == w })
	case "StringEqualsIgnoreCase":
		return c.any(func(w string) bool { return strings.EqualFold(v, w) })
	case "StringNotEqualsIgnoreCase":
		return !c.any(func(w string) bool { return strings.EqualFold(v, w) })
	case "StringLike":
		return c.any(func(w string) bool { return match(w, v) })
	case "StringNotLike":
		return !c.any(func(w string) bool { return match(w, v) })
	case "Bool":
		return c.any(func(w string) bool { return strings.EqualFold(v, w) })
	case "IpAddress", "NotIpAddress":
		addr, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		addr = addr.Unmap().WithZone("")
		in := false
		for _, p := range c.prefixes {
			if p.Contains(addr) {
				in = true
				break
			}
		}
		return in == (c.Op == "IpAddress")
	}
	// Numeric operators.
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return false
	}
	cmp := func(w string) int {
		m, _ := strconv.ParseFloat(w, 64)
		switch {
		case n < m:
			return -1
		case n > m:
			return 1
		}
		return 0
	}
	switch c.Op {
	case "NumericEquals":
		return c.any(func(w string) bool { return cmp(w) == 0 })
	case "NumericNotEquals":
		return !c.any(func(w string) bool { return cmp(w) == 0 })
	case "NumericLessThan":
		return c.any(func(w string) bool { return cmp(w) < 0 })
	case "NumericLessThanEquals":
		return c.any(func(w string) bool { return cmp(w) <= 0 })
	case "NumericGreaterThan":
		return c.any(func(w string) bool { return cmp(w) > 0 })
	case "NumericGreaterThanEquals":
		return c.any(func(w string) bool { return cmp(w) >= 0 })
	}
	return false
}

func (c *Condition) any(f func(string) bool) bool {
	for _, w := range c.Values {
		if f(w) {
			return true
		}
	}
	return false
}

// lookup finds a condition key in ctx, whose keys may be in any case.
func lookup(ctx map[string]string, key string) (string, bool) {
	if v, ok := ctx[key]; ok {
		return v, true
	}
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

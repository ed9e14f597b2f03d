package policy

import (
	"net/netip"
	"strconv"
	"strings"
)

// holds evaluates the condition against a request's single-valued and
// multivalued condition keys. A single-valued key is a set of one value.
// Over a set of values, ForAllValues holds when every value passes (an
// empty or missing set too, as in AWS), ForAnyValue when one does; an
// unqualified operator holds when one value passes, or for a negated
// operator ("StringNotEquals") when every value does.
func (c *Condition) holds(req Request) bool {
	vals, present := req.lookup(c.Key)
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
		switch c.Set {
		case "ForAllValues":
			return true
		case "ForAnyValue":
			return c.IfExists
		}
		return c.IfExists || operators[c.Op]
	}
	every := c.Set == "ForAllValues" || c.Set == "" && operators[c.Op]
	for _, v := range vals {
		if c.test(v) != every {
			return !every
		}
	}
	return every
}

// test applies the operator to one request value.
func (c *Condition) test(v string) bool {
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
		return c.inNets(v) == (c.Op == "IpAddress")
	case "ArnEquals", "ArnLike":
		return c.any(func(w string) bool { return arnMatch(w, v) })
	case "ArnNotEquals", "ArnNotLike":
		return !c.any(func(w string) bool { return arnMatch(w, v) })
	}
	if strings.HasPrefix(c.Op, "Date") {
		return c.testDate(v)
	}
	return c.testNumber(v)
}

// inNets reports whether the address v is in one of the blocks.
func (c *Condition) inNets(v string) bool {
	addr, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range c.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// order is the comparison a numeric or date operator asks for, from the
// sign of request value minus condition value.
func order(op string, sign int) bool {
	switch strings.TrimPrefix(strings.TrimPrefix(op, "Numeric"), "Date") {
	case "Equals":
		return sign == 0
	case "LessThan":
		return sign < 0
	case "LessThanEquals":
		return sign <= 0
	case "GreaterThan":
		return sign > 0
	case "GreaterThanEquals":
		return sign >= 0
	}
	return false
}

// testNumber applies a Numeric operator; a value that is not a number
// passes none.
func (c *Condition) testNumber(v string) bool {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return false
	}
	negated := c.Op == "NumericNotEquals"
	op := c.Op
	if negated {
		op = "NumericEquals"
	}
	hit := c.any(func(w string) bool {
		m, _ := strconv.ParseFloat(w, 64)
		return order(op, cmpFloat(n, m))
	})
	return hit != negated
}

// testDate applies a Date operator; a value that is not a date passes
// none.
func (c *Condition) testDate(v string) bool {
	t, ok := parseDate(v)
	if !ok {
		return false
	}
	negated := c.Op == "DateNotEquals"
	op := c.Op
	if negated {
		op = "DateEquals"
	}
	hit := false
	for _, w := range c.times {
		if order(op, t.Compare(w)) {
			hit = true
			break
		}
	}
	return hit != negated
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (c *Condition) any(f func(string) bool) bool {
	for _, w := range c.Values {
		if f(w) {
			return true
		}
	}
	return false
}

// arnMatch compares an ARN with a pattern as the Arn operators do: each
// of the six colon-separated parts on its own, with * and ? wildcards
// that do not cross a colon ("*" alone matches any ARN).
func arnMatch(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	pp, ap := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return false
	}
	for i := range pp {
		if !match(pp[i], ap[i]) {
			return false
		}
	}
	return true
}

// lookup finds a condition key among the request's keys, its name in any
// case and a tag key after "/" exactly; present is false when the request
// has no such key.
func (r Request) lookup(key string) (vals []string, present bool) {
	for k, v := range r.Context {
		if sameKey(k, key) {
			return []string{v}, true
		}
	}
	for k, v := range r.Sets {
		if sameKey(k, key) {
			return v, true
		}
	}
	return nil, false
}

// sameKey compares condition key names case-insensitively, and the tag
// key after a "/" exactly.
func sameKey(a, b string) bool {
	an, at, af := strings.Cut(a, "/")
	bn, bt, bf := strings.Cut(b, "/")
	return af == bf && at == bt && strings.EqualFold(an, bn)
}

package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition is one test of a statement's Condition block: an operator
// applied to one condition key and its values (any value may match).
type Condition struct {
	// Op is the operator without its set qualifier and IfExists suffix,
	// e.g. "StringLike".
	Op string
	// Set is the set qualifier for multivalued keys: "", "ForAnyValue"
	// or "ForAllValues".
	Set string
	// IfExists makes the test hold when the key is missing.
	IfExists bool
	// Key is the condition key, its name lower-cased (key names are
	// case-insensitive) and a tag key after "/" kept as written (tag keys
	// are not).
	Key    string
	Values []string

	prefixes []netip.Prefix // IpAddress, NotIpAddress
	times    []time.Time    // Date operators
}

// conditionKeys lists the condition keys Hoard knows the value of;
// policies using others are refused rather than silently never matching.
// A key that is never present in a Hoard request (aws:SourceArn: no
// service calls Hoard) is known too: it is missing.
var conditionKeys = map[string]bool{
	"aws:sourceip":                    true,
	"aws:securetransport":             true,
	"aws:referer":                     true,
	"aws:useragent":                   true,
	"aws:principaltype":               true,
	"aws:currenttime":                 true,
	"aws:epochtime":                   true,
	"aws:sourcearn":                   true,
	"aws:principalarn":                true,
	"aws:username":                    true,
	"aws:userid":                      true,
	"s3:prefix":                       true,
	"s3:delimiter":                    true,
	"s3:max-keys":                     true,
	"s3:versionid":                    true,
	"s3:x-amz-copy-source":            true,
	"s3:x-amz-metadata-directive":     true,
	"s3:x-amz-acl":                    true,
	"s3:x-amz-grant-read":             true,
	"s3:x-amz-grant-write":            true,
	"s3:x-amz-grant-read-acp":         true,
	"s3:x-amz-grant-write-acp":        true,
	"s3:x-amz-grant-full-control":     true,
	"s3:x-amz-server-side-encryption": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
	"s3:requestobjecttagkeys":                        true,
	"s3:object-lock-mode":                            true,
	"s3:object-lock-retain-until-date":               true,
	"s3:object-lock-remaining-retention-days":        true,
	"s3:object-lock-legal-hold":                      true,
}

// tagKeyFamilies are the condition keys named after a tag key:
// "s3:ExistingObjectTag/<key>", "s3:RequestObjectTag/<key>".
var tagKeyFamilies = map[string]bool{"s3:existingobjecttag": true, "s3:requestobjecttag": true}

// operators maps each supported operator to whether it is negated (holds
// when the key is missing).
var operators = map[string]bool{
	"StringEquals": false, "StringNotEquals": true,
	"StringEqualsIgnoreCase": false, "StringNotEqualsIgnoreCase": true,
	"StringLike": false, "StringNotLike": true,
	"NumericEquals": false, "NumericNotEquals": true,
	"NumericLessThan": false, "NumericLessThanEquals": false,
	"NumericGreaterThan": false, "NumericGreaterThanEquals": false,
	"DateEquals": false, "DateNotEquals": true,
	"DateLessThan": false, "DateLessThanEquals": false,
	"DateGreaterThan": false, "DateGreaterThanEquals": false,
	"ArnEquals": false, "ArnLike": false, "ArnNotEquals": true, "ArnNotLike": true,
	"Bool":      false,
	"IpAddress": false, "NotIpAddress": true,
	"Null": false,
}

// normalKey lower-cases a condition key's name, keeping a tag key after
// the "/" of the tag key families as written; ok is false for a key
// Hoard does not know.
func normalKey(key string) (string, bool) {
	if name, tag, found := strings.Cut(key, "/"); found {
		name = strings.ToLower(name)
		return name + "/" + tag, tagKeyFamilies[name] && tag != ""
	}
	key = strings.ToLower(key)
	if claim, ok := strings.CutPrefix(key, "jwt:"); ok {
		// The claims of a web identity session's token (missing for
		// every other caller).
		return key, claim != ""
	}
	return key, conditionKeys[key]
}

func parseCondition(op, key string, values stringList) (Condition, error) {
	c := Condition{Op: op, Values: values}
	if set, base, ok := strings.Cut(op, ":"); ok {
		if set != "ForAnyValue" && set != "ForAllValues" {
			return c, malformed("Invalid condition operator qualifier: %s", op)
		}
		c.Set, c.Op = set, base
	}
	if base, ok := strings.CutSuffix(c.Op, "IfExists"); ok {
		if base == "Null" {
			return c, malformed("Null cannot be combined with IfExists")
		}
		c.Op, c.IfExists = base, true
	}
	if _, ok := operators[c.Op]; !ok {
		return c, &Error{Code: "NotImplemented", Message: "Hoard does not support the condition operator " + op + " in bucket policies."}
	}
	if c.Set != "" && c.Op == "Null" {
		return c, malformed("Null cannot be combined with %s", c.Set)
	}
	k, ok := normalKey(key)
	if !ok {
		return c, malformed("Policy has an invalid condition key: %s", key)
	}
	c.Key = k
	if len(values) == 0 {
		return c, malformed("Condition %s on %s has no values", op, key)
	}
	return c, c.parseValues(op)
}

// parseValues checks the values for the operator and keeps their parsed
// forms.
func (c *Condition) parseValues(op string) error {
	switch {
	case c.Op == "IpAddress" || c.Op == "NotIpAddress":
		for _, v := range c.Values {
			p, err := parseNet(v)
			if err != nil {
				return malformed("Invalid IP address or CIDR block in condition: %s", v)
			}
			c.prefixes = append(c.prefixes, p)
		}
	case c.Op == "Bool" || c.Op == "Null":
		for _, v := range c.Values {
			if v != "true" && v != "false" {
				return malformed("Condition %s wants true or false, not %s", op, v)
			}
		}
	case strings.HasPrefix(c.Op, "Numeric"):
		for _, v := range c.Values {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return malformed("Condition %s wants numbers, not %s", op, v)
			}
		}
	case strings.HasPrefix(c.Op, "Date"):
		for _, v := range c.Values {
			t, ok := parseDate(v)
			if !ok {
				return malformed("Condition %s wants dates (ISO 8601 or seconds since 1970), not %s", op, v)
			}
			c.times = append(c.times, t)
		}
	case strings.HasPrefix(c.Op, "Arn"):
		for _, v := range c.Values {
			if v != "*" && (len(strings.SplitN(v, ":", 6)) != 6 || !strings.HasPrefix(v, "arn:")) {
				return malformed("Condition %s wants ARNs, not %s", op, v)
			}
		}
	}
	return nil
}

// dateLayouts are the ISO 8601 forms a date condition value may take.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02",
}

// parseDate reads an ISO 8601 date or time (UTC when no zone is given)
// or a number of seconds since 1970.
func parseDate(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
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

package s3api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A POST policy is the base64 JSON document a browser-based upload form
// carries: an expiration and the conditions every form field must meet.
// This file parses it and checks a form against it, as S3 does.

// postCondition is one "eq" or "starts-with" condition of a POST policy.
type postCondition struct {
	// op is "eq" or "starts-with".
	op string
	// field is the lower-case form field name, without the '$'.
	field string
	value string
}

// String renders the condition as S3 quotes it in error messages.
func (c postCondition) String() string {
	return fmt.Sprintf("[%q, %q, %q]", c.op, "$"+c.field, c.value)
}

// postPolicy is a parsed POST policy document.
type postPolicy struct {
	expiration time.Time
	conditions []postCondition
	// hasLength says a content-length-range condition was given.
	hasLength            bool
	minLength, maxLength int64
}

// maxPostPolicy bounds the decoded policy document; the whole form before
// the file is bounded more tightly anyway.
const maxPostPolicy = 64 << 10

// invalidPolicy answers InvalidPolicyDocument with S3's "Invalid Policy"
// prefix.
func invalidPolicy(detail string) *APIError {
	return newError("InvalidPolicyDocument", "Invalid Policy: "+detail)
}

// policyDenied answers AccessDenied with S3's "Invalid according to
// Policy" prefix.
func policyDenied(detail string) *APIError {
	return newError("AccessDenied", "Invalid according to Policy: "+detail)
}

// parsePostPolicy decodes and parses a base64 POST policy. Every problem is
// an InvalidPolicyDocument error.
func parsePostPolicy(b64 string) (*postPolicy, error) {
	if base64.StdEncoding.DecodedLen(len(b64)) > maxPostPolicy {
		return nil, invalidPolicy("Policy document is too large.")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, invalidPolicy("Invalid base64 encoding.")
	}
	var doc struct {
		Expiration *json.RawMessage   `json:"expiration"`
		Conditions *[]json.RawMessage `json:"conditions"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		return nil, invalidPolicy("Invalid JSON.")
	}
	if dec.More() {
		return nil, invalidPolicy("Invalid JSON.")
	}
	p := &postPolicy{}
	if doc.Expiration == nil {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	var exp string
	if json.Unmarshal(*doc.Expiration, &exp) != nil {
		return nil, invalidPolicy("Invalid 'expiration' value: must be a string.")
	}
	if p.expiration, err = time.Parse(time.RFC3339Nano, exp); err != nil {
		return nil, invalidPolicy("Invalid 'expiration' value: '" + exp + "'")
	}
	if doc.Conditions == nil {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	for _, c := range *doc.Conditions {
		if err := p.addCondition(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addCondition parses one condition: an object of exact matches, or an
// array ["eq"|"starts-with", "$field", "value"] or
// ["content-length-range", min, max].
func (p *postPolicy) addCondition(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
			return invalidPolicy("Invalid Simple-Condition: " + string(raw))
		}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			var v string
			if json.Unmarshal(m[k], &v) != nil {
				return invalidPolicy("Invalid Simple-Condition: value of '" + k + "' must be a string.")
			}
			p.conditions = append(p.conditions, postCondition{op: "eq", field: strings.ToLower(strings.TrimPrefix(k, "$")), value: v})
		}
		return nil
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
		return invalidPolicy("Invalid condition: " + string(raw))
	}
	var op string
	if json.Unmarshal(arr[0], &op) != nil {
		return invalidPolicy("Invalid condition: " + string(raw))
	}
	op = strings.ToLower(op)
	switch op {
	case "eq", "starts-with":
		return p.addMatch(op, arr, raw)
	case "content-length-range":
		return p.addLengthRange(arr, raw)
	}
	return invalidPolicy("Invalid condition: unknown operation '" + op + "'")
}

func (p *postPolicy) addMatch(op string, arr []json.RawMessage, raw json.RawMessage) error {
	var field, value string
	if len(arr) != 3 || json.Unmarshal(arr[1], &field) != nil || json.Unmarshal(arr[2], &value) != nil {
		return invalidPolicy("Invalid '" + op + "' condition: " + string(raw))
	}
	name, ok := strings.CutPrefix(field, "$")
	if !ok || name == "" {
		return invalidPolicy("Invalid '" + op + "' condition: the field must start with '$': " + string(raw))
	}
	p.conditions = append(p.conditions, postCondition{op: op, field: strings.ToLower(name), value: value})
	return nil
}

func (p *postPolicy) addLengthRange(arr []json.RawMessage, raw json.RawMessage) error {
	bad := invalidPolicy("Invalid 'content-length-range' condition: " + string(raw))
	if len(arr) != 3 {
		return bad
	}
	lo, ok1 := policyInt(arr[1])
	hi, ok2 := policyInt(arr[2])
	if !ok1 || !ok2 || lo < 0 || hi < lo {
		return bad
	}
	if p.hasLength {
		// Several ranges must all hold: keep their intersection.
		lo, hi = max(lo, p.minLength), min(hi, p.maxLength)
	}
	p.hasLength, p.minLength, p.maxLength = true, lo, hi
	return nil
}

// policyInt reads a non-negative integer given as a JSON number (possibly
// written with an exponent, as some encoders do) or a decimal string.
func policyInt(raw json.RawMessage) (int64, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// postExempt reports whether a form field needs no condition: the
// signature, the file, the policy itself and x-ignore-* fields (and the
// SigV2 access key and signature).
func postExempt(lower string) bool {
	switch lower {
	case "x-amz-signature", "file", "policy", "awsaccesskeyid", "signature":
		return true
	}
	return strings.HasPrefix(lower, "x-ignore-")
}

// check verifies the form against the policy at now: not expired, every
// condition met, every non-exempt field covered by a condition. fields maps
// lower-case names to values; names lists the fields as sent; bucket is the
// request's bucket, which "bucket" conditions match.
func (p *postPolicy) check(fields map[string]string, names []string, bucket string, now time.Time) error {
	if !now.Before(p.expiration) {
		return policyDenied("Policy expired.")
	}
	covered := make(map[string]bool, len(p.conditions))
	for _, c := range p.conditions {
		covered[c.field] = true
		v := fields[c.field]
		if c.field == "bucket" {
			v = bucket
		}
		if !c.matches(v) {
			return policyDenied("Policy Condition failed: " + c.String())
		}
	}
	var extra []string
	for _, n := range names {
		l := strings.ToLower(n)
		if !covered[l] && !postExempt(l) {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		return policyDenied("Extra input fields: " + strings.Join(extra, ", "))
	}
	return nil
}

// matches reports whether v meets the condition. A starts-with condition
// on Content-Type applies to each value of a comma-separated list.
func (c postCondition) matches(v string) bool {
	if c.op == "eq" {
		return v == c.value
	}
	if c.field == "content-type" {
		for part := range strings.SplitSeq(v, ",") {
			if !strings.HasPrefix(strings.TrimSpace(part), c.value) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(v, c.value)
}

// checkLength enforces the content-length-range condition, if any, on the
// size of the file.
func (p *postPolicy) checkLength(size int64) error {
	if !p.hasLength {
		return nil
	}
	if size > p.maxLength {
		return newError("EntityTooLarge", fmt.Sprintf("Your proposed upload exceeds the maximum allowed size: %d bytes, at most %d allowed.", size, p.maxLength))
	}
	if size < p.minLength {
		return newError("EntityTooSmall", fmt.Sprintf("Your proposed upload is smaller than the minimum allowed size: %d bytes, at least %d required.", size, p.minLength))
	}
	return nil
}

package lifecycle

import (
	"fmt"
	"unicode/utf8"
)

// The bounds S3 puts on tags and on NewerNoncurrentVersions.
const (
	maxTagKey         = 128
	maxTagValue       = 256
	maxNewerVersions  = 100
	statusEnabled     = "Enabled"
	statusDisabled    = "Disabled"
	errTransitionText = "Hoard has no other storage tier to transition objects to: %s is not supported; use Expiration or NoncurrentVersionExpiration."
)

// Validate checks a configuration against S3's rules and returns the
// first violation as an *Error.
func (c *Config) Validate() error {
	if len(c.Rules) == 0 || len(c.Rules) > MaxRules || len(c.Unknown) > 0 {
		return malformed()
	}
	ids := make(map[string]bool, len(c.Rules))
	for i := range c.Rules {
		r := &c.Rules[i]
		if err := r.validate(); err != nil {
			return err
		}
		if r.ID == "" {
			continue
		}
		if ids[r.ID] {
			return invalidArg("Rule ID must be unique. Found same ID for more than one rule")
		}
		ids[r.ID] = true
	}
	return nil
}

// validate checks one rule.
func (r *Rule) validate() error {
	if len(r.ID) > maxIDLength {
		return invalidArg("ID length should not exceed allowed limit of %d", maxIDLength)
	}
	if r.Status != statusEnabled && r.Status != statusDisabled || r.hasUnknown() {
		return malformed()
	}
	if (r.Filter == nil) == (r.Prefix == nil) {
		return malformed() // exactly one of Filter and the legacy Prefix
	}
	if err := r.Filter.validate(); err != nil {
		return err
	}
	if len(r.Transitions) > 0 {
		return &Error{Code: "NotImplemented", Message: fmt.Sprintf(errTransitionText, "Transition")}
	}
	if len(r.NoncurrentTransitions) > 0 {
		return &Error{Code: "NotImplemented", Message: fmt.Sprintf(errTransitionText, "NoncurrentVersionTransition")}
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
		return invalidReq("At least one action needs to be specified in a rule")
	}
	if err := r.Expiration.validate(); err != nil {
		return err
	}
	if err := r.NoncurrentVersionExpiration.validate(); err != nil {
		return err
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil {
			return malformed()
		}
		if *a.DaysAfterInitiation <= 0 {
			return invalidArg("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if r.Filter.hasTags() {
			return invalidReq("AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
		if r.Filter.hasSize() {
			return invalidReq("AbortIncompleteMultipartUpload cannot be specified with an object size filter.")
		}
	}
	if e := r.Expiration; e != nil && e.ExpiredObjectDeleteMarker != nil && r.Filter.hasTags() {
		return invalidReq("ExpiredObjectDeleteMarker cannot be specified with Tags.")
	}
	return nil
}

// validate checks a filter: at most one predicate, or an And of several.
func (f *Filter) validate() error {
	if f == nil {
		return nil
	}
	n := 0
	for _, set := range []bool{f.Prefix != nil, f.Tag != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil, f.And != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return malformed()
	}
	if f.Tag != nil {
		if err := f.Tag.validate(); err != nil {
			return err
		}
	}
	if err := checkSizes(f.ObjectSizeGreaterThan, f.ObjectSizeLessThan); err != nil {
		return err
	}
	if a := f.And; a != nil {
		return a.validate()
	}
	return nil
}

// validate checks an And: two predicates at least, tag keys unique.
func (a *And) validate() error {
	n := len(a.Tags)
	for _, set := range []bool{a.Prefix != nil, a.ObjectSizeGreaterThan != nil, a.ObjectSizeLessThan != nil} {
		if set {
			n++
		}
	}
	if n < 2 {
		return malformed()
	}
	keys := make(map[string]bool, len(a.Tags))
	for i := range a.Tags {
		if err := a.Tags[i].validate(); err != nil {
			return err
		}
		if keys[a.Tags[i].Key] {
			return invalidReq("Duplicate Tag Keys are not allowed.")
		}
		keys[a.Tags[i].Key] = true
	}
	return checkSizes(a.ObjectSizeGreaterThan, a.ObjectSizeLessThan)
}

// checkSizes checks the object size bounds of a filter.
func checkSizes(gt, lt *int64) error {
	if gt != nil && *gt < 0 {
		return invalidArg("'ObjectSizeGreaterThan' must be a non-negative integer")
	}
	if lt != nil && *lt <= 0 {
		return invalidArg("'ObjectSizeLessThan' must be a positive integer")
	}
	if gt != nil && lt != nil && *gt >= *lt {
		return invalidArg("'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'")
	}
	return nil
}

// validate checks a tag as S3 checks object tags.
func (t *Tag) validate() error {
	if t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKey || !utf8.ValidString(t.Key) {
		return &Error{Code: "InvalidTag", Message: "The TagKey you have provided is invalid"}
	}
	if utf8.RuneCountInString(t.Value) > maxTagValue || !utf8.ValidString(t.Value) {
		return &Error{Code: "InvalidTag", Message: "The TagValue you have provided is invalid"}
	}
	return nil
}

// validate checks an Expiration: exactly one of Days, Date and
// ExpiredObjectDeleteMarker.
func (e *Expiration) validate() error {
	if e == nil {
		return nil
	}
	n := 0
	for _, set := range []bool{e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return malformed()
	}
	if e.Days != nil && *e.Days <= 0 {
		return invalidArg("'Days' for Expiration action must be a positive integer")
	}
	if d := e.Date; d != nil {
		if d.bad {
			return invalidArg("'Date' must be in ISO 8601 format")
		}
		u := d.UTC()
		if u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 || u.Nanosecond() != 0 {
			return invalidArg("'Date' must be at midnight GMT")
		}
	}
	return nil
}

// validate checks a NoncurrentVersionExpiration.
func (n *NoncurrentVersionExpiration) validate() error {
	if n == nil {
		return nil
	}
	if n.NoncurrentDays == nil || *n.NoncurrentDays <= 0 {
		return invalidArg("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
	}
	if v := n.NewerNoncurrentVersions; v != nil && (*v <= 0 || *v > maxNewerVersions) {
		return invalidArg("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to %d", maxNewerVersions)
	}
	return nil
}

// hasTags reports whether the filter tests object tags.
func (f *Filter) hasTags() bool {
	return f != nil && (f.Tag != nil || f.And != nil && len(f.And.Tags) > 0)
}

// hasSize reports whether the filter tests object sizes.
func (f *Filter) hasSize() bool {
	return f != nil && (f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil ||
		f.And != nil && (f.And.ObjectSizeGreaterThan != nil || f.And.ObjectSizeLessThan != nil))
}

// hasUnknown reports an element S3 does not define anywhere in the rule:
// a configuration that asks for something Hoard would not do is refused.
func (r *Rule) hasUnknown() bool {
	n := len(r.Unknown)
	if f := r.Filter; f != nil {
		n += len(f.Unknown)
		if f.And != nil {
			n += len(f.And.Unknown)
		}
	}
	if r.Expiration != nil {
		n += len(r.Expiration.Unknown)
	}
	if r.NoncurrentVersionExpiration != nil {
		n += len(r.NoncurrentVersionExpiration.Unknown)
	}
	if r.AbortIncompleteMultipartUpload != nil {
		n += len(r.AbortIncompleteMultipartUpload.Unknown)
	}
	return n > 0
}

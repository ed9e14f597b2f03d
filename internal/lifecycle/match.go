package lifecycle

import "strings"

// Object is what a filter looks at: the key, the size and the tags of
// one version.
type Object struct {
	Key  string
	Size int64
	Tags map[string]string
}

// Matches reports whether the rule is enabled and its filter selects o.
// Delete markers have no size and no tags: size predicates do not apply
// to them (isMarker), and a rule with tags never selects one.
func (r *Rule) Matches(o Object, isMarker bool) bool {
	if r.Status != statusEnabled {
		return false
	}
	if r.Prefix != nil {
		return strings.HasPrefix(o.Key, *r.Prefix)
	}
	return r.Filter.matches(o, isMarker)
}

// matches evaluates a filter; an empty filter selects everything.
func (f *Filter) matches(o Object, isMarker bool) bool {
	switch {
	case f == nil:
		return true
	case f.Prefix != nil:
		return strings.HasPrefix(o.Key, *f.Prefix)
	case f.Tag != nil:
		return !isMarker && hasTag(o.Tags, *f.Tag)
	case f.ObjectSizeGreaterThan != nil || f.ObjectSizeLessThan != nil:
		return isMarker || sizeWithin(o.Size, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan)
	case f.And != nil:
		a := f.And
		if a.Prefix != nil && !strings.HasPrefix(o.Key, *a.Prefix) {
			return false
		}
		for _, t := range a.Tags {
			if isMarker || !hasTag(o.Tags, t) {
				return false
			}
		}
		return isMarker || sizeWithin(o.Size, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan)
	}
	return true
}

// sizeWithin reports whether size is strictly between the bounds set.
func sizeWithin(size int64, gt, lt *int64) bool {
	return (gt == nil || size > *gt) && (lt == nil || size < *lt)
}

// hasTag reports whether tags hold t's key with t's value.
func hasTag(tags map[string]string, t Tag) bool {
	v, ok := tags[t.Key]
	return ok && v == t.Value
}

// prefixOf returns the prefix a rule's filter requires ("" for none).
func (r *Rule) prefixOf() string {
	switch {
	case r.Prefix != nil:
		return *r.Prefix
	case r.Filter == nil:
		return ""
	case r.Filter.Prefix != nil:
		return *r.Filter.Prefix
	case r.Filter.And != nil && r.Filter.And.Prefix != nil:
		return *r.Filter.And.Prefix
	}
	return ""
}

// HasTagFilters reports whether any enabled rule tests object tags, so
// a caller knows whether versions need their tags read.
func (c *Config) HasTagFilters() bool {
	for i := range c.Rules {
		if c.Rules[i].Status == statusEnabled && c.Rules[i].Filter.hasTags() {
			return true
		}
	}
	return false
}

package lifecycle

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"net/http"
	"time"
)

// Action is what a lifecycle rule does to a version or an upload.
type Action int

// The actions a rule can take.
const (
	// ActionNone: nothing is due.
	ActionNone Action = iota
	// ActionExpire expires a current version: the ordinary delete of the
	// key, which removes it in an unversioned bucket and adds a delete
	// marker in a versioned or suspended one.
	ActionExpire
	// ActionDeleteMarker removes an expired object delete marker: a
	// current delete marker that is the key's only version.
	ActionDeleteMarker
	// ActionDeleteNoncurrent permanently deletes a noncurrent version.
	ActionDeleteNoncurrent
	// ActionAbortUpload aborts an incomplete multipart upload.
	ActionAbortUpload
)

// String names the action as the status report does.
func (a Action) String() string {
	switch a {
	case ActionExpire:
		return "expire"
	case ActionDeleteMarker:
		return "delete-marker"
	case ActionDeleteNoncurrent:
		return "noncurrent"
	case ActionAbortUpload:
		return "abort-upload"
	}
	return "none"
}

// Version describes one version of a key as the decisions need it.
type Version struct {
	Object
	VersionID    string
	ModTime      time.Time
	IsLatest     bool
	DeleteMarker bool
	// Versions is how many versions the key holds; a current delete
	// marker alone (1) is an expired object delete marker.
	Versions int
	// NoncurrentSince is when a noncurrent version stopped being
	// current: the modification time of the version after it.
	NoncurrentSince time.Time
	// NewerNoncurrent counts the noncurrent versions newer than this one.
	NewerNoncurrent int
}

// Event is an action a rule schedules, and from when it is due.
type Event struct {
	Action Action
	RuleID string
	Due    time.Time
}

// DueBy reports whether the event is due at now.
func (e Event) DueBy(now time.Time) bool { return e.Action != ActionNone && !now.Before(e.Due) }

// Next returns the earliest action the enabled rules schedule for v, and
// false when no rule applies to it. A current version expires Days after
// its creation (rounded up to midnight) or on Date; a current delete
// marker that is the key's only version goes at once under
// ExpiredObjectDeleteMarker, or Days after it was made under an
// Expiration with Days; a noncurrent version goes NoncurrentDays after it
// became noncurrent, once NewerNoncurrentVersions newer noncurrent
// versions exist. Where rules overlap, the earliest wins.
func (c *Config) Next(v Version, cal Calendar) (Event, bool) {
	var best Event
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.Matches(v.Object, v.DeleteMarker) {
			continue
		}
		if ev, ok := r.next(v, cal); ok && (best.Action == ActionNone || ev.Due.Before(best.Due)) {
			best = ev
		}
	}
	return best, best.Action != ActionNone
}

// next is Next for one rule whose filter selects v.
func (r *Rule) next(v Version, cal Calendar) (Event, bool) {
	ev := Event{RuleID: r.ID}
	e, n := r.Expiration, r.NoncurrentVersionExpiration
	switch {
	case !v.IsLatest:
		if n == nil || n.NoncurrentDays == nil || n.NewerNoncurrentVersions != nil && v.NewerNoncurrent < *n.NewerNoncurrentVersions {
			return ev, false
		}
		ev.Action, ev.Due = ActionDeleteNoncurrent, cal.After(v.NoncurrentSince, *n.NoncurrentDays)
	case v.DeleteMarker:
		if e == nil || v.Versions != 1 {
			return ev, false
		}
		switch {
		case e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker:
			ev.Action, ev.Due = ActionDeleteMarker, v.ModTime
		case e.Days != nil:
			ev.Action, ev.Due = ActionDeleteMarker, cal.After(v.ModTime, *e.Days)
		default:
			return ev, false
		}
	default:
		switch {
		case e == nil:
			return ev, false
		case e.Days != nil:
			ev.Action, ev.Due = ActionExpire, cal.After(v.ModTime, *e.Days)
		case e.Date != nil:
			ev.Action, ev.Due = ActionExpire, e.Date.UTC()
		default:
			return ev, false
		}
	}
	return ev, true
}

// AbortDue returns when the rules abort an upload of key initiated at
// initiated, and false when none applies.
func (c *Config) AbortDue(key string, initiated time.Time, cal Calendar) (Event, bool) {
	var best Event
	for i := range c.Rules {
		r := &c.Rules[i]
		a := r.AbortIncompleteMultipartUpload
		if a == nil || a.DaysAfterInitiation == nil || !r.Matches(Object{Key: key}, false) {
			continue
		}
		due := cal.After(initiated, *a.DaysAfterInitiation)
		if best.Action == ActionNone || due.Before(best.Due) {
			best = Event{Action: ActionAbortUpload, RuleID: r.ID, Due: due}
		}
	}
	return best, best.Action != ActionNone
}

// ExpirationHeader is the value of S3's x-amz-expiration header for an
// expiration event: expiry-date="<HTTP date>", rule-id="<ID>".
func (e Event) ExpirationHeader() string {
	return fmt.Sprintf("expiry-date=%q, rule-id=%q", e.Due.UTC().Format(http.TimeFormat), e.RuleID)
}

// FillIDs gives every rule without an ID a random one, as S3 does when it
// stores a configuration.
func (c *Config) FillIDs() error {
	for i := range c.Rules {
		if c.Rules[i].ID != "" {
			continue
		}
		var b [15]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("lifecycle: rule id: %w", err)
		}
		c.Rules[i].ID = base32.StdEncoding.EncodeToString(b[:])
	}
	return nil
}

package objectlock

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// Retention modes and legal hold statuses, as S3 spells them.
const (
	Governance   = "GOVERNANCE"
	Compliance   = "COMPLIANCE"
	LegalHoldOn  = "ON"
	LegalHoldOff = "OFF"
)

// Bounds S3 puts on a default retention period.
const (
	MaxDays  = 36500
	MaxYears = 100
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// Config is a bucket's object lock configuration: object lock is enabled,
// and Mode, when set, is the default retention new versions get for Days
// or Years (exactly one of them is set).
type Config struct {
	Mode  string
	Days  int
	Years int
}

// configXML is the ObjectLockConfiguration document; pointers tell an
// absent element from an empty one.
type configXML struct {
	XMLName           xml.Name `xml:"ObjectLockConfiguration"`
	ObjectLockEnabled *string  `xml:"ObjectLockEnabled"`
	Rule              *struct {
		DefaultRetention *struct {
			Mode  *string `xml:"Mode"`
			Days  *string `xml:"Days"`
			Years *string `xml:"Years"`
		} `xml:"DefaultRetention"`
	} `xml:"Rule"`
}

// ParseConfig validates an ObjectLockConfiguration document as S3 does:
// MalformedXML for a document that does not say ObjectLockEnabled
// Enabled, a rule without a default retention, an unknown mode, or both
// or neither of Days and Years; InvalidArgument for a period that is not
// a positive integer within S3's bounds.
func ParseConfig(doc []byte) (Config, error) {
	var d configXML
	if err := xml.NewDecoder(bytes.NewReader(doc)).Decode(&d); err != nil {
		return Config{}, malformed("The XML you provided was not well-formed or did not validate against our published schema.")
	}
	if d.ObjectLockEnabled == nil || strings.TrimSpace(*d.ObjectLockEnabled) != "Enabled" {
		return Config{}, malformed("ObjectLockEnabled must be Enabled.")
	}
	if d.Rule == nil {
		return Config{}, nil
	}
	r := d.Rule.DefaultRetention
	if r == nil || r.Mode == nil {
		return Config{}, malformed("A Rule needs a DefaultRetention with a Mode.")
	}
	c := Config{Mode: strings.TrimSpace(*r.Mode)}
	if c.Mode != Governance && c.Mode != Compliance {
		return Config{}, malformed("Mode must be GOVERNANCE or COMPLIANCE.")
	}
	if (r.Days == nil) == (r.Years == nil) {
		return Config{}, malformed("A DefaultRetention needs exactly one of Days and Years.")
	}
	period, limit, n := r.Days, MaxDays, &c.Days
	if r.Years != nil {
		period, limit, n = r.Years, MaxYears, &c.Years
	}
	v, err := strconv.Atoi(strings.TrimSpace(*period))
	if err != nil {
		return Config{}, malformed("Days and Years must be integers.")
	}
	if v <= 0 {
		return Config{}, invalidArgument("Default retention period must be a positive integer value.")
	}
	if v > limit {
		return Config{}, invalidArgument("Default retention period is too large.")
	}
	*n = v
	return c, nil
}

// Marshal returns the configuration as S3's GetObjectLockConfiguration
// answers it (and as Hoard stores it).
func (c Config) Marshal() []byte {
	var b strings.Builder
	b.WriteString(`<ObjectLockConfiguration xmlns="` + s3NS + `"><ObjectLockEnabled>Enabled</ObjectLockEnabled>`)
	if c.Mode != "" {
		b.WriteString("<Rule><DefaultRetention><Mode>" + c.Mode + "</Mode>")
		if c.Years > 0 {
			b.WriteString("<Years>" + strconv.Itoa(c.Years) + "</Years>")
		} else {
			b.WriteString("<Days>" + strconv.Itoa(c.Days) + "</Days>")
		}
		b.WriteString("</DefaultRetention></Rule>")
	}
	b.WriteString("</ObjectLockConfiguration>")
	return []byte(b.String())
}

// DefaultRetention is the retention a version created at now gets from
// the configuration: zero when there is no default rule.
func (c Config) DefaultRetention(now time.Time) storage.ObjectLock {
	switch {
	case c.Mode == "":
		return storage.ObjectLock{}
	case c.Years > 0:
		return storage.ObjectLock{Mode: c.Mode, RetainUntil: now.UTC().AddDate(c.Years, 0, 0)}
	default:
		return storage.ObjectLock{Mode: c.Mode, RetainUntil: now.UTC().AddDate(0, 0, c.Days)}
	}
}

package objectlock

import (
	"bytes"
	"encoding/xml"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// Retention is one version's retention: Mode and Until are both set, or
// both zero (none).
type Retention struct {
	Mode  string
	Until time.Time
}

// IsZero reports whether r is no retention.
func (r Retention) IsZero() bool { return r.Mode == "" }

// active says the retention binds at now.
func (r Retention) active(now time.Time) bool { return r.Mode != "" && now.Before(r.Until) }

// RetentionOf returns the retention part of a version's lock state.
func RetentionOf(lk storage.ObjectLock) Retention {
	return Retention{Mode: lk.Mode, Until: lk.RetainUntil}
}

// ParseDate parses a retain-until date as S3 accepts it: ISO 8601 in
// UTC or with an offset, with or without fractional seconds.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// FormatDate formats a retain-until date as S3 answers it.
func FormatDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// retentionXML is the Retention document of Put/GetObjectRetention.
type retentionXML struct {
	XMLName         xml.Name `xml:"Retention"`
	Mode            *string  `xml:"Mode"`
	RetainUntilDate *string  `xml:"RetainUntilDate"`
}

// ParseRetention validates a Retention document: a mode and a date in the
// future (InvalidArgument otherwise), or neither (the removal of a
// retention); anything else is MalformedXML.
func ParseRetention(doc []byte, now time.Time) (Retention, error) {
	var d retentionXML
	if err := xml.NewDecoder(bytes.NewReader(doc)).Decode(&d); err != nil {
		return Retention{}, malformed("The XML you provided was not well-formed or did not validate against our published schema.")
	}
	if d.Mode == nil && d.RetainUntilDate == nil {
		return Retention{}, nil
	}
	if d.Mode == nil || d.RetainUntilDate == nil {
		return Retention{}, malformed("A Retention needs both Mode and RetainUntilDate, or neither.")
	}
	mode := strings.TrimSpace(*d.Mode)
	if mode != Governance && mode != Compliance {
		return Retention{}, malformed("Mode must be GOVERNANCE or COMPLIANCE.")
	}
	until, ok := ParseDate(*d.RetainUntilDate)
	if !ok {
		return Retention{}, malformed("RetainUntilDate must be an ISO 8601 date.")
	}
	if !until.After(now) {
		return Retention{}, invalidArgument("The retain until date must be in the future!")
	}
	return Retention{Mode: mode, Until: until}, nil
}

// MarshalRetention returns the Retention document GetObjectRetention answers.
func MarshalRetention(r Retention) []byte {
	return []byte(`<Retention xmlns="` + s3NS + `"><Mode>` + r.Mode + `</Mode><RetainUntilDate>` +
		FormatDate(r.Until) + `</RetainUntilDate></Retention>`)
}

// legalHoldXML is the LegalHold document of Put/GetObjectLegalHold.
type legalHoldXML struct {
	XMLName xml.Name `xml:"LegalHold"`
	Status  *string  `xml:"Status"`
}

// ParseLegalHold validates a LegalHold document: Status ON or OFF,
// MalformedXML otherwise.
func ParseLegalHold(doc []byte) (string, error) {
	var d legalHoldXML
	if err := xml.NewDecoder(bytes.NewReader(doc)).Decode(&d); err != nil || d.Status == nil {
		return "", malformed("The XML you provided was not well-formed or did not validate against our published schema.")
	}
	switch s := strings.TrimSpace(*d.Status); s {
	case LegalHoldOn, LegalHoldOff:
		return s, nil
	}
	return "", malformed("Status must be ON or OFF.")
}

// MarshalLegalHold returns the LegalHold document GetObjectLegalHold answers.
func MarshalLegalHold(status string) []byte {
	return []byte(`<LegalHold xmlns="` + s3NS + `"><Status>` + status + `</Status></LegalHold>`)
}

// ParseHeaders validates the x-amz-object-lock-* values of a write (mode,
// retain-until date, legal hold; "" when absent) as S3 does, and returns
// the lock state they ask for. Mode and date come together; the date
// lies in the future; the legal hold is ON or OFF. Every refusal is
// InvalidArgument.
func ParseHeaders(mode, until, legalHold string, now time.Time) (storage.ObjectLock, error) {
	var lk storage.ObjectLock
	if (mode == "") != (until == "") {
		return lk, invalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied.")
	}
	if mode != "" {
		if mode != Governance && mode != Compliance {
			return lk, invalidArgument("Unknown wormMode directive.")
		}
		t, ok := ParseDate(until)
		if !ok {
			return lk, invalidArgument("The retain until date must be provided in ISO 8601 format.")
		}
		if !t.After(now) {
			return lk, invalidArgument("The retain until date must be in the future!")
		}
		lk.Mode, lk.RetainUntil = mode, t
	}
	switch legalHold {
	case "", LegalHoldOn, LegalHoldOff:
		lk.LegalHold = legalHold
	default:
		return lk, invalidArgument("Legal Hold must be either of 'ON' or 'OFF'.")
	}
	return lk, nil
}

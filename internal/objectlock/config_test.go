package objectlock

import (
	"errors"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// code returns the S3 code of an objectlock error, "" for nil.
func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "?" + err.Error()
	}
	return ""
}

func TestParseConfig(t *testing.T) {
	const head = `<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
	rule := func(inner string) string {
		return head + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>` + inner + `</DefaultRetention></Rule></ObjectLockConfiguration>`
	}
	tests := []struct {
		name string
		doc  string
		want Config
		code string
	}{
		{"enabled only", head + `<ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`, Config{}, ""},
		{"governance days", rule(`<Mode>GOVERNANCE</Mode><Days>30</Days>`), Config{Mode: Governance, Days: 30}, ""},
		{"compliance years", rule(`<Mode>COMPLIANCE</Mode><Years>2</Years>`), Config{Mode: Compliance, Years: 2}, ""},
		{"not xml", `nope`, Config{}, "MalformedXML"},
		{"no enabled", head + `</ObjectLockConfiguration>`, Config{}, "MalformedXML"},
		{"disabled", head + `<ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>`, Config{}, "MalformedXML"},
		{"rule without retention", head + `<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule></Rule></ObjectLockConfiguration>`, Config{}, "MalformedXML"},
		{"no mode", rule(`<Days>1</Days>`), Config{}, "MalformedXML"},
		{"bad mode", rule(`<Mode>STRICT</Mode><Days>1</Days>`), Config{}, "MalformedXML"},
		{"days and years", rule(`<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>`), Config{}, "MalformedXML"},
		{"no period", rule(`<Mode>GOVERNANCE</Mode>`), Config{}, "MalformedXML"},
		{"days not a number", rule(`<Mode>GOVERNANCE</Mode><Days>x</Days>`), Config{}, "MalformedXML"},
		{"zero days", rule(`<Mode>GOVERNANCE</Mode><Days>0</Days>`), Config{}, "InvalidArgument"},
		{"negative years", rule(`<Mode>GOVERNANCE</Mode><Years>-1</Years>`), Config{}, "InvalidArgument"},
		{"too many days", rule(`<Mode>GOVERNANCE</Mode><Days>36501</Days>`), Config{}, "InvalidArgument"},
		{"too many years", rule(`<Mode>COMPLIANCE</Mode><Years>101</Years>`), Config{}, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tt.doc))
			if code(err) != tt.code || got != tt.want {
				t.Fatalf("ParseConfig: got %+v, %q; want %+v, %q", got, code(err), tt.want, tt.code)
			}
			if err != nil {
				return
			}
			again, err := ParseConfig(got.Marshal())
			if err != nil || again != got {
				t.Errorf("Marshal round trip: got %+v, %v; want %+v", again, err, got)
			}
		})
	}
}

func TestDefaultRetention(t *testing.T) {
	tests := []struct {
		c    Config
		want storage.ObjectLock
	}{
		{Config{}, storage.ObjectLock{}},
		{Config{Mode: Governance, Days: 2}, storage.ObjectLock{Mode: Governance, RetainUntil: now.Add(48 * time.Hour)}},
		{Config{Mode: Compliance, Years: 1}, storage.ObjectLock{Mode: Compliance, RetainUntil: time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		if got := tt.c.DefaultRetention(now); got != tt.want {
			t.Errorf("DefaultRetention(%+v): got %+v, want %+v", tt.c, got, tt.want)
		}
	}
}

func TestParseRetention(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Retention
		code string
	}{
		{"governance", `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2026-06-02T12:00:00Z</RetainUntilDate></Retention>`, Retention{Governance, future}, ""},
		{"millis and offset", `<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2026-06-02T14:00:00.000+02:00</RetainUntilDate></Retention>`, Retention{Compliance, future}, ""},
		{"empty: removal", `<Retention></Retention>`, Retention{}, ""},
		{"mode only", `<Retention><Mode>GOVERNANCE</Mode></Retention>`, Retention{}, "MalformedXML"},
		{"date only", `<Retention><RetainUntilDate>2026-06-02T12:00:00Z</RetainUntilDate></Retention>`, Retention{}, "MalformedXML"},
		{"bad mode", `<Retention><Mode>x</Mode><RetainUntilDate>2026-06-02T12:00:00Z</RetainUntilDate></Retention>`, Retention{}, "MalformedXML"},
		{"bad date", `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate></Retention>`, Retention{}, "MalformedXML"},
		{"past date", `<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2020-01-01T00:00:00Z</RetainUntilDate></Retention>`, Retention{}, "InvalidArgument"},
		{"not xml", `<Retention>`, Retention{}, "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRetention([]byte(tt.doc), now)
			if code(err) != tt.code || !got.Until.Equal(tt.want.Until) || got.Mode != tt.want.Mode {
				t.Errorf("ParseRetention: got %+v, %q; want %+v, %q", got, code(err), tt.want, tt.code)
			}
		})
	}
	r, err := ParseRetention(MarshalRetention(Retention{Governance, future}), now)
	if err != nil || r.Mode != Governance || !r.Until.Equal(future) {
		t.Errorf("MarshalRetention round trip: got %+v, %v", r, err)
	}
}

func TestParseLegalHold(t *testing.T) {
	tests := []struct {
		doc, want, code string
	}{
		{`<LegalHold><Status>ON</Status></LegalHold>`, LegalHoldOn, ""},
		{`<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>OFF</Status></LegalHold>`, LegalHoldOff, ""},
		{`<LegalHold><Status>on</Status></LegalHold>`, "", "MalformedXML"},
		{`<LegalHold></LegalHold>`, "", "MalformedXML"},
		{`garbage`, "", "MalformedXML"},
	}
	for _, tt := range tests {
		got, err := ParseLegalHold([]byte(tt.doc))
		if got != tt.want || code(err) != tt.code {
			t.Errorf("ParseLegalHold(%s): got %q, %q; want %q, %q", tt.doc, got, code(err), tt.want, tt.code)
		}
	}
	if got, err := ParseLegalHold(MarshalLegalHold(LegalHoldOn)); got != LegalHoldOn || err != nil {
		t.Errorf("MarshalLegalHold round trip: got %q, %v", got, err)
	}
}

func TestParseHeaders(t *testing.T) {
	tests := []struct {
		name               string
		mode, until, legal string
		want               storage.ObjectLock
		code               string
	}{
		{"none", "", "", "", storage.ObjectLock{}, ""},
		{"retention", "GOVERNANCE", "2026-06-02T12:00:00Z", "", storage.ObjectLock{Mode: Governance, RetainUntil: future}, ""},
		{"legal hold", "", "", "ON", storage.ObjectLock{LegalHold: LegalHoldOn}, ""},
		{"both", "COMPLIANCE", "2026-06-02T12:00:00.000Z", "OFF", storage.ObjectLock{Mode: Compliance, RetainUntil: future, LegalHold: LegalHoldOff}, ""},
		{"mode without date", "GOVERNANCE", "", "", storage.ObjectLock{}, "InvalidArgument"},
		{"date without mode", "", "2026-06-02T12:00:00Z", "", storage.ObjectLock{}, "InvalidArgument"},
		{"bad mode", "governance", "2026-06-02T12:00:00Z", "", storage.ObjectLock{}, "InvalidArgument"},
		{"bad date", "GOVERNANCE", "June 2", "", storage.ObjectLock{}, "InvalidArgument"},
		{"past date", "GOVERNANCE", "2026-06-01T11:59:59Z", "", storage.ObjectLock{}, "InvalidArgument"},
		{"bad legal hold", "", "", "YES", storage.ObjectLock{}, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeaders(tt.mode, tt.until, tt.legal, now)
			if code(err) != tt.code || (err == nil && got != tt.want) {
				t.Errorf("ParseHeaders: got %+v, %q; want %+v, %q", got, code(err), tt.want, tt.code)
			}
		})
	}
}

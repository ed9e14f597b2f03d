package lifecycle

import (
	"testing"
	"time"
)

func mustParse(t *testing.T, rules ...string) *Config {
	t.Helper()
	c, err := Parse([]byte(doc(rules...)))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCalendarAfter(t *testing.T) {
	cases := []struct {
		name string
		cal  Calendar
		from string
		days int
		want string
	}{
		// The S3 user guide: created 1/15/2014 10:30 UTC, 3 days: expires
		// at 1/19/2014 00:00 UTC (1/18 10:30 rounded up to midnight).
		{"aws example", Calendar{}, "2014-01-15T10:30:00Z", 3, "2014-01-19T00:00:00Z"},
		{"already midnight", Calendar{}, "2014-01-15T00:00:00Z", 1, "2014-01-16T00:00:00Z"},
		{"other zone", Calendar{}, "2014-01-15T23:30:00-02:00", 1, "2014-01-18T00:00:00Z"},
		{"one second days", Calendar{DayLength: time.Second}, "2014-01-15T10:30:00.5Z", 2, "2014-01-15T10:30:03Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.After(ts(tc.from), tc.days); !got.Equal(ts(tc.want)) {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}

func TestNext(t *testing.T) {
	created := ts("2014-01-15T10:30:00Z")
	c := mustParse(t,
		`<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>`,
		`<Rule><ID>logs-early</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>tmp</Key><Value>1</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>off</ID><Filter/><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>big</ID><Filter><ObjectSizeGreaterThan>1000</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Date>2020-01-01T00:00:00Z</Date></Expiration></Rule>`,
		`<Rule><ID>old</ID><Filter><Prefix>v/</Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`,
		`<Rule><ID>dm</ID><Filter><Prefix>d/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>5</Days></Expiration></Rule>`,
	)
	cur := func(key string, size int64, tags map[string]string) Version {
		return Version{Object: Object{Key: key, Size: size, Tags: tags}, ModTime: created, IsLatest: true, Versions: 1}
	}
	nonc := func(key string, newer int) Version {
		return Version{Object: Object{Key: key}, ModTime: created, NoncurrentSince: ts("2014-02-01T08:00:00Z"), NewerNoncurrent: newer, Versions: 5}
	}
	marker := func(key string, versions int) Version {
		return Version{Object: Object{Key: key}, ModTime: created, IsLatest: true, DeleteMarker: true, Versions: versions}
	}
	cases := []struct {
		name   string
		v      Version
		action Action
		rule   string
		due    string
	}{
		{"prefix days", cur("logs/a", 10, nil), ActionExpire, "logs", "2014-01-19T00:00:00Z"},
		{"earliest of overlapping rules", cur("logs/a", 10, map[string]string{"tmp": "1"}), ActionExpire, "logs-early", "2014-01-17T00:00:00Z"},
		{"tag value differs", cur("logs/a", 10, map[string]string{"tmp": "2"}), ActionExpire, "logs", "2014-01-19T00:00:00Z"},
		{"no rule", cur("other", 10, nil), ActionNone, "", ""},
		{"size greater", cur("other", 1001, nil), ActionExpire, "big", "2020-01-01T00:00:00Z"},
		{"size equal is not greater", cur("other", 1000, nil), ActionNone, "", ""},
		{"noncurrent kept by newer", nonc("v/a", 1), ActionNone, "", ""},
		{"noncurrent beyond newer", nonc("v/a", 2), ActionDeleteNoncurrent, "old", "2014-03-04T00:00:00Z"},
		{"marker alone", marker("v/a", 1), ActionDeleteMarker, "old", "2014-01-15T10:30:00Z"},
		{"marker with versions", marker("v/a", 2), ActionNone, "", ""},
		{"marker alone, days", marker("d/a", 1), ActionDeleteMarker, "dm", "2014-01-21T00:00:00Z"},
		{"marker not under date", marker("other", 1), ActionNone, "", ""},
		{"current under marker-only rule", cur("v/a", 1, nil), ActionNone, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, ok := c.Next(tc.v, Calendar{})
			if ok != (tc.action != ActionNone) || ev.Action != tc.action {
				t.Fatalf("got %v (%v), want %v", ev.Action, ok, tc.action)
			}
			if !ok {
				return
			}
			if ev.RuleID != tc.rule || !ev.Due.Equal(ts(tc.due)) {
				t.Errorf("got rule %q due %v, want %q due %s", ev.RuleID, ev.Due, tc.rule, tc.due)
			}
			if ev.DueBy(ev.Due.Add(-time.Nanosecond)) || !ev.DueBy(ev.Due) {
				t.Errorf("DueBy wrong around %v", ev.Due)
			}
		})
	}
}

func TestAbortDueAndHeader(t *testing.T) {
	c := mustParse(t,
		`<Rule><ID>slow</ID><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
		`<Rule><ID>fast</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
	)
	init := ts("2024-03-01T12:00:00Z")
	ev, ok := c.AbortDue("tmp/x", init, Calendar{})
	if !ok || ev.RuleID != "fast" || !ev.Due.Equal(ts("2024-03-03T00:00:00Z")) {
		t.Errorf("tmp/x: got %+v %v", ev, ok)
	}
	ev, ok = c.AbortDue("x", init, Calendar{})
	if !ok || ev.RuleID != "slow" || !ev.Due.Equal(ts("2024-03-09T00:00:00Z")) {
		t.Errorf("x: got %+v %v", ev, ok)
	}
	want := `expiry-date="Sat, 09 Mar 2024 00:00:00 GMT", rule-id="slow"`
	if got := ev.ExpirationHeader(); got != want {
		t.Errorf("header: got %s, want %s", got, want)
	}
}

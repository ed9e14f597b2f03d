package lifecycle

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// rule wraps rule elements in a configuration document.
func doc(rules ...string) string {
	return `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(rules, "") + `</LifecycleConfiguration>`
}

func TestParseValid(t *testing.T) {
	cases := map[string]string{
		// The examples of the S3 user guide, "Examples of S3 Lifecycle configurations".
		"empty filter":        `<Rule><ID>r</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>365</Days></Expiration></Rule>`,
		"prefix filter":       `<Rule><ID>r</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>365</Days></Expiration></Rule>`,
		"legacy prefix":       `<Rule><ID>r</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		"tag filter":          `<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		"and prefix and tags": `<Rule><Filter><And><Prefix>tax/</Prefix><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		"and sizes":           `<Rule><Filter><And><Prefix>p</Prefix><ObjectSizeGreaterThan>500</ObjectSizeGreaterThan><ObjectSizeLessThan>64000</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		"size only":           `<Rule><Filter><ObjectSizeGreaterThan>500</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		"date":                `<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>`,
		"date only day":       `<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration></Rule>`,
		"delete marker":       `<Rule><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`,
		"newer noncurrent":    `<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`,
		"abort uploads":       `<Rule><Filter><Prefix></Prefix></Filter><Status>Disabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
		"two rules":           `<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><ID>b</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>`,
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Parse([]byte(doc(r)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			// What Marshal writes parses back to the same document.
			out, err := c.Marshal("http://s3.amazonaws.com/doc/2006-03-01/")
			if err != nil {
				t.Fatal(err)
			}
			c2, err := Parse(out)
			if err != nil {
				t.Fatalf("re-parse of %s: %v", out, err)
			}
			out2, _ := c2.Marshal("http://s3.amazonaws.com/doc/2006-03-01/")
			if string(out) != string(out2) {
				t.Errorf("round trip differs:\n%s\n%s", out, out2)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	many := make([]string, MaxRules+1)
	for i := range many {
		many[i] = fmt.Sprintf(`<Rule><ID>r%d</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, i)
	}
	exp := `<Status>Enabled</Status><Expiration><Days>1</Days></Expiration>`
	cases := []struct {
		name, doc, code string
	}{
		{"not xml", "<Lifecycle", "MalformedXML"},
		{"no rules", doc(), "MalformedXML"},
		{"too many rules", doc(many...), "MalformedXML"},
		{"trailing element", doc(`<Rule><Filter/>`+exp+`</Rule>`) + "<x/>", "MalformedXML"},
		{"bad status", doc(`<Rule><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>`), "MalformedXML"},
		{"no filter nor prefix", doc(`<Rule>` + exp + `</Rule>`), "MalformedXML"},
		{"filter and prefix", doc(`<Rule><Prefix>a</Prefix><Filter/>` + exp + `</Rule>`), "MalformedXML"},
		{"two predicates", doc(`<Rule><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>` + exp + `</Rule>`), "MalformedXML"},
		{"and of one", doc(`<Rule><Filter><And><Prefix>a</Prefix></And></Filter>` + exp + `</Rule>`), "MalformedXML"},
		{"duplicate tag keys", doc(`<Rule><Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>` + exp + `</Rule>`), "InvalidRequest"},
		{"empty tag key", doc(`<Rule><Filter><Tag><Key></Key><Value>v</Value></Tag></Filter>` + exp + `</Rule>`), "InvalidTag"},
		{"sizes crossed", doc(`<Rule><Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>` + exp + `</Rule>`), "InvalidArgument"},
		{"no action", doc(`<Rule><Filter/><Status>Enabled</Status></Rule>`), "InvalidRequest"},
		{"zero days", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>`), "InvalidArgument"},
		{"negative days", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>-3</Days></Expiration></Rule>`), "InvalidArgument"},
		{"days not a number", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>x</Days></Expiration></Rule>`), "MalformedXML"},
		{"days and date", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>`), "MalformedXML"},
		{"marker and days", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`), "MalformedXML"},
		{"empty expiration", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration></Expiration></Rule>`), "MalformedXML"},
		{"date not midnight", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>`), "InvalidArgument"},
		{"date not a date", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>tomorrow</Date></Expiration></Rule>`), "InvalidArgument"},
		{"marker with tags", doc(`<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`), "InvalidRequest"},
		{"noncurrent zero", doc(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule>`), "InvalidArgument"},
		{"noncurrent without days", doc(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`), "InvalidArgument"},
		{"newer too many", doc(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`), "InvalidArgument"},
		{"abort zero", doc(`<Rule><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`), "InvalidArgument"},
		{"abort with tags", doc(`<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`), "InvalidRequest"},
		{"abort with size", doc(`<Rule><Filter><ObjectSizeLessThan>9</ObjectSizeLessThan></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`), "InvalidRequest"},
		{"id too long", doc(`<Rule><ID>` + strings.Repeat("x", 256) + `</ID><Filter/>` + exp + `</Rule>`), "InvalidArgument"},
		{"duplicate ids", doc(`<Rule><ID>a</ID><Filter/>`+exp+`</Rule>`, `<Rule><ID>a</ID><Filter/>`+exp+`</Rule>`), "InvalidArgument"},
		{"unknown element", doc(`<Rule><Filter/>` + exp + `<DelMarkerExpiration><Days>1</Days></DelMarkerExpiration></Rule>`), "MalformedXML"},
		{"unknown in expiration", doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectAllVersions>true</ExpiredObjectAllVersions></Expiration></Rule>`), "MalformedXML"},
		{"unknown in filter", doc(`<Rule><Filter><Prefix>a</Prefix><Suffix>b</Suffix></Filter>` + exp + `</Rule>`), "MalformedXML"},
		{"transition", doc(`<Rule><Filter/>` + exp + `<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>`), "NotImplemented"},
		{"noncurrent transition", doc(`<Rule><Filter/>` + exp + `<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition></Rule>`), "NotImplemented"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse: got %v, want an *Error %s", err, tc.code)
			}
			if e.Code != tc.code {
				t.Errorf("got %s (%s), want %s", e.Code, e.Message, tc.code)
			}
		})
	}
}

func TestFillIDs(t *testing.T) {
	c, err := Parse([]byte(doc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`, `<Rule><ID>kept</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.FillIDs(); err != nil {
		t.Fatal(err)
	}
	if c.Rules[0].ID == "" || c.Rules[1].ID != "kept" {
		t.Errorf("got IDs %q, %q; want a generated one and kept", c.Rules[0].ID, c.Rules[1].ID)
	}
}

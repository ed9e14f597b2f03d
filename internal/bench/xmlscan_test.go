package bench

import (
	"encoding/xml"
	"fmt"
	"testing"
)

// listXML renders a ListBucketResult the way S3 servers do.
func listXML(keys []string, truncated bool, token string) []byte {
	type contents struct {
		Key  string
		Size int64
		ETag string
	}
	type result struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		Name                  string
		IsTruncated           bool
		NextContinuationToken string `xml:",omitempty"`
		Contents              []contents
	}
	r := result{Name: "b", IsTruncated: truncated, NextContinuationToken: token}
	for _, k := range keys {
		r.Contents = append(r.Contents, contents{Key: k, Size: 1, ETag: `"e"`})
	}
	b, err := xml.Marshal(r)
	if err != nil {
		panic(err)
	}
	return append([]byte(xml.Header), b...)
}

func TestScanListPage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		keys      []string
		truncated bool
		token     string
	}{
		{"empty", nil, false, ""},
		{"plain", []string{"a/p000000001", "a/p000000002"}, true, "dG9rZW4="},
		{"escaped", []string{"x<y>&'\"", "tab\tkey", "ünï"}, true, "a&b<c"},
		{"looks like markup", []string{"<Contents><Key>", "</Key>"}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := listXML(c.keys, c.truncated, c.token)
			p := scanListPage(b)
			last := ""
			if len(c.keys) > 0 {
				last = c.keys[len(c.keys)-1]
			}
			if p.keys != len(c.keys) || p.lastKey != last || p.truncated != c.truncated || p.next != c.token {
				t.Errorf("got %+v, want %d keys, last %q, truncated %v, token %q", p, len(c.keys), last, c.truncated, c.token)
			}
			if got := scanKeys(nil, b); fmt.Sprint(got) != fmt.Sprint(c.keys) && len(c.keys) > 0 {
				t.Errorf("got keys %q, want %q", got, c.keys)
			}
		})
	}
}

func TestXMLUnescape(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"plain":                "plain",
		"a&amp;b":              "a&b",
		"&lt;&gt;&apos;&quot;": "<>'\"",
		"&#65;&#x42;":          "AB",
		"&bogus;":              "&bogus;",
		"dangling &amp":        "dangling &amp",
		"&#xD800;":             "&#xD800;",
	}
	for in, want := range cases {
		if got := xmlUnescape([]byte(in)); got != want {
			t.Errorf("xmlUnescape(%q): got %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"a<b>&c'd\"e\rf", "ordinary"} {
		var v struct {
			X string `xml:"x"`
		}
		doc := "<r><x>" + xmlEscape(s) + "</x></r>"
		if err := xml.Unmarshal([]byte(doc), &v); err != nil || v.X != s {
			t.Errorf("xmlEscape(%q) reads back as %q, %v", s, v.X, err)
		}
		if got := xmlUnescape([]byte(xmlEscape(s))); got != s {
			t.Errorf("round trip of %q: got %q", s, got)
		}
	}
}

func BenchmarkScanListPage(b *testing.B) {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("bench-0123abcd/p%09d", i)
	}
	doc := listXML(keys, true, "bmV4dA==")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if p := scanListPage(doc); p.keys != 1000 {
			b.Fatalf("got %d keys", p.keys)
		}
	}
}

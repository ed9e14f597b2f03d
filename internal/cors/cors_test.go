package cors

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	rule := func(body string) string {
		return `<CORSConfiguration><CORSRule>` + body + `</CORSRule></CORSConfiguration>`
	}
	tests := []struct {
		name string
		doc  string
		code string // "" when valid
	}{
		{"minimal", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`), ""},
		{"namespace", `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><AllowedOrigin>https://a.example</AllowedOrigin><AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>`, ""},
		{"full", rule(`<ID>r1</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedOrigin>https://*.example.com</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>`), ""},
		{"not xml", `nope`, "MalformedXML"},
		{"empty", `<CORSConfiguration></CORSConfiguration>`, "MalformedXML"},
		{"wrong root", `<LifecycleConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></LifecycleConfiguration>`, "MalformedXML"},
		{"trailing element", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`) + `<x/>`, "MalformedXML"},
		{"no method", rule(`<AllowedOrigin>*</AllowedOrigin>`), "MalformedXML"},
		{"no origin", rule(`<AllowedMethod>GET</AllowedMethod>`), "MalformedXML"},
		{"bad method", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>`), "InvalidRequest"},
		{"lower-case method", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod>`), "InvalidRequest"},
		{"two wildcards in origin", rule(`<AllowedOrigin>https://*.*.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`), "InvalidRequest"},
		{"two wildcards in header", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*-*</AllowedHeader>`), "InvalidRequest"},
		{"wildcard expose header", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>*</ExposeHeader>`), "InvalidRequest"},
		{"negative max age", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds>`), "MalformedXML"},
		{"max age not a number", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>ten</MaxAgeSeconds>`), "MalformedXML"},
		{"long id", rule(`<ID>` + strings.Repeat("i", 256) + `</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>`), "InvalidRequest"},
		{"too many rules", `<CORSConfiguration>` + strings.Repeat(`<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>`, MaxRules+1) + `</CORSConfiguration>`, "MalformedXML"},
		{"too large", rule(`<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ID>` + strings.Repeat(" ", MaxSize) + `</ID>`), "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc))
			if tt.code == "" {
				if err != nil || c == nil {
					t.Fatalf("Parse = %v, %v; want a configuration", c, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("Parse error = %v; want code %s", err, tt.code)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	doc := `<CORSConfiguration><CORSRule><ID>r1</ID><AllowedHeader>Content-Type</AllowedHeader><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://app.example</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>0</MaxAgeSeconds></CORSRule></CORSConfiguration>`
	c, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Marshal("http://s3.amazonaws.com/doc/2006-03-01/")
	if err != nil {
		t.Fatal(err)
	}
	want := `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>r1</ID><AllowedHeader>Content-Type</AllowedHeader><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://app.example</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>0</MaxAgeSeconds></CORSRule></CORSConfiguration>`
	if got := strings.TrimPrefix(string(out), `<?xml version="1.0" encoding="UTF-8"?>`+"\n"); got != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", got, want)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Rules) != 1 || again.Rules[0].MaxAgeSeconds == nil || *again.Rules[0].MaxAgeSeconds != 0 {
		t.Fatalf("round trip lost MaxAgeSeconds: %+v", again.Rules)
	}
}

func TestMatch(t *testing.T) {
	c, err := Parse([]byte(`<CORSConfiguration>
<CORSRule><ID>upload</ID><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>Content-*</AllowedHeader><AllowedHeader>x-amz-meta-owner</AllowedHeader></CORSRule>
<CORSRule><ID>sub</ID><AllowedOrigin>https://*.example.org</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>
<CORSRule><ID>read</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule>
</CORSConfiguration>`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin, method string
		headers        []string
		want           string // rule ID, "" for none
	}{
		{"https://app.example.com", "PUT", nil, "upload"},
		{"https://app.example.com", "PUT", []string{"content-type", "X-Amz-Meta-Owner"}, "upload"},
		{"https://app.example.com", "PUT", []string{"content-type", "x-amz-acl"}, ""},
		{"https://app.example.com", "DELETE", nil, ""},
		{"https://APP.example.com", "PUT", nil, ""},
		{"https://a.b.example.org", "GET", nil, "sub"},
		{"https://example.org", "GET", nil, "read"},
		{"https://a.example.org", "GET", []string{"range"}, "read"},
		{"http://anything", "HEAD", []string{"authorization"}, "read"},
		{"http://anything", "POST", nil, ""},
	}
	for _, tt := range tests {
		got := ""
		if r := c.Match(tt.origin, tt.method, tt.headers); r != nil {
			got = r.ID
		}
		if got != tt.want {
			t.Errorf("Match(%q, %s, %q) = rule %q; want %q", tt.origin, tt.method, tt.headers, got, tt.want)
		}
	}
}

func TestSetHeaders(t *testing.T) {
	age := 600
	r := Rule{AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "PUT"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: &age}
	h := http.Header{}
	r.SetHeaders(h, "https://app.example", true, []string{"Content-Type", "X-Amz-Date"})
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://app.example",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "GET, PUT",
		"Access-Control-Expose-Headers":    "ETag, x-amz-request-id",
		"Access-Control-Max-Age":           "600",
		"Access-Control-Allow-Headers":     "content-type, x-amz-date",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q; want %q", k, got, v)
		}
	}

	wild := Rule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}
	h = http.Header{}
	wild.SetHeaders(h, "https://x.example", false, []string{"ignored"})
	if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" || h.Get("Access-Control-Allow-Headers") != "" || h.Get("Access-Control-Max-Age") != "" {
		t.Errorf("wildcard rule headers = %v", h)
	}
}

func TestRequestHeaders(t *testing.T) {
	got := RequestHeaders(" content-type ,x-amz-date,, authorization")
	want := []string{"content-type", "x-amz-date", "authorization"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("RequestHeaders = %q; want %q", got, want)
	}
	if RequestHeaders("") != nil {
		t.Fatal("RequestHeaders(\"\") not empty")
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "a", true},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"https://*.example", "https://.example", true},
		{"https://*.example", "http://x.example", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v; want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

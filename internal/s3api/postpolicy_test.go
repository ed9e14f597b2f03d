package s3api

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParsePostPolicy(t *testing.T) {
	tests := []struct {
		name, doc string
		wantCode  string // "" for success
		wantMsg   string
		conds     int
		lo, hi    int64
	}{
		{name: "aws example", doc: `{ "expiration": "2007-12-01T12:00:00.000Z",
			"conditions": [{"acl": "public-read" }, {"bucket": "johnsmith" }, ["starts-with", "$key", "user/eric/"]]}`, conds: 3},
		{name: "eq and range", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key","a"],["content-length-range",1,1048576]]}`, conds: 1, lo: 1, hi: 1 << 20},
		{name: "range as strings", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range","10","20"]]}`, lo: 10, hi: 20},
		{name: "range with exponent", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0,1.048576e+06]]}`, lo: 0, hi: 1048576},
		{name: "two ranges intersect", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0,100],["content-length-range",10,1000]]}`, lo: 10, hi: 100},
		{name: "object with two pairs", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"key":"k","acl":"private"}]}`, conds: 2},
		{name: "not base64", doc: "", wantCode: "InvalidPolicyDocument", wantMsg: "base64"},
		{name: "not json", doc: `{"expiration":`, wantCode: "InvalidPolicyDocument", wantMsg: "Invalid JSON"},
		{name: "trailing data", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[]} {}`, wantCode: "InvalidPolicyDocument"},
		{name: "no expiration", doc: `{"conditions":[]}`, wantCode: "InvalidPolicyDocument", wantMsg: "missing expiration"},
		{name: "bad expiration", doc: `{"expiration":"tomorrow","conditions":[]}`, wantCode: "InvalidPolicyDocument", wantMsg: "'expiration'"},
		{name: "number expiration", doc: `{"expiration":5,"conditions":[]}`, wantCode: "InvalidPolicyDocument"},
		{name: "no conditions", doc: `{"expiration":"2030-01-01T00:00:00Z"}`, wantCode: "InvalidPolicyDocument", wantMsg: "missing conditions"},
		{name: "unknown op", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["ends-with","$key","x"]]}`, wantCode: "InvalidPolicyDocument"},
		{name: "eq without dollar", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","key","x"]]}`, wantCode: "InvalidPolicyDocument"},
		{name: "eq short", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key"]]}`, wantCode: "InvalidPolicyDocument"},
		{name: "range reversed", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",20,10]]}`, wantCode: "InvalidPolicyDocument"},
		{name: "range negative", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",-1,10]]}`, wantCode: "InvalidPolicyDocument"},
		{name: "range fraction", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0,1.5]]}`, wantCode: "InvalidPolicyDocument"},
		{name: "object value not string", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"key":1}]}`, wantCode: "InvalidPolicyDocument"},
		{name: "condition neither", doc: `{"expiration":"2030-01-01T00:00:00Z","conditions":["key"]}`, wantCode: "InvalidPolicyDocument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := b64(tt.doc)
			if tt.name == "not base64" {
				enc = "!!!not base64"
			}
			p, err := parsePostPolicy(enc)
			if tt.wantCode != "" {
				e := toAPIError(err)
				if err == nil || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) {
					t.Fatalf("got %v, want %s containing %q", err, tt.wantCode, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if len(p.conditions) != tt.conds {
				t.Errorf("conditions: got %d (%v), want %d", len(p.conditions), p.conditions, tt.conds)
			}
			if tt.hi != 0 && (!p.hasLength || p.minLength != tt.lo || p.maxLength != tt.hi) {
				t.Errorf("length range: got %v %d-%d, want %d-%d", p.hasLength, p.minLength, p.maxLength, tt.lo, tt.hi)
			}
		})
	}
}

func TestPostPolicyCheck(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	doc := `{"expiration":"2030-01-01T01:00:00.000Z","conditions":[
		{"bucket":"photos"},
		["starts-with","$key","user/eric/"],
		["eq","$success_action_status","201"],
		["starts-with","$Content-Type","image/"],
		["starts-with","$x-amz-meta-tag",""],
		{"x-amz-algorithm":"AWS4-HMAC-SHA256"}]}`
	p, err := parsePostPolicy(b64(doc))
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{
		"key": "user/eric/${filename}", "success_action_status": "201", "content-type": "image/png",
		"x-amz-meta-tag": "anything", "x-amz-algorithm": "AWS4-HMAC-SHA256",
		"x-amz-signature": "sig", "policy": "p", "x-ignore-me": "1",
	}
	names := []string{"key", "success_action_status", "Content-Type", "x-amz-meta-tag", "X-Amz-Algorithm", "x-amz-signature", "policy", "x-ignore-me"}
	tests := []struct {
		name   string
		change map[string]string
		extra  string // an extra field name
		bucket string
		at     time.Time
		want   string // substring of the AccessDenied message; "" for success
	}{
		{name: "ok"},
		{name: "expired", at: now.Add(time.Hour), want: "Policy expired"},
		{name: "wrong bucket", bucket: "other", want: `["eq", "$bucket", "photos"]`},
		{name: "key outside prefix", change: map[string]string{"key": "user/bob/x"}, want: `["starts-with", "$key", "user/eric/"]`},
		{name: "status differs", change: map[string]string{"success_action_status": "200"}, want: "$success_action_status"},
		{name: "content type list", change: map[string]string{"content-type": "image/png, image/jpeg"}},
		{name: "content type list with other", change: map[string]string{"content-type": "image/png, text/plain"}, want: "$content-type"},
		{name: "empty starts-with matches empty", change: map[string]string{"x-amz-meta-tag": ""}},
		{name: "extra field", extra: "x-amz-meta-other", want: "Extra input fields: x-amz-meta-other"},
		{name: "exempt field", extra: "x-ignore-other"},
		{name: "eq is case sensitive", change: map[string]string{"x-amz-algorithm": "aws4-hmac-sha256"}, want: "$x-amz-algorithm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := make(map[string]string, len(base))
			for k, v := range base {
				fields[k] = v
			}
			for k, v := range tt.change {
				fields[k] = v
			}
			n := names
			if tt.extra != "" {
				fields[tt.extra] = "v"
				n = append(append([]string(nil), names...), tt.extra)
			}
			bucket := tt.bucket
			if bucket == "" {
				bucket = "photos"
			}
			at := tt.at
			if at.IsZero() {
				at = now
			}
			err := p.check(fields, n, bucket, at)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			e := toAPIError(err)
			if err == nil || e.Code != "AccessDenied" || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("got %v, want AccessDenied containing %q", err, tt.want)
			}
		})
	}
}

func TestPostPolicyLength(t *testing.T) {
	p, err := parsePostPolicy(b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",10,20]]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		size int64
		want string
	}{{9, "EntityTooSmall"}, {10, ""}, {20, ""}, {21, "EntityTooLarge"}} {
		err := p.checkLength(tt.size)
		got := ""
		if err != nil {
			got = toAPIError(err).Code
		}
		if got != tt.want {
			t.Errorf("size %d: got %q, want %q", tt.size, got, tt.want)
		}
	}
	none, _ := parsePostPolicy(b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[]}`))
	if err := none.checkLength(1 << 40); err != nil {
		t.Errorf("no range: got %v, want no limit", err)
	}
}

// FuzzPostPolicy feeds arbitrary documents to the parser and, when one
// parses, checks a form against it: neither may panic, and every error is
// an S3 error.
func FuzzPostPolicy(f *testing.F) {
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key","a"],["content-length-range",1,2],{"bucket":"b"}]}`, "a")
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["starts-with","$Content-Type","image/"]]}`, "image/png,text/x")
	f.Add(`{"conditions":[[]]}`, "")
	f.Add(`[1,2,3]`, "x")
	f.Fuzz(func(t *testing.T, doc, value string) {
		p, err := parsePostPolicy(b64(doc))
		if err != nil {
			if e := toAPIError(err); e.Code != "InvalidPolicyDocument" {
				t.Fatalf("got %s, want InvalidPolicyDocument", e.Code)
			}
			return
		}
		fields := map[string]string{"key": value, "content-type": value, "bucket": value}
		err = p.check(fields, []string{"key", "content-type"}, "b", time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil && toAPIError(err).Code != "AccessDenied" {
			t.Fatalf("check: got %v, want AccessDenied or nil", err)
		}
		if err := p.checkLength(int64(len(value))); err != nil {
			if c := toAPIError(err).Code; c != "EntityTooLarge" && c != "EntityTooSmall" {
				t.Fatalf("checkLength: got %s", c)
			}
		}
	})
}

package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	stmt := func(body string) string {
		return `{"Version": "2012-10-17", "Statement": [{` + body + `}]}`
	}
	read := `"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`
	tests := []struct {
		name, doc string
		code      string // "" when valid
	}{
		{"read", stmt(read), ""},
		{"single statement object", `{"Version": "2012-10-17", "Statement": {` + read + `}}`, ""},
		{"principal AWS list", stmt(`"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::pics", "arn:aws:s3:::pics/*"]`), ""},
		{"other principal", stmt(`"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::pics/*"`), ""},
		{"old version", `{"Version": "2008-10-17", "Statement": [{` + read + `}]}`, ""},
		{"conditions", stmt(read + `, "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::1"]}, "Bool": {"aws:SecureTransport": false}, "NumericLessThanEquals": {"s3:max-keys": 100}, "StringLikeIfExists": {"aws:Referer": "https://*.example.com/*"}}`), ""},
		{"not action", stmt(`"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "NotResource": "arn:aws:s3:::pics/public/*"`), ""},

		{"not json", `Version: 2012`, "MalformedPolicy"},
		{"not an object", `["x"]`, "MalformedPolicy"},
		{"trailing document", stmt(read) + `{}`, "MalformedPolicy"},
		{"unknown field", `{"Version": "2012-10-17", "Statements": []}`, "MalformedPolicy"},
		{"no version", `{"Statement": [{` + read + `}]}`, "MalformedPolicy"},
		{"bad version", `{"Version": "2020-01-01", "Statement": [{` + read + `}]}`, "MalformedPolicy"},
		{"no statement", `{"Version": "2012-10-17"}`, "MalformedPolicy"},
		{"empty statements", `{"Version": "2012-10-17", "Statement": []}`, "MalformedPolicy"},
		{"unknown statement field", stmt(read + `, "Actions": "s3:GetObject"`), "MalformedPolicy"},
		{"bad effect", stmt(`"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"no principal", stmt(`"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"bad principal", stmt(`"Effect": "Allow", "Principal": "someone", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"not principal", stmt(`"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), ""},
		{"principal and not principal", stmt(`"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "x"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"bad not principal", stmt(`"Effect": "Deny", "NotPrincipal": "someone", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"tag and copy keys", stmt(read + `, "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": "a", "s3:RequestObjectTag/Team": "b", "s3:x-amz-copy-source": "pics/x", "s3:x-amz-metadata-directive": "COPY", "s3:VersionId": "v"}, "ForAllValues:StringLike": {"s3:RequestObjectTagKeys": ["team", "cost*"]}}`), ""},
		{"dates and arns", stmt(read + `, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}, "DateLessThanIfExists": {"aws:EpochTime": 1893456000}, "ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}, "ArnEquals": {"aws:PrincipalArn": "*"}}`), ""},
		{"tag key family without a tag", stmt(read + `, "Condition": {"StringEquals": {"s3:ExistingObjectTag/": "a"}}`), "MalformedPolicy"},
		{"unknown key family", stmt(read + `, "Condition": {"StringEquals": {"s3:SomethingTag/a": "a"}}`), "MalformedPolicy"},
		{"bad set qualifier", stmt(read + `, "Condition": {"ForSomeValues:StringEquals": {"s3:RequestObjectTagKeys": "a"}}`), "MalformedPolicy"},
		{"null with a set qualifier", stmt(read + `, "Condition": {"ForAnyValue:Null": {"s3:RequestObjectTagKeys": "true"}}`), "MalformedPolicy"},
		{"bad date", stmt(read + `, "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}`), "MalformedPolicy"},
		{"bad arn", stmt(read + `, "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns"}}`), "MalformedPolicy"},
		{"no action", stmt(`"Effect": "Allow", "Principal": "*", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"action and not action", stmt(read + `, "NotAction": "s3:PutObject"`), "MalformedPolicy"},
		{"bad action", stmt(`"Effect": "Allow", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"no resource", stmt(`"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"`), "MalformedPolicy"},
		{"other bucket", stmt(`"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"`), "MalformedPolicy"},
		{"bucket prefix only", stmt(`"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pic*"`), "MalformedPolicy"},
		{"unknown condition key", stmt(read + `, "Condition": {"StringEquals": {"aws:nosuchkey": "bob"}}`), "MalformedPolicy"},
		{"unsupported operator", stmt(read + `, "Condition": {"BinaryEquals": {"s3:prefix": "QmluYXJ5"}}`), "NotImplemented"},
		{"bad CIDR", stmt(read + `, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/99"}}`), "MalformedPolicy"},
		{"bad bool", stmt(read + `, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}`), "MalformedPolicy"},
		{"empty action list", stmt(`"Effect": "Deny", "Principal": "*", "Action": [], "NotAction": "s3:PutObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"empty resource list", stmt(`"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [], "NotResource": "arn:aws:s3:::pics/x"`), "MalformedPolicy"},
		{"only an empty action list", stmt(`"Effect": "Allow", "Principal": "*", "Action": [], "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"key in another case", stmt(`"effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"top-level key in another case", `{"version": "2012-10-17", "Statement": [{` + read + `}]}`, "MalformedPolicy"},
		{"duplicate key", stmt(`"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*", "Effect": "Allow"`), "MalformedPolicy"},
		{"duplicate key in a condition", stmt(read + `, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8", "aws:SourceIp": "0.0.0.0/0"}}`), "MalformedPolicy"},
		{"trailing brace", stmt(read) + `}`, "MalformedPolicy"},
		{"duplicate sid", `{"Version": "2012-10-17", "Statement": [{"Sid": "a", ` + read + `}, {"Sid": "a", ` + read + `}]}`, "MalformedPolicy"},
		{"principal naming nobody", stmt(`"Effect": "Allow", "Principal": {"AWS": []}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pics/*"`), "MalformedPolicy"},
		{"null if exists", stmt(read + `, "Condition": {"NullIfExists": {"s3:prefix": "true"}}`), "MalformedPolicy"},
		{"too large", stmt(read + `, "Sid": "` + strings.Repeat("s", MaxSize) + `"`), "MalformedPolicy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), "pics")
			if tt.code == "" {
				if err != nil || p == nil {
					t.Fatalf("Parse = %v, %v; want a policy", p, err)
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

func TestAllowed(t *testing.T) {
	p, err := Parse([]byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "read", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::pics/public/*", "arn:aws:s3:::pics/shared/*"]},
    {"Sid": "list public", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pics",
     "Condition": {"StringLike": {"s3:prefix": ["public/*", "public/"]}}},
    {"Sid": "upload from the office", "Effect": "Allow", "Principal": "*", "Action": "s3:Put*", "Resource": "arn:aws:s3:::pics/inbox/*",
     "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}},
    {"Sid": "no secrets", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::pics/shared/secret*"},
    {"Sid": "someone else", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*", "Resource": "arn:aws:s3:::pics/*"}
  ]
}`), "pics")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		req    Request
		result bool
	}{
		{"public read", Request{Action: "s3:GetObject", Bucket: "pics", Key: "public/a.jpg"}, true},
		{"action case", Request{Action: "s3:getobject", Bucket: "pics", Key: "public/a.jpg"}, true},
		{"shared read", Request{Action: "s3:GetObject", Bucket: "pics", Key: "shared/b.jpg"}, true},
		{"private read", Request{Action: "s3:GetObject", Bucket: "pics", Key: "private/c.jpg"}, false},
		{"explicit deny wins", Request{Action: "s3:GetObject", Bucket: "pics", Key: "shared/secret.txt"}, false},
		{"delete", Request{Action: "s3:DeleteObject", Bucket: "pics", Key: "public/a.jpg"}, false},
		{"list public", Request{Action: "s3:ListBucket", Bucket: "pics", Context: map[string]string{"s3:prefix": "public/"}}, true},
		{"list everything", Request{Action: "s3:ListBucket", Bucket: "pics", Context: map[string]string{"s3:prefix": ""}}, false},
		{"list without prefix", Request{Action: "s3:ListBucket", Bucket: "pics"}, false},
		{"upload from the office", Request{Action: "s3:PutObject", Bucket: "pics", Key: "inbox/x", Context: map[string]string{"aws:SourceIp": "192.0.2.7"}}, true},
		{"upload from elsewhere", Request{Action: "s3:PutObject", Bucket: "pics", Key: "inbox/x", Context: map[string]string{"aws:SourceIp": "198.51.100.1"}}, false},
		{"upload from a mapped v4 address", Request{Action: "s3:PutObject", Bucket: "pics", Key: "inbox/x", Context: map[string]string{"aws:SourceIp": "::ffff:192.0.2.9"}}, true},
		{"upload elsewhere in the bucket", Request{Action: "s3:PutObject", Bucket: "pics", Key: "public/x", Context: map[string]string{"aws:SourceIp": "192.0.2.7"}}, false},
	}
	for _, tt := range tests {
		if got := p.Allowed(tt.req); got != tt.result {
			t.Errorf("%s: Allowed(%+v) = %v; want %v", tt.name, tt.req, got, tt.result)
		}
	}
	if !p.IsPublic() {
		t.Error("IsPublic = false; want true (public read)")
	}
}

func TestNotActionAndNotResource(t *testing.T) {
	p, err := Parse([]byte(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": "*", "NotAction": ["s3:Delete*", "s3:Put*"], "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/open/*"}]}`), "b")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action, key string
		want        bool
	}{
		{"s3:GetObject", "open/x", true},
		{"s3:GetObject", "closed/x", false},
		{"s3:GetObjectTagging", "closed/x", true},
		{"s3:DeleteObject", "open/x", false},
		{"s3:PutObject", "open/x", false},
	}
	for _, tt := range tests {
		if got := p.Allowed(Request{Action: tt.action, Bucket: "b", Key: tt.key}); got != tt.want {
			t.Errorf("Allowed(%s %s) = %v; want %v", tt.action, tt.key, got, tt.want)
		}
	}
}

func TestConditions(t *testing.T) {
	tests := []struct {
		cond string
		ctx  map[string]string
		want bool
	}{
		{`{"StringEquals": {"s3:prefix": ["a/", "b/"]}}`, map[string]string{"s3:prefix": "b/"}, true},
		{`{"StringEquals": {"s3:prefix": "a/"}}`, map[string]string{"s3:prefix": "A/"}, false},
		{`{"StringEquals": {"s3:prefix": "a/"}}`, nil, false},
		{`{"StringNotEquals": {"s3:prefix": "a/"}}`, nil, true},
		{`{"StringNotEquals": {"s3:prefix": "a/"}}`, map[string]string{"s3:prefix": "a/"}, false},
		{`{"StringEqualsIgnoreCase": {"s3:prefix": "a/"}}`, map[string]string{"s3:prefix": "A/"}, true},
		{`{"StringLike": {"aws:Referer": "https://*.example.com/*"}}`, map[string]string{"aws:Referer": "https://www.example.com/page"}, true},
		{`{"StringLike": {"aws:Referer": "https://*.example.com/*"}}`, map[string]string{"aws:Referer": "https://evil.com/"}, false},
		{`{"StringLikeIfExists": {"aws:Referer": "https://*.example.com/*"}}`, nil, true},
		{`{"StringNotLike": {"aws:UserAgent": "*curl*"}}`, map[string]string{"aws:UserAgent": "curl/8.5"}, false},
		{`{"Bool": {"aws:SecureTransport": "true"}}`, map[string]string{"aws:SecureTransport": "false"}, false},
		{`{"Bool": {"aws:SecureTransport": false}}`, map[string]string{"aws:SecureTransport": "false"}, true},
		{`{"NumericLessThanEquals": {"s3:max-keys": 100}}`, map[string]string{"s3:max-keys": "100"}, true},
		{`{"NumericLessThan": {"s3:max-keys": "100"}}`, map[string]string{"s3:max-keys": "100"}, false},
		{`{"NumericGreaterThan": {"s3:max-keys": "10"}}`, map[string]string{"s3:max-keys": "many"}, false},
		{`{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, map[string]string{"aws:SourceIp": "127.0.0.1"}, true},
		{`{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`, map[string]string{"aws:SourceIp": "10.1.2.3"}, false},
		{`{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}`, map[string]string{"aws:SourceIp": "2001:db8::1"}, true},
		{`{"IpAddress": {"aws:SourceIp": "::ffff:1.2.3.0/120"}}`, map[string]string{"aws:SourceIp": "1.2.3.4"}, true},
		{`{"NotIpAddress": {"aws:SourceIp": "::ffff:1.2.3.0/120"}}`, map[string]string{"aws:SourceIp": "1.2.3.4"}, false},
		{`{"IpAddress": {"aws:SourceIp": "1.2.3.4"}}`, map[string]string{"aws:SourceIp": "::ffff:1.2.3.4"}, true},
		{`{"IpAddress": {"aws:SourceIp": "fe80::/10"}}`, map[string]string{"aws:SourceIp": "fe80::1%eth0"}, true},
		{`{"Null": {"s3:prefix": "true"}}`, nil, true},
		{`{"Null": {"s3:prefix": "true"}}`, map[string]string{"s3:prefix": ""}, false},
		{`{"Null": {"s3:prefix": "false"}}`, map[string]string{"s3:prefix": ""}, true},
		{`{"StringEquals": {"aws:PrincipalType": "Anonymous"}}`, map[string]string{"aws:PrincipalType": "Anonymous"}, true},
	}
	for _, tt := range tests {
		checkCondition(t, tt.cond, Request{Context: tt.ctx}, tt.want)
	}
}

// checkCondition parses an Allow statement with cond and checks that it
// allows req (a GetObject of b/k with req's condition keys) or not.
func checkCondition(t *testing.T, cond string, req Request, want bool) {
	t.Helper()
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": ` + cond + `}]}`
	p, err := Parse([]byte(doc), "b")
	if err != nil {
		t.Fatalf("%s: %v", cond, err)
	}
	req.Action, req.Bucket, req.Key = "s3:GetObject", "b", "k"
	if got := p.Allowed(req); got != want {
		t.Errorf("%s with %v %v: allowed %v; want %v", cond, req.Context, req.Sets, got, want)
	}
}

func TestIsPublic(t *testing.T) {
	tests := []struct {
		stmt string
		want bool
	}{
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`, true},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`, false},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}`, true},
		{`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::/0"]}}}`, true},
		{`{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`, false},
		{`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`, false},
	}
	for _, tt := range tests {
		p, err := Parse([]byte(`{"Version": "2012-10-17", "Statement": [`+tt.stmt+`]}`), "b")
		if err != nil {
			t.Fatal(err)
		}
		if got := p.IsPublic(); got != tt.want {
			t.Errorf("IsPublic(%s) = %v; want %v", tt.stmt, got, tt.want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"a?c", "abc", true},
		{"a?c", "aéc", true},
		{"a?c", "ac", false},
		{"**x", "x", true},
		{"*a*a*a*a*b", strings.Repeat("a", 40), false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.s); got != tt.want {
			t.Errorf("match(%q, %q) = %v; want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}`), "s3:GetObject", "k", "10.1.1.1")
	f.Add([]byte(`{"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Principal": {"AWS": ["*"]}, "NotAction": "s3:Get*", "NotResource": ["arn:aws:s3:::b"]}}`), "s3:PutObject", "", "")
	f.Fuzz(func(t *testing.T, doc []byte, action, key, ip string) {
		p, err := Parse(doc, "b")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error %v is not an *Error", err)
			}
			return
		}
		p.Allowed(Request{Action: action, Bucket: "b", Key: key, Context: map[string]string{"aws:SourceIp": ip, "s3:prefix": key}})
		p.IsPublic()
	})
}

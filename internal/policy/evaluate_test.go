package policy

import "testing"

// TestConditionKeysAndOperators: the tag, copy, version and header keys,
// set qualifiers over multivalued keys, Date and Arn operators.
func TestConditionKeysAndOperators(t *testing.T) {
	ctx := func(kv ...string) Request {
		r := Request{Context: map[string]string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Context[kv[i]] = kv[i+1]
		}
		return r
	}
	keys := func(k ...string) Request { return Request{Sets: map[string][]string{"s3:RequestObjectTagKeys": k}} }
	tests := []struct {
		name string
		cond string
		req  Request
		want bool
	}{
		{"existing tag", `{"StringEquals": {"s3:ExistingObjectTag/team": "data"}}`, ctx("s3:ExistingObjectTag/team", "data"), true},
		{"existing tag, key name in another case", `{"StringEquals": {"S3:existingobjecttag/team": "data"}}`, ctx("s3:ExistingObjectTag/team", "data"), true},
		{"existing tag key is case-sensitive", `{"StringEquals": {"s3:ExistingObjectTag/Team": "data"}}`, ctx("s3:ExistingObjectTag/team", "data"), false},
		{"existing tag missing", `{"StringEquals": {"s3:ExistingObjectTag/team": "data"}}`, ctx(), false},
		{"existing tag other value", `{"StringNotEquals": {"s3:ExistingObjectTag/class": "secret"}}`, ctx("s3:ExistingObjectTag/class", "public"), true},
		{"request tag", `{"StringLike": {"s3:RequestObjectTag/project": "x-*"}}`, ctx("s3:RequestObjectTag/project", "x-1"), true},
		{"all tag keys allowed", `{"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team", "project"]}}`, keys("team", "project"), true},
		{"a tag key not allowed", `{"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team", "project"]}}`, keys("team", "owner"), false},
		{"ForAllValues without tags", `{"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team"]}}`, Request{}, true},
		{"ForAllValues with an empty set", `{"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team"]}}`, keys(), true},
		{"ForAnyValue one key", `{"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": "team"}}`, keys("owner", "team"), true},
		{"ForAnyValue no key", `{"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": "team"}}`, keys("owner"), false},
		{"ForAnyValue without tags", `{"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": "team"}}`, Request{}, false},
		{"ForAnyValue IfExists without tags", `{"ForAnyValue:StringEqualsIfExists": {"s3:RequestObjectTagKeys": "team"}}`, Request{}, true},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotLike": {"s3:RequestObjectTagKeys": "team*"}}`, keys("team", "owner"), true},
		{"unqualified negated over a set: none equal", `{"StringNotEquals": {"s3:RequestObjectTagKeys": "secret"}}`, keys("team", "owner"), true},
		{"unqualified negated over a set: one equal", `{"StringNotEquals": {"s3:RequestObjectTagKeys": "secret"}}`, keys("team", "secret"), false},
		{"unqualified over a set: one equal", `{"StringEquals": {"s3:RequestObjectTagKeys": "team"}}`, keys("owner", "team"), true},
		{"copy source", `{"StringLike": {"s3:x-amz-copy-source": "b/public/*"}}`, ctx("s3:x-amz-copy-source", "b/public/a.txt"), true},
		{"copy source elsewhere", `{"StringLike": {"s3:x-amz-copy-source": "b/public/*"}}`, ctx("s3:x-amz-copy-source", "b/private/a.txt"), false},
		{"metadata directive", `{"StringEquals": {"s3:x-amz-metadata-directive": "COPY"}}`, ctx("s3:x-amz-metadata-directive", "REPLACE"), false},
		{"version id", `{"StringEquals": {"s3:VersionId": "0190"}}`, ctx("s3:VersionId", "0190"), true},
		{"no version id", `{"Null": {"s3:VersionId": "true"}}`, ctx(), true},
		{"acl header", `{"StringEquals": {"s3:x-amz-acl": "public-read"}}`, ctx("s3:x-amz-acl", "private"), false},
		{"unencrypted uploads", `{"Null": {"s3:x-amz-server-side-encryption": "true"}}`, ctx(), true},
		{"before a date", `{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2026-05-01T10:00:00Z"), true},
		{"after a date", `{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}`, ctx("aws:CurrentTime", "2031-05-01T10:00:00Z"), false},
		{"date only", `{"DateGreaterThanEquals": {"aws:CurrentTime": "2026-05-01"}}`, ctx("aws:CurrentTime", "2026-05-01T00:00:00Z"), true},
		{"epoch against a date", `{"DateGreaterThan": {"aws:EpochTime": "2020-01-01T00:00:00Z"}}`, ctx("aws:EpochTime", "1700000000"), true},
		{"date against an epoch", `{"DateLessThanEquals": {"aws:CurrentTime": 1577836800}}`, ctx("aws:CurrentTime", "2020-01-01T00:00:00Z"), true},
		{"date with an offset", `{"DateEquals": {"aws:CurrentTime": "2026-05-01T12:00:00+02:00"}}`, ctx("aws:CurrentTime", "2026-05-01T10:00:00Z"), true},
		{"date not equals", `{"DateNotEquals": {"aws:CurrentTime": "2026-05-01T10:00:00Z"}}`, ctx("aws:CurrentTime", "2026-05-01T10:00:01Z"), true},
		{"date of a value that is no date", `{"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}`, ctx("aws:CurrentTime", "soon"), false},
		{"numeric epoch", `{"NumericLessThan": {"aws:EpochTime": 1893456000}}`, ctx("aws:EpochTime", "1700000000"), true},
		{"arn like", `{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:topic-*"}}`, ctx("aws:SourceArn", "arn:aws:sns:eu-west-1:123456789012:topic-a"), true},
		{"arn wildcard stays in its part", `{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:t"}}`, ctx("aws:SourceArn", "arn:aws:sns:eu:x:1:t"), false},
		{"arn equals with a star", `{"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::b*"}}`, ctx("aws:SourceArn", "arn:aws:s3:::bucket"), true},
		{"arn not like", `{"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:1:*"}}`, ctx("aws:SourceArn", "arn:aws:sns:us:1:t"), false},
		{"arn missing, negated", `{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::1:root"}}`, ctx(), true},
		{"arn missing", `{"ArnLike": {"aws:PrincipalArn": "*"}}`, ctx(), false},
		{"not an arn", `{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:*"}}`, ctx("aws:SourceArn", "sns-topic"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkCondition(t, tt.cond, tt.req, tt.want) })
	}
}

// TestNotPrincipal: a NotPrincipal statement applies to every principal
// it does not name, anonymous callers included, unless it names "*".
func TestNotPrincipal(t *testing.T) {
	p, err := Parse([]byte(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
		{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/private/*"},
		{"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/public/*"},
		{"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::1:root"]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]}`), "b")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		action, key string
		want        bool
	}{
		{"s3:GetObject", "public/a", true},   // the NotPrincipal "*" deny applies to nobody
		{"s3:GetObject", "private/a", false}, // anonymous is not the named account
		{"s3:GetObject", "other/a", true},
		{"s3:ListBucket", "", true},
	} {
		if got := p.Allowed(Request{Action: tt.action, Bucket: "b", Key: tt.key}); got != tt.want {
			t.Errorf("Allowed(%s %s) = %v; want %v", tt.action, tt.key, got, tt.want)
		}
	}
	if !p.IsPublic() {
		t.Error("IsPublic = false; want true")
	}
	q, err := Parse([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotPrincipal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`), "b")
	if err != nil {
		t.Fatal(err)
	}
	if q.IsPublic() || q.Allowed(Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}) {
		t.Error(`an Allow with NotPrincipal "*" applies to somebody`)
	}
}

func TestUsesKey(t *testing.T) {
	p, err := Parse([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
		"Condition": {"StringEquals": {"S3:ExistingObjectTag/x": "y"}}}]}`), "b")
	if err != nil {
		t.Fatal(err)
	}
	if !p.UsesKey("s3:ExistingObjectTag/") || p.UsesKey("s3:RequestObjectTag/") {
		t.Errorf("UsesKey: got %v %v, want true false", p.UsesKey("s3:ExistingObjectTag/"), p.UsesKey("s3:RequestObjectTag/"))
	}
}

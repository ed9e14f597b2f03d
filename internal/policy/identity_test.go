package policy

import (
	"errors"
	"strings"
	"testing"
)

// evalCase is one request against one policy and the decision expected.
type evalCase struct {
	name     string
	action   string
	resource string // "bucket" or "bucket/key"
	user     string // "" for an anonymous caller
	ctx      map[string]string
	want     Decision
}

func (c evalCase) request() Request {
	bucket, key, _ := strings.Cut(c.resource, "/")
	ctx := map[string]string{}
	for k, v := range c.ctx {
		ctx[k] = v
	}
	r := Request{Action: c.action, Bucket: bucket, Key: key, Context: ctx}
	if c.user != "" {
		r.Principal = UserARN("000000000000", c.user)
		ctx["aws:username"] = c.user
		ctx["aws:userid"] = "ID" + strings.ToUpper(c.user)
	}
	return r
}

// identityPolicies are identity policies modelled on the examples of the
// IAM user guide ("Amazon S3: Allows read and write access to objects in
// an S3 bucket", "... to an IAM user's home directory", "... access
// programmatically and in the console", ...).
var identityPolicies = map[string]string{
	"bucket rw": `{"Version":"2012-10-17","Statement":[
		{"Sid":"ListObjectsInBucket","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::bucket-name"]},
		{"Sid":"AllObjectActions","Effect":"Allow","Action":"s3:*Object","Resource":["arn:aws:s3:::bucket-name/*"]}]}`,
	"home dir": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home","Condition":{"StringLike":{"s3:prefix":["${aws:username}/*","${aws:username}"]}}},
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`,
	"deny outside": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","NotAction":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::archive/*"},
		{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::archive","arn:aws:s3:::archive/*","arn:aws:s3:::work","arn:aws:s3:::work/*"]}]}`,
	"ip limited": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"},
		{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}]}`,
	"tls only": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::data/*"},
		{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
	"username cond": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::drop/*","Condition":{"StringEquals":{"aws:username":["alice","carol"]}}},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::drop/*","Condition":{"StringNotEquals":{"aws:username":"mallory"}}}]}`,
	"userid path": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::ids/${aws:userid}/*"}]}`,
	"old version": `{"Version":"2008-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`,
	"max keys": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::logs","Condition":{"NumericLessThanEquals":{"s3:max-keys":"100"},"StringEquals":{"s3:prefix":"public/"}}}]}`,
	"admin": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["admin:ListUsers","admin:GetUser"]},
		{"Effect":"Allow","Action":"admin:*Group*","Resource":"arn:aws:s3:::*"},
		{"Effect":"Deny","Action":"admin:DisableGroup"}]}`,
	"no admin by wildcard": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::photos/*"},
		{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::photos"},
		{"Effect":"Allow","Action":["admin:*","s3:ListBucket"],"Resource":"arn:aws:s3:::photos"},
		{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"escapes": `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::lit/${*}/${aws:username}${$}"}]}`,
}

func TestEvaluateIdentity(t *testing.T) {
	ctx := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := map[string][]evalCase{
		"bucket rw": {
			{"list the bucket", "s3:ListBucket", "bucket-name", "alice", nil, DecisionAllow},
			{"get object", "s3:GetObject", "bucket-name/a/b", "alice", nil, DecisionAllow},
			{"put object", "s3:PutObject", "bucket-name/x", "alice", nil, DecisionAllow},
			{"delete object", "s3:DeleteObject", "bucket-name/x", "alice", nil, DecisionAllow},
			{"wildcard stops at Object", "s3:GetObjectTagging", "bucket-name/x", "alice", nil, DecisionNone},
			{"versioned get is another action", "s3:GetObjectVersion", "bucket-name/x", "alice", nil, DecisionNone},
			{"other bucket", "s3:GetObject", "other/x", "alice", nil, DecisionNone},
			{"bucket prefix is not the bucket", "s3:ListBucket", "bucket-name2", "alice", nil, DecisionNone},
			{"objects resource is not the bucket", "s3:ListBucket", "bucket-name/x", "alice", nil, DecisionNone},
			{"bucket config not granted", "s3:PutBucketPolicy", "bucket-name", "alice", nil, DecisionNone},
			{"action case does not matter", "S3:getobject", "bucket-name/x", "alice", nil, DecisionAllow},
			{"resource case matters", "s3:GetObject", "Bucket-Name/x", "alice", nil, DecisionNone},
		},
		"home dir": {
			{"list all buckets", "s3:ListAllMyBuckets", "", "alice", nil, DecisionAllow},
			{"own folder", "s3:GetObject", "home/alice/notes.txt", "alice", nil, DecisionAllow},
			{"own folder deep", "s3:PutObject", "home/alice/a/b/c", "alice", nil, DecisionAllow},
			{"other's folder", "s3:GetObject", "home/bob/notes.txt", "alice", nil, DecisionNone},
			{"bob in his", "s3:DeleteObject", "home/bob/x", "bob", nil, DecisionAllow},
			{"name prefix is not the folder", "s3:GetObject", "home/alicex/notes", "alice", nil, DecisionNone},
			{"list own prefix", "s3:ListBucket", "home", "alice", ctx("s3:prefix", "alice/"), DecisionAllow},
			{"list own folder name", "s3:ListBucket", "home", "alice", ctx("s3:prefix", "alice"), DecisionAllow},
			{"list other prefix", "s3:ListBucket", "home", "alice", ctx("s3:prefix", "bob/"), DecisionNone},
			{"list without prefix", "s3:ListBucket", "home", "alice", nil, DecisionNone},
			{"anonymous has no username", "s3:GetObject", "home/alice/notes.txt", "", nil, DecisionNone},
			{"not granted action", "s3:GetObjectTagging", "home/alice/x", "alice", nil, DecisionNone},
		},
		"deny outside": {
			{"read archive", "s3:GetObject", "archive/2020/x", "alice", nil, DecisionAllow},
			{"list archive", "s3:ListBucket", "archive", "alice", nil, DecisionAllow},
			{"write archive denied", "s3:PutObject", "archive/2020/x", "alice", nil, DecisionDeny},
			{"delete archive denied", "s3:DeleteObject", "archive/x", "alice", nil, DecisionDeny},
			{"write work", "s3:PutObject", "work/x", "alice", nil, DecisionAllow},
			{"configure work", "s3:PutBucketPolicy", "work", "alice", nil, DecisionAllow},
			{"other bucket denied", "s3:GetObject", "secret/x", "alice", nil, DecisionDeny},
			{"other bucket list denied", "s3:ListBucket", "secret", "alice", nil, DecisionDeny},
		},
		"ip limited": {
			{"from the range", "s3:GetObject", "data/x", "alice", ctx("aws:SourceIp", "192.0.2.10"), DecisionAllow},
			{"from the second range", "s3:GetObject", "data/x", "alice", ctx("aws:SourceIp", "203.0.113.200"), DecisionAllow},
			{"from elsewhere", "s3:GetObject", "data/x", "alice", ctx("aws:SourceIp", "198.51.100.1"), DecisionDeny},
			{"no address", "s3:GetObject", "data/x", "alice", nil, DecisionDeny},
			{"in range but not granted", "s3:PutObject", "data/x", "alice", ctx("aws:SourceIp", "192.0.2.10"), DecisionNone},
			{"mapped v6 address", "s3:GetObject", "data/x", "alice", ctx("aws:SourceIp", "::ffff:192.0.2.10"), DecisionAllow},
		},
		"tls only": {
			{"over tls", "s3:GetObject", "data/x", "alice", ctx("aws:SecureTransport", "true"), DecisionAllow},
			{"plain http", "s3:GetObject", "data/x", "alice", ctx("aws:SecureTransport", "false"), DecisionDeny},
			{"key absent", "s3:GetObject", "data/x", "alice", nil, DecisionAllow},
			{"get tagging by prefix", "s3:GetObjectTagging", "data/x", "alice", ctx("aws:SecureTransport", "true"), DecisionAllow},
			{"put not granted", "s3:PutObject", "data/x", "alice", ctx("aws:SecureTransport", "true"), DecisionNone},
		},
		"username cond": {
			{"alice puts", "s3:PutObject", "drop/x", "alice", nil, DecisionAllow},
			{"carol puts", "s3:PutObject", "drop/x", "carol", nil, DecisionAllow},
			{"bob may not put", "s3:PutObject", "drop/x", "bob", nil, DecisionNone},
			{"bob reads", "s3:GetObject", "drop/x", "bob", nil, DecisionAllow},
			{"mallory may not read", "s3:GetObject", "drop/x", "mallory", nil, DecisionNone},
			{"anonymous reads: negated operator holds when the key is missing", "s3:GetObject", "drop/x", "", nil, DecisionAllow},
			{"anonymous may not put", "s3:PutObject", "drop/x", "", nil, DecisionNone},
		},
		"userid path": {
			{"own id", "s3:GetObject", "ids/IDALICE/x", "alice", nil, DecisionAllow},
			{"other id", "s3:GetObject", "ids/IDBOB/x", "alice", nil, DecisionNone},
			{"name is not the id", "s3:GetObject", "ids/alice/x", "alice", nil, DecisionNone},
		},
		"old version": {
			{"variables are literal in 2008-10-17", "s3:GetObject", "home/alice/x", "alice", nil, DecisionNone},
			{"the literal text matches", "s3:GetObject", "home/${aws:username}/x", "alice", nil, DecisionAllow},
		},
		"max keys": {
			{"small page of public", "s3:ListBucket", "logs", "alice", ctx("s3:max-keys", "50", "s3:prefix", "public/"), DecisionAllow},
			{"page at the limit", "s3:ListBucket", "logs", "alice", ctx("s3:max-keys", "100", "s3:prefix", "public/"), DecisionAllow},
			{"page too large", "s3:ListBucket", "logs", "alice", ctx("s3:max-keys", "1000", "s3:prefix", "public/"), DecisionNone},
			{"every condition must hold", "s3:ListBucket", "logs", "alice", ctx("s3:max-keys", "10", "s3:prefix", "private/"), DecisionNone},
			{"missing key fails a plain operator", "s3:ListBucket", "logs", "alice", ctx("s3:prefix", "public/"), DecisionNone},
		},
		"admin": {
			{"list users", "admin:ListUsers", "", "alice", nil, DecisionAllow},
			{"get user", "admin:GetUser", "", "alice", nil, DecisionAllow},
			{"create user not granted", "admin:CreateUser", "", "alice", nil, DecisionNone},
			{"group actions by pattern", "admin:AddUserToGroup", "", "alice", nil, DecisionAllow},
			{"list groups by pattern", "admin:ListGroups", "", "alice", nil, DecisionAllow},
			{"explicit deny of one", "admin:DisableGroup", "", "alice", nil, DecisionDeny},
			{"s3 action not granted", "s3:GetObject", "b/x", "alice", nil, DecisionNone},
		},
		"no admin by wildcard": {
			{"star on a bucket's objects grants the objects", "s3:GetObject", "photos/x", "alice", nil, DecisionAllow},
			{"star does not grant administration", "admin:CreateUser", "", "alice", nil, DecisionNone},
			{"NotAction does not grant administration", "admin:AttachUserOrGroupPolicy", "", "alice", nil, DecisionNone},
			{"admin named on one bucket does not either", "admin:CreateServiceAccount", "", "alice", nil, DecisionNone},
			{"star on every resource does not either", "admin:ServerInfo", "", "alice", nil, DecisionNone},
		},
		"escapes": {
			{"escaped star is a wildcard and $ literal", "s3:GetObject", "lit/any/alice$", "alice", nil, DecisionAllow},
			{"dollar needed", "s3:GetObject", "lit/any/alice", "alice", nil, DecisionNone},
		},
	}
	for pname, list := range cases {
		p, err := ParseIdentity([]byte(identityPolicies[pname]))
		if err != nil {
			t.Fatalf("%s: %v", pname, err)
		}
		for _, c := range list {
			t.Run(pname+"/"+c.name, func(t *testing.T) {
				if got := p.Evaluate(c.request()); got != c.want {
					t.Errorf("got %v, want %v", got, c.want)
				}
			})
		}
	}
}

// TestEvaluateBucketPrincipals covers bucket policies naming users, as in
// the S3 user guide's "Granting permissions to an IAM user" examples.
func TestEvaluateBucketPrincipals(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:user/bob"]},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::shared/*"},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/public/*"},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/readonly/*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::shared/*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/${aws:username}"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::shared/*"}]}`
	p, err := Parse([]byte(doc), "shared")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []evalCase{
		{"named user reads", "s3:GetObject", "shared/x", "alice", nil, DecisionAllow},
		{"named user writes", "s3:PutObject", "shared/x", "bob", nil, DecisionAllow},
		{"other user", "s3:GetObject", "shared/x", "carol", nil, DecisionNone},
		{"anyone reads public", "s3:GetObject", "shared/public/x", "carol", nil, DecisionAllow},
		{"anonymous reads public", "s3:GetObject", "shared/public/x", "", nil, DecisionAllow},
		{"anonymous elsewhere", "s3:GetObject", "shared/x", "", nil, DecisionNone},
		{"deny for bob", "s3:PutObject", "shared/readonly/x", "bob", nil, DecisionDeny},
		{"no deny for alice", "s3:PutObject", "shared/readonly/x", "alice", nil, DecisionAllow},
		{"account root is not a user", "s3:DeleteBucket", "shared/x", "carol", nil, DecisionNone},
		{"principals take no variables", "s3:DeleteObject", "shared/x", "alice", nil, DecisionNone},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := p.Evaluate(c.request()); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		name, doc string
		code      string // "" when valid
		where     string // text the message must contain
	}{
		{"readwrite", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}`, "", ""},
		{"star resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "", ""},
		{"admin without resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"admin:*"}]}`, "", ""},
		{"principal refused", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicy", "Statement[0]"},
		{"unknown admin action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"admin:Reboot"}]}`, "MalformedPolicy", "admin:Reboot"},
		{"other service", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}]}`, "MalformedPolicy", "iam:CreateUser"},
		{"s3 without resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`, "MalformedPolicy", "Resource"},
		{"bad resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:ec2:::x"}]}`, "MalformedPolicy", "arn:aws:ec2"},
		{"second statement named", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Perhaps","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicy", "Statement[1]"},
		{"syntax error position", "{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Effect\":\"Allow\",\n\"Action\":\"s3:*\" \"Resource\":\"*\"}]}", "MalformedPolicy", "line 3"},
		{"oversized", `{"Version":"2012-10-17","Id":"` + strings.Repeat("x", MaxSize) + `","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MalformedPolicy", "at most"},
		{"empty", ``, "MalformedPolicy", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIdentity([]byte(tt.doc))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("got %v, want code %s", err, tt.code)
			}
			if !strings.Contains(e.Message, tt.where) {
				t.Errorf("message %q does not say %q", e.Message, tt.where)
			}
		})
	}
}

// TestErrorPosition checks that a syntax or structure error carries the
// line and column where the document went wrong, counted in the document
// as sent (leading blank lines included), and other errors none.
func TestErrorPosition(t *testing.T) {
	for _, tc := range []struct {
		name      string
		doc       string
		line, col int
	}{
		{"missing comma", "{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Effect\":\"Allow\",\n\"Action\":\"s3:*\" \"Resource\":\"*\"}]}", 3, 17},
		{"leading blank lines", "\n\n{\"Version\":\"2012-10-17\",\n \"Statement\": [}", 4, 16},
		{"duplicate key", "{\"Version\":\"2012-10-17\",\n\"Version\":\"2012-10-17\"}", 2, 10},
		{"not a structure error", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIdentity([]byte(tc.doc))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *policy.Error", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("got line %d column %d (%s), want line %d column %d", pe.Line, pe.Column, pe.Message, tc.line, tc.col)
			}
		})
	}
}

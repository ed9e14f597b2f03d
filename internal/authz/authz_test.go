package authz

import (
	"testing"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/policy"
)

func mustIdentity(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.ParseIdentity([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecide(t *testing.T) {
	readAll := mustIdentity(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::*"}]}`)
	writeAll := mustIdentity(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	denySecret := mustIdentity(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secret/*"}]}`)
	onlyPhotos := mustIdentity(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}]}`)
	bucket, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/carol"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/*"},
		{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/pub/*"},
		{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/alice"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::shared/*"}]}`), "shared")
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string, ps ...*policy.Policy) Caller {
		id := &iam.Identity{User: name, Policies: ps}
		for range ps {
			id.PolicyNames = append(id.PolicyNames, "p")
		}
		return Caller{Identity: id}
	}
	svc := func(parent Caller, inline *policy.Policy) Caller {
		id := *parent.Identity
		id.ServiceAccount, id.Inline = true, inline
		return Caller{Identity: &id}
	}
	rootSvc := Caller{Identity: &iam.Identity{User: "root", ServiceAccount: true, ParentRoot: true, Inline: onlyPhotos}}
	// A web identity session whose subject is "carol": never the IAM
	// user carol, and ${aws:username} has no value for it.
	home := mustIdentity(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${jwt:sub}/*"},
		{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::users/${aws:username}/*"},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"jwt:email":"carol@example.com"}}}]}`)
	web := func(email string, ps ...*policy.Policy) Caller {
		id := &iam.Identity{User: iam.FederatedUser("carol"), Session: true, Federated: "https://idp",
			Claims: map[string]string{"sub": "carol", "email": email}, Policies: ps}
		for range ps {
			id.PolicyNames = append(id.PolicyNames, "p")
		}
		return Caller{Identity: id}
	}
	tests := []struct {
		name   string
		caller Caller
		req    Request
		bp     *policy.Policy
		want   bool
	}{
		{"root", Caller{Root: true}, Request{Action: "s3:DeleteBucket", Bucket: "x"}, nil, true},
		{"anonymous without policy", Caller{Anonymous: true}, Request{Action: "s3:GetObject", Bucket: "shared", Key: "pub/a"}, nil, false},
		{"anonymous by bucket policy", Caller{Anonymous: true}, Request{Action: "s3:GetObject", Bucket: "shared", Key: "pub/a"}, bucket, true},
		{"anonymous outside it", Caller{Anonymous: true}, Request{Action: "s3:GetObject", Bucket: "shared", Key: "a"}, bucket, false},
		{"identity allows", user("alice", readAll), Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}, nil, true},
		{"identity silent", user("alice", readAll), Request{Action: "s3:PutObject", Bucket: "b", Key: "k"}, nil, false},
		{"no policies", user("alice"), Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}, nil, false},
		{"deny in another identity policy wins", user("alice", writeAll, denySecret), Request{Action: "s3:GetObject", Bucket: "secret", Key: "k"}, nil, false},
		{"bucket policy grants a named user", user("carol"), Request{Action: "s3:PutObject", Bucket: "shared", Key: "k"}, bucket, true},
		{"bucket policy names someone else", user("dave"), Request{Action: "s3:PutObject", Bucket: "shared", Key: "k"}, bucket, false},
		{"bucket policy deny beats identity allow", user("alice", writeAll), Request{Action: "s3:DeleteObject", Bucket: "shared", Key: "k"}, bucket, false},
		{"public part for a user too", user("dave"), Request{Action: "s3:GetObject", Bucket: "shared", Key: "pub/x"}, bucket, true},
		{"svc inherits", svc(user("alice", readAll), nil), Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}, nil, true},
		{"svc narrowed out", svc(user("alice", readAll), onlyPhotos), Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}, nil, false},
		{"svc narrowed in", svc(user("alice", readAll), onlyPhotos), Request{Action: "s3:GetObject", Bucket: "photos", Key: "k"}, nil, true},
		{"svc cannot exceed parent", svc(user("alice", readAll), onlyPhotos), Request{Action: "s3:PutObject", Bucket: "photos", Key: "k"}, nil, false},
		{"svc gets parent's bucket grant", svc(user("carol"), nil), Request{Action: "s3:PutObject", Bucket: "shared", Key: "k"}, bucket, true},
		{"root svc narrowed in", rootSvc, Request{Action: "s3:DeleteBucket", Bucket: "photos"}, nil, true},
		{"root svc narrowed out", rootSvc, Request{Action: "s3:GetObject", Bucket: "other", Key: "k"}, nil, false},
		{"web identity: ${jwt:sub} in a resource", web("x", home), Request{Action: "s3:PutObject", Bucket: "home", Key: "carol/a"}, nil, true},
		{"web identity: another subject's folder", web("x", home), Request{Action: "s3:PutObject", Bucket: "home", Key: "dave/a"}, nil, false},
		{"web identity: no ${aws:username}", web("x", home), Request{Action: "s3:PutObject", Bucket: "users", Key: "oidc:carol/a"}, nil, false},
		{"web identity: jwt condition key holds", web("carol@example.com", home), Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}, nil, true},
		{"web identity: jwt condition key differs", web("mallory@example.com", home), Request{Action: "s3:GetObject", Bucket: "b", Key: "k"}, nil, false},
		{"web identity is not the IAM user of its name", web("x"), Request{Action: "s3:PutObject", Bucket: "shared", Key: "k"}, bucket, false},
		{"admin action needs admin policy", user("alice", writeAll), Request{Action: "admin:CreateUser"}, nil, false},
		{"admin action granted", user("alice", mustIdentity(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"admin:*"}]}`)), Request{Action: "admin:CreateUser"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.caller, tt.req, tt.bp)
			if d.Allowed != tt.want {
				t.Errorf("got %v (%s), want %v", d.Allowed, d.Reason, tt.want)
			}
			if d.Reason == "" {
				t.Errorf("no reason given")
			}
		})
	}
}

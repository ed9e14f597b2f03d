package authz

import (
	"testing"

	"github.com/hoardstore/hoard/internal/acl"
	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/policy"
)

func TestDecideACL(t *testing.T) {
	const owner = "owner-id"
	g := func(uri string, p acl.Permission) acl.Grant {
		return acl.Grant{Grantee: acl.Grantee{Type: acl.TypeGroup, URI: uri}, Permission: p}
	}
	publicRead := append(acl.Private(owner), g(acl.AllUsers, acl.Read))
	publicRW := append(acl.Private(owner), g(acl.AllUsers, acl.Read), g(acl.AllUsers, acl.Write))
	authRead := append(acl.Private(owner), g(acl.AuthenticatedUsers, acl.Read))
	bobACP := append(acl.Private(owner), acl.Grant{Grantee: acl.Grantee{Type: acl.TypeCanonicalUser, ID: acl.CanonicalID("bob")}, Permission: acl.ReadACP})
	denyGet, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret"}]}`), "b")
	if err != nil {
		t.Fatal(err)
	}
	publicPolicy, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), "b")
	if err != nil {
		t.Fatal(err)
	}
	narrow := mustIdentity(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	anon := Caller{Anonymous: true}
	bob := Caller{Identity: &iam.Identity{User: "bob"}}
	bobSvc := Caller{Identity: &iam.Identity{User: "bob", ServiceAccount: true, Inline: narrow}}
	objects := func(l acl.List) func() acl.List { return func() acl.List { return l } }
	get := func(key string) Request { return Request{Action: "s3:GetObject", Bucket: "b", Key: key} }
	tests := []struct {
		name   string
		caller Caller
		req    Request
		b      Bucket
		want   bool
	}{
		{"public-read object, anonymous", anon, get("k"), Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(publicRead)}, true},
		{"private object, anonymous", anon, get("k"), Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(nil)}, false},
		{"ACLs disabled", anon, get("k"), Bucket{Ownership: acl.BucketOwnerEnforced, ObjectACL: objects(publicRead)}, false},
		{"no ownership given", anon, get("k"), Bucket{ObjectACL: objects(publicRead)}, false},
		{"bucket ACL does not open objects", anon, get("k"), Bucket{Ownership: acl.ObjectWriter, ACL: publicRead}, false},
		{"public-read bucket lists", anon, Request{Action: "s3:ListBucket", Bucket: "b"}, Bucket{Ownership: acl.ObjectWriter, ACL: publicRead}, true},
		{"public-read bucket refuses writes", anon, Request{Action: "s3:PutObject", Bucket: "b", Key: "k"}, Bucket{Ownership: acl.ObjectWriter, ACL: publicRead}, false},
		{"public-read-write bucket takes writes", anon, Request{Action: "s3:PutObject", Bucket: "b", Key: "k"}, Bucket{Ownership: acl.BucketOwnerPreferred, ACL: publicRW}, true},
		{"authenticated-read, anonymous", anon, get("k"), Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(authRead)}, false},
		{"authenticated-read, user", bob, get("k"), Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(authRead)}, true},
		{"grant to a user's ID", bob, Request{Action: "s3:GetObjectAcl", Bucket: "b", Key: "k"}, Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(bobACP)}, true},
		{"READ_ACP is not WRITE_ACP", bob, Request{Action: "s3:PutObjectAcl", Bucket: "b", Key: "k"}, Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(bobACP)}, false},
		{"explicit deny beats the ACL", anon, get("secret"), Bucket{Ownership: acl.ObjectWriter, Policy: denyGet, ObjectACL: objects(publicRead)}, false},
		{"IgnorePublicAcls", anon, get("k"), Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(publicRead), PublicAccess: acl.PublicAccessBlock{IgnorePublicAcls: true}}, false},
		{"RestrictPublicBuckets, anonymous", anon, get("k"), Bucket{Policy: publicPolicy, PublicAccess: acl.PublicAccessBlock{RestrictPublicBuckets: true}}, false},
		{"RestrictPublicBuckets, user of the account", bob, get("k"), Bucket{Policy: publicPolicy, PublicAccess: acl.PublicAccessBlock{RestrictPublicBuckets: true}}, true},
		{"public policy without restriction", anon, get("k"), Bucket{Policy: publicPolicy}, true},
		{"service account narrowed below the ACL", bobSvc, get("k"), Bucket{Ownership: acl.ObjectWriter, ObjectACL: objects(authRead)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.b.Owner = owner
			d := DecideBucket(tt.caller, tt.req, tt.b)
			if d.Allowed != tt.want {
				t.Errorf("got %v (%s), want %v", d.Allowed, d.Reason, tt.want)
			}
			if d.Reason == "" {
				t.Errorf("no reason given")
			}
		})
	}
}

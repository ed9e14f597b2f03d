package acl

import (
	"errors"
	"net/http"
	"reflect"
	"testing"
)

const owner = "owner-id"

func known(id string) bool { return id == owner || id == CanonicalID("alice") }

func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func group(uri string, p Permission) Grant {
	return Grant{Grantee: Grantee{Type: TypeGroup, URI: uri}, Permission: p}
}
func user(id string, p Permission) Grant {
	return Grant{Grantee: Grantee{Type: TypeCanonicalUser, ID: id}, Permission: p}
}

func TestCanned(t *testing.T) {
	fc := user(owner, FullControl)
	tests := []struct {
		name   string
		target Target
		want   List
		code   string
	}{
		{"private", Object, List{fc}, ""},
		{"public-read", Object, List{fc, group(AllUsers, Read)}, ""},
		{"public-read-write", Bucket, List{fc, group(AllUsers, Read), group(AllUsers, Write)}, ""},
		{"authenticated-read", Object, List{fc, group(AuthenticatedUsers, Read)}, ""},
		{"bucket-owner-read", Object, List{fc}, ""},
		{"bucket-owner-full-control", Object, List{fc}, ""},
		{"bucket-owner-full-control", Bucket, List{fc}, ""},
		{"aws-exec-read", Object, List{fc, user(execReader, Read)}, ""},
		{"log-delivery-write", Bucket, List{fc, group(LogDelivery, Write), group(LogDelivery, ReadACP)}, ""},
		{"log-delivery-write", Object, nil, "InvalidArgument"},
		{"public-everything", Object, nil, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canned(tt.name, owner, tt.target)
			if codeOf(err) != tt.code {
				t.Fatalf("error: got %q, want %q", codeOf(err), tt.code)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFromHeaders(t *testing.T) {
	alice := CanonicalID("alice")
	tests := []struct {
		name   string
		header map[string]string
		want   List
		set    bool
		code   string
	}{
		{"none", nil, nil, false, ""},
		{"canned", map[string]string{"X-Amz-Acl": "public-read"}, List{user(owner, FullControl), group(AllUsers, Read)}, true, ""},
		{"grants", map[string]string{"X-Amz-Grant-Read": `uri="` + AllUsers + `", id=` + alice, "X-Amz-Grant-Full-Control": `id="` + owner + `"`},
			List{group(AllUsers, Read), user(alice, Read), user(owner, FullControl)}, true, ""},
		{"write-acp", map[string]string{"X-Amz-Grant-Write-Acp": "ID=" + alice}, List{user(alice, WriteACP)}, true, ""},
		{"canned and grants", map[string]string{"X-Amz-Acl": "private", "X-Amz-Grant-Read": "id=" + alice}, nil, false, "InvalidRequest"},
		{"unknown id", map[string]string{"X-Amz-Grant-Read": "id=nobody"}, nil, false, "InvalidArgument"},
		{"unknown group", map[string]string{"X-Amz-Grant-Read": `uri="http://acs.amazonaws.com/groups/global/Nobody"`}, nil, false, "InvalidArgument"},
		{"email", map[string]string{"X-Amz-Grant-Read": `emailAddress="a@example.com"`}, nil, false, "UnresolvableGrantByEmailAddress"},
		{"no equals", map[string]string{"X-Amz-Grant-Read": "alice"}, nil, false, "InvalidArgument"},
		{"unknown kind", map[string]string{"X-Amz-Grant-Read": "arn=x"}, nil, false, "InvalidArgument"},
		{"bad canned", map[string]string{"X-Amz-Acl": "open"}, nil, false, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, set, err := FromHeaders(h, owner, Object, known)
			if codeOf(err) != tt.code {
				t.Fatalf("error: got %q, want %q", codeOf(err), tt.code)
			}
			if set != tt.set || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v (set %v), want %+v (set %v)", got, set, tt.want, tt.set)
			}
		})
	}
}

func TestParseXML(t *testing.T) {
	doc := func(ownerID, grants string) string {
		return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + ownerID +
			`</ID></Owner><AccessControlList>` + grants + `</AccessControlList></AccessControlPolicy>`
	}
	grant := func(typ, inner, perm string) string {
		return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="` + typ + `">` + inner +
			`</Grantee><Permission>` + perm + `</Permission></Grant>`
	}
	tests := []struct {
		name, doc string
		want      List
		code      string
	}{
		{"owner only", doc(owner, grant("CanonicalUser", "<ID>"+owner+"</ID>", "FULL_CONTROL")), List{user(owner, FullControl)}, ""},
		{"public read", doc(owner, grant("CanonicalUser", "<ID>"+owner+"</ID>", "FULL_CONTROL")+grant("Group", "<URI>"+AllUsers+"</URI>", "READ")),
			List{user(owner, FullControl), group(AllUsers, Read)}, ""},
		{"no grants", doc(owner, ""), List{}, ""},
		{"not XML", "<AccessControlPolicy", nil, "MalformedACLError"},
		{"other root", "<Foo/>", nil, "MalformedACLError"},
		{"no owner", `<AccessControlPolicy><AccessControlList/></AccessControlPolicy>`, nil, "MalformedACLError"},
		{"other owner", doc("someone", ""), nil, "AccessDenied"},
		{"bad permission", doc(owner, grant("CanonicalUser", "<ID>"+owner+"</ID>", "EVERYTHING")), nil, "MalformedACLError"},
		{"no type", doc(owner, `<Grant><Grantee><ID>`+owner+`</ID></Grantee><Permission>READ</Permission></Grant>`), nil, "MalformedACLError"},
		{"user without ID", doc(owner, grant("CanonicalUser", "", "READ")), nil, "MalformedACLError"},
		{"unknown user", doc(owner, grant("CanonicalUser", "<ID>nobody</ID>", "READ")), nil, "InvalidArgument"},
		{"unknown group", doc(owner, grant("Group", "<URI>http://example.com/g</URI>", "READ")), nil, "InvalidArgument"},
		{"email", doc(owner, grant("AmazonCustomerByEmail", "<EmailAddress>a@example.com</EmailAddress>", "READ")), nil, "UnresolvableGrantByEmailAddress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseXML([]byte(tt.doc), owner, known)
			if codeOf(err) != tt.code {
				t.Fatalf("error: got %q, want %q", codeOf(err), tt.code)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAllows(t *testing.T) {
	alice := Principal{ID: CanonicalID("alice")}
	anon := Principal{Anonymous: true}
	l := List{user(owner, FullControl), group(AllUsers, Read), group(AuthenticatedUsers, ReadACP),
		user(alice.ID, WriteACP), group(LogDelivery, Write)}
	tests := []struct {
		name string
		p    Principal
		perm Permission
		want bool
	}{
		{"anyone reads", anon, Read, true},
		{"anonymous cannot read the ACL", anon, ReadACP, false},
		{"signed-in reads the ACL", alice, ReadACP, true},
		{"user's own grant", alice, WriteACP, true},
		{"nobody writes", alice, Write, false},
		{"full control covers write", Principal{ID: owner}, Write, true},
		{"another user", Principal{ID: "x"}, WriteACP, false},
		{"anonymous never matches an ID", Principal{Anonymous: true, ID: owner}, Write, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.Allows(tt.p, tt.perm); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if !l.IsPublic() || l.WithoutPublic().IsPublic() || l.WithoutPublic().Allows(anon, Read) {
		t.Errorf("public grants: IsPublic %v, without them %+v", l.IsPublic(), l.WithoutPublic())
	}
	if !Private(owner).IsPrivate(owner) || l.IsPrivate(owner) || (List{}).IsPrivate(owner) {
		t.Errorf("IsPrivate wrong")
	}
}

func TestEncodeDecode(t *testing.T) {
	for _, l := range []List{nil, {}, {user(owner, FullControl), group(AllUsers, Read)}} {
		got, err := Decode(l.Encode())
		if err != nil || !reflect.DeepEqual(got, l) {
			t.Errorf("round trip of %#v: got %#v, %v", l, got, err)
		}
	}
	if _, err := Decode([]byte("{")); err == nil {
		t.Errorf("Decode of a damaged value: no error")
	}
}

func TestOwnershipAndPublicAccessBlock(t *testing.T) {
	if o, set := OwnershipOf(nil, false); o != BucketOwnerEnforced || !set {
		t.Errorf("default ownership: got %q %v", o, set)
	}
	if o, set := OwnershipOf(StoredOwnership(""), true); o != ObjectWriter || set || !o.ACLsEnabled() {
		t.Errorf("deleted ownership: got %q %v", o, set)
	}
	for _, o := range []Ownership{BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter} {
		got, err := ParseOwnershipControls(OwnershipControls(o))
		if err != nil || got != o {
			t.Errorf("round trip %q: got %q, %v", o, got, err)
		}
	}
	for _, bad := range []string{"", "<OwnershipControls/>", "<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>",
		"<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>"} {
		if _, err := ParseOwnershipControls([]byte(bad)); codeOf(err) != "MalformedXML" {
			t.Errorf("ParseOwnershipControls(%q): got %v, want MalformedXML", bad, err)
		}
	}
	p := PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}
	got, err := ParsePublicAccessBlock(p.Document())
	if err != nil || got != p {
		t.Errorf("PAB round trip: got %+v, %v", got, err)
	}
	got, err = ParsePublicAccessBlock([]byte(`<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>`))
	if err != nil || got != (PublicAccessBlock{IgnorePublicAcls: true}) {
		t.Errorf("PAB with one flag: got %+v, %v", got, err)
	}
	for _, bad := range []string{"", "<Other/>", `<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>`} {
		if _, err := ParsePublicAccessBlock([]byte(bad)); codeOf(err) != "MalformedXML" {
			t.Errorf("ParsePublicAccessBlock(%q): got %v, want MalformedXML", bad, err)
		}
	}
}

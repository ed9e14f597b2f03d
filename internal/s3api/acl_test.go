package s3api

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/hoardstore/hoard/internal/acl"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestWithACL(t *testing.T) {
	src := map[string]string{"content-type": "text/plain", aclMetaKey: "[source grants]", "x-hoard-internal-other": "x"}
	tests := []struct {
		name string
		enc  string
		want map[string]string
	}{
		{"private copy drops the source's grants", "", map[string]string{"content-type": "text/plain"}},
		{"the request's grants", "[new]", map[string]string{"content-type": "text/plain", aclMetaKey: "[new]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withACL(src, tt.enc)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if src[aclMetaKey] != "[source grants]" {
				t.Errorf("withACL changed its input: %v", src)
			}
		})
	}
}

func TestInternalMetadataNeverAHeader(t *testing.T) {
	hdr := http.Header{}
	setObjectHeaders(hdr, storage.ObjectInfo{Metadata: map[string]string{"content-type": "a/b", aclMetaKey: "[grants]", "x-amz-meta-k": "v"}})
	for name := range hdr {
		if internalMeta(http.CanonicalHeaderKey(name)) || internalMeta(name) || name == "X-Hoard-Internal-Acl" {
			t.Errorf("header %s answered", name)
		}
	}
	if hdr.Get("Content-Type") != "a/b" || hdr["x-amz-meta-k"][0] != "v" {
		t.Errorf("stored headers lost: %v", hdr)
	}
	meta, err := metadataFromHeaders(http.Header{"X-Hoard-Internal-Acl": {"[smuggled]"}})
	if err != nil || meta[aclMetaKey] != "" {
		t.Errorf("a request header reached the reserved entry: %v, %v", meta, err)
	}
}

func TestBucketACLsAdmit(t *testing.T) {
	const owner = "owner"
	public, _ := acl.Canned("public-read", owner, acl.Object)
	private := acl.Private(owner)
	enabled := map[string][]byte{storage.ConfigOwnership: acl.StoredOwnership(acl.ObjectWriter)}
	blocked := map[string][]byte{storage.ConfigOwnership: acl.StoredOwnership(acl.ObjectWriter),
		storage.ConfigPublicAccessBlock: acl.PublicAccessBlock{BlockPublicAcls: true}.Document()}
	tests := []struct {
		name    string
		configs map[string][]byte
		l       acl.List
		code    string
	}{
		{"default refuses public", nil, public, "AccessControlListNotSupported"},
		{"default takes private", nil, private, ""},
		{"enabled takes public", enabled, public, ""},
		{"BlockPublicAcls refuses public", blocked, public, "AccessDenied"},
		{"BlockPublicAcls takes private", blocked, private, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := aclsOf(tt.configs)
			if err != nil {
				t.Fatal(err)
			}
			code := ""
			if err := st.admit(tt.l, owner); err != nil {
				code = toAPIError(err).Code
			}
			if code != tt.code {
				t.Errorf("got %q, want %q", code, tt.code)
			}
		})
	}
}

package s3api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/acl"
	"github.com/hoardstore/hoard/internal/storage"
)

// ACLs: parsed and judged by internal/acl, stored here. A bucket's grants
// are its record's storage.ConfigACL document; an object version's are
// the reserved metadata entry aclMetaKey, which no request can set or
// read as a header (metadataFromHeaders takes only the headers S3
// stores, setObjectHeaders leaves it out), so it travels with the version
// through heal and copies of the record. A private ACL stores nothing.

// aclMetaKey is the metadata entry of a version's grants.
const aclMetaKey = "x-hoard-internal-acl"

// internalMeta reports a metadata entry that is Hoard's, not a header.
func internalMeta(name string) bool { return strings.HasPrefix(name, "x-hoard-internal-") }

// bucketACLs are a bucket's ACL settings, read from its record.
type bucketACLs struct {
	ownership  acl.Ownership
	configured bool // ownership controls are set
	grants     acl.List
	pab        acl.PublicAccessBlock
	pabSet     bool
}

// aclsOf reads the ACL settings of a bucket's configuration documents.
func aclsOf(configs map[string][]byte) (bucketACLs, error) {
	var st bucketACLs
	doc, ok := configs[storage.ConfigOwnership]
	st.ownership, st.configured = acl.OwnershipOf(doc, ok)
	var err error
	if st.grants, err = acl.Decode(configs[storage.ConfigACL]); err != nil {
		return st, err
	}
	if doc, ok := configs[storage.ConfigPublicAccessBlock]; ok {
		if st.pab, err = acl.ParsePublicAccessBlock(doc); err != nil {
			return st, err
		}
		st.pabSet = true
	}
	return st, nil
}

// bucketACLs returns the ACL settings of the request's bucket.
func (req *request) bucketACLs() (bucketACLs, error) {
	if _, _, err := req.bucketConfig(storage.ConfigACL); err != nil {
		return bucketACLs{}, err
	}
	return aclsOf(req.bucket.Configs)
}

// admit refuses an ACL the bucket's settings do not allow to be set:
// with ACLs disabled anything but the owner's full control
// (AccessControlListNotSupported), with BlockPublicAcls a public one
// (AccessDenied).
func (st bucketACLs) admit(l acl.List, owner string) error {
	if !st.ownership.ACLsEnabled() && !l.IsPrivate(owner) {
		return errACLNotSupported
	}
	if st.pab.BlockPublicAcls && l.IsPublic() {
		return newError("AccessDenied", "Access Denied: the bucket's public access block refuses public ACLs (BlockPublicAcls).")
	}
	return nil
}

// errACLNotSupported is S3's answer to ACLs on a bucket with ACLs
// disabled (BucketOwnerEnforced, the default of new buckets).
var errACLNotSupported = newError("AccessControlListNotSupported")

// aclError turns a refusal of internal/acl into its S3 error.
func aclError(err error) error {
	var e *acl.Error
	if !errors.As(err, &e) {
		return err
	}
	out := newError(e.Code, e.Message)
	if e.ArgumentName != "" {
		out = out.with("ArgumentName", e.ArgumentName, "ArgumentValue", e.ArgumentValue)
	}
	return out
}

// knownID reports whether id is the canonical ID of a principal: the
// owner or an IAM user.
func (h *Handler) knownID(id string) bool {
	_, ok := h.principalName(id)
	return ok
}

// principalName returns the display name of a canonical ID.
func (h *Handler) principalName(id string) (string, bool) {
	if id == h.owner.ID {
		return h.owner.DisplayName, true
	}
	if h.cfg.Users != nil {
		for _, name := range h.cfg.Users() {
			if acl.CanonicalID(name) == id {
				return name, true
			}
		}
	}
	return "", false
}

// headerACL reads the ACL a request's headers set (x-amz-acl or
// x-amz-grant-*), and whether they set one.
func (req *request) headerACL(h http.Header, t acl.Target) (acl.List, bool, error) {
	l, ok, err := acl.FromHeaders(h, req.h.owner.ID, t, req.h.knownID)
	return l, ok, aclError(err)
}

// writeACL returns the stored form of the ACL an object write (PutObject,
// CopyObject, CreateMultipartUpload, POST) asks for in h: "" when private,
// after checking the bucket allows it.
func (req *request) writeACL(h http.Header) (string, error) {
	l, ok, err := req.headerACL(h, acl.Object)
	if err != nil || !ok || l.IsPrivate(req.h.owner.ID) {
		return "", err
	}
	st, err := req.bucketACLs()
	if err != nil {
		return "", err
	}
	if err := st.admit(l, req.h.owner.ID); err != nil {
		return "", err
	}
	return string(l.Encode()), nil
}

// withACL returns meta with the version grants enc ("" none), as a copy.
func withACL(meta map[string]string, enc string) map[string]string {
	out := make(map[string]string, len(meta)+1)
	for k, v := range meta {
		if !internalMeta(k) {
			out[k] = v
		}
	}
	if enc != "" {
		out[aclMetaKey] = enc
	}
	return out
}

// aclDocument writes the AccessControlPolicy of grants l (nil: private).
func (req *request) aclDocument(l acl.List) error {
	name := func(id string) string { n, _ := req.h.principalName(id); return n }
	return req.writeXML(acl.Document(l, acl.Owner{ID: req.h.owner.ID, DisplayName: req.h.owner.DisplayName}, name))
}

// getBucketACL answers a bucket's ACL (GetBucketAcl).
func (req *request) getBucketACL() error {
	st, err := req.bucketACLs()
	if err != nil {
		return err
	}
	return req.aclDocument(st.grants)
}

// getObjectACL answers a version's ACL (GetObjectAcl); a bucket with ACLs
// disabled answers the owner's full control whatever was set before.
func (req *request) getObjectACL() error {
	info, err := req.h.cfg.Layer.StatObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.GetOptions{VersionID: req.versionID()})
	if err != nil {
		return err
	}
	st, err := req.bucketACLs()
	if err != nil {
		return err
	}
	var l acl.List
	if st.ownership.ACLsEnabled() {
		if l, err = acl.Decode([]byte(info.Metadata[aclMetaKey])); err != nil {
			return err
		}
	}
	setVersionHeader(req.w.Header(), info)
	return req.aclDocument(l)
}

// requestACL reads the ACL PutBucketAcl or PutObjectAcl sets: from the
// headers or from an AccessControlPolicy body, never both.
func (req *request) requestACL(t acl.Target) (acl.List, error) {
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return nil, err
	}
	l, fromHeaders, err := req.headerACL(req.r.Header, t)
	if err != nil {
		return nil, err
	}
	body := len(strings.TrimSpace(string(data))) > 0
	switch {
	case fromHeaders && body:
		return nil, aclError(acl.ErrHeaderAndBody)
	case fromHeaders:
		return l, nil
	case body:
		l, err := acl.ParseXML(data, req.h.owner.ID, req.h.knownID)
		return l, aclError(err)
	}
	return nil, newError("MissingSecurityHeader", "Your request was missing a required header: x-amz-acl")
}

// putACL sets a bucket's (PutBucketAcl) or a version's (PutObjectAcl)
// ACL, after the bucket's ownership and public access block allowed it.
func (req *request) putACL() error {
	t := acl.Object
	if req.route.Key == "" {
		t = acl.Bucket
	}
	st, err := req.bucketACLs()
	if err != nil {
		return err
	}
	l, err := req.requestACL(t)
	if err != nil && !st.ownership.ACLsEnabled() {
		// With ACLs disabled, an ACL naming another owner or grantee is
		// refused as any ACL beyond the owner's is.
		switch toAPIError(err).Code {
		case "AccessDenied", "InvalidArgument", "UnresolvableGrantByEmailAddress":
			return errACLNotSupported
		}
	}
	if err != nil {
		return err
	}
	if err := st.admit(l, req.h.owner.ID); err != nil {
		return err
	}
	enc := l.Encode()
	if l.IsPrivate(req.h.owner.ID) {
		enc = nil
	}
	if t == acl.Bucket {
		err = req.h.cfg.Layer.UpdateBucketConfigs(req.r.Context(), req.route.Bucket, func(c map[string][]byte) (map[string][]byte, error) {
			cur, err := aclsOf(c) // decided again under the bucket's lock
			if err != nil {
				return nil, err
			}
			if err := cur.admit(l, req.h.owner.ID); err != nil {
				return nil, err
			}
			setConfig(c, storage.ConfigACL, enc)
			return c, nil
		})
	} else {
		var info storage.ObjectInfo
		info, err = req.h.cfg.Layer.UpdateObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.UpdateOptions{
			VersionID:   req.versionID(),
			SetMetadata: map[string]string{aclMetaKey: string(enc)},
		})
		if err == nil {
			setVersionHeader(req.w.Header(), info)
		}
	}
	if err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// setConfig sets (nil: removes) one configuration document of c.
func setConfig(c map[string][]byte, name string, doc []byte) {
	if doc == nil {
		delete(c, name)
	} else {
		c[name] = doc
	}
}

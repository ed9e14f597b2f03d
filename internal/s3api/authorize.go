package s3api

import (
	"errors"
	"net/http"

	"github.com/hoardstore/hoard/internal/acl"
	"github.com/hoardstore/hoard/internal/authz"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// access is what a request that is not the root user's was allowed by:
// its caller and condition keys, decided against identity policies and
// bucket policies by authz. Handlers that decide more than the request's
// own action (DeleteObjects per key, copies' sources, ListBuckets per
// bucket) ask it again; no handler decides access on its own.
type access struct {
	req     *request
	caller  authz.Caller
	context map[string]string
	sets    map[string][]string
}

// allows reports whether the caller may take action on bucket/key, under
// the request's bucket policy when bucket is the request's bucket.
func (a *access) allows(bucket, key, action string) bool {
	version := ""
	if bucket == a.req.route.Bucket && key == a.req.route.Key {
		version = a.req.versionID()
	}
	return a.decide(bucket, key, version, action).Allowed
}

// decide asks authz about action on bucket/key (version: the version an
// object ACL is read from, "" the current one), with the bucket's policy
// and ACL settings.
func (a *access) decide(bucket, key, version, action string) authz.Decision {
	b, err := a.req.authzBucket(bucket)
	if err != nil && !errors.Is(err, storage.ErrBucketNotFound) {
		// A bucket policy's deny or a public access block could not be
		// read: refuse rather than decide without them.
		a.req.h.cfg.Logger.Warn("reading a bucket's access settings", "request_id", a.req.id, "bucket", bucket, "err", err)
		return authz.Decision{Reason: "the bucket's access settings could not be read"}
	}
	if key != "" {
		b.ObjectACL = func() acl.List { return a.req.objectGrants(bucket, key, version) }
	}
	return authz.DecideBucket(a.caller, authz.Request{Action: action, Bucket: bucket, Key: key, Context: a.context, Sets: a.sets}, b)
}

// authzBucket returns what authz needs of bucket: its policy and ACL
// settings (none for a bucket that does not exist; an error for one that
// cannot be read, which decide refuses).
func (req *request) authzBucket(bucket string) (authz.Bucket, error) {
	b := authz.Bucket{Owner: req.h.owner.ID}
	if bucket == "" {
		return b, nil
	}
	info, err := req.bucketInfoOf(bucket)
	if err != nil {
		return b, err
	}
	if doc, ok := info.Configs[storage.ConfigPolicy]; ok {
		if b.Policy, err = req.h.policies.get(bucket, doc); err != nil {
			return b, err
		}
	}
	st, err := aclsOf(info.Configs)
	if err != nil {
		return b, err
	}
	b.Ownership, b.ACL, b.PublicAccess = st.ownership, st.grants, st.pab
	return b, nil
}

// bucketInfoOf reads bucket's record (the request's own once per request).
func (req *request) bucketInfoOf(bucket string) (storage.BucketInfo, error) {
	if bucket == req.route.Bucket {
		_, _, err := req.bucketConfig(storage.ConfigPolicy)
		return req.bucket, err
	}
	return req.h.cfg.Layer.GetBucketInfo(req.r.Context(), bucket)
}

// objectGrants returns the grants of a version (nil: private, or it
// cannot be read, which grants nothing beyond the owner's).
func (req *request) objectGrants(bucket, key, version string) acl.List {
	info, err := req.h.cfg.Layer.StatObject(req.r.Context(), bucket, key, storage.GetOptions{VersionID: version})
	if err != nil {
		return nil
	}
	l, err := acl.Decode([]byte(info.Metadata[aclMetaKey]))
	if err != nil {
		req.h.cfg.Logger.Warn("reading an object's ACL", "request_id", req.id, "bucket", bucket, "key", key, "err", err)
		return nil
	}
	return l
}

// policyOf returns the parsed policy of bucket (nil when none).
func (req *request) policyOf(bucket string) (*policy.Policy, error) {
	b, err := req.authzBucket(bucket)
	return b.Policy, err
}

// caller says who signed the request: root, an IAM identity or nobody.
func (req *request) caller() (authz.Caller, error) {
	if req.auth.Anonymous {
		return authz.Caller{Anonymous: true}, nil
	}
	if req.session != nil && req.auth.AccessKey == req.session.AccessKey {
		return authz.Caller{Identity: req.session}, nil
	}
	if req.auth.AccessKey == req.h.cfg.RootAccessKey || req.h.cfg.Identities == nil {
		return authz.Caller{Root: true}, nil
	}
	id, ok := req.h.cfg.Identities(req.auth.AccessKey)
	if !ok {
		// Removed or disabled between the signature check and now.
		return authz.Caller{}, sigv4.ErrInvalidAccessKeyID
	}
	return authz.Caller{Identity: id}, nil
}

// authorize decides the request before its handler runs: the root user
// may do everything; anyone else what the policies allow.
func (req *request) authorize() error {
	caller, err := req.caller()
	if err != nil {
		return err
	}
	if caller.Root {
		return nil
	}
	if caller.Anonymous && (!anonymousOps[req.route.Op] || req.route.Bucket == "") {
		return newError("AccessDenied")
	}
	action := req.action()
	if action == "" {
		return newError("AccessDenied")
	}
	bp, err := req.bucketPolicy()
	if err != nil && !errors.Is(err, storage.ErrBucketNotFound) {
		// The bucket's policy may deny this caller, and its access
		// settings may block what an identity policy allows: without
		// them nothing is decided (a lost quorum answers 503).
		return err
	}
	uses := usesKey(caller, bp)
	tags, err := req.requestTagBody(uses)
	if err != nil {
		return err
	}
	a := &access{req: req, caller: caller}
	a.context, a.sets = req.requestKeys(uses, tags)
	// DeleteObjects is decided per key as it runs, ListBuckets per bucket.
	if req.route.Op != OpDeleteObjects && req.route.Op != OpListBuckets {
		if d := a.decide(req.route.Bucket, req.route.Key, req.versionID(), action); !d.Allowed {
			req.h.cfg.Logger.Debug("access denied", "request_id", req.id, "action", action, "reason", d.Reason)
			return newError("AccessDenied")
		}
	}
	// Lock headers on a write (an upload or a copy) need the lock
	// permissions too.
	writes := req.route.Op == OpPutObject || req.route.Op == OpCreateMultipartUpload || req.route.Op == OpCopyObject
	if writes {
		if err := checkLockPermissions(a, req.r.Header, req.route.Bucket, req.route.Key); err != nil {
			return err
		}
	}
	if writes {
		if err := req.checkACLPermission(a, req.r.Header, req.route.Key); err != nil {
			return err
		}
	}
	// Tags set with a write need the tagging permission too.
	if writes && req.r.Header.Get("X-Amz-Tagging") != "" &&
		!a.allows(req.route.Bucket, req.route.Key, "s3:PutObjectTagging") {
		return newError("AccessDenied")
	}
	if caller.Anonymous && (req.route.Op == OpGetObject || req.route.Op == OpHeadObject) {
		q := req.r.URL.Query()
		for _, o := range responseOverrides {
			if q.Has(o.param) {
				return newError("InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.")
			}
		}
	}
	req.access = a
	return nil
}

// authorizeCopySource checks that the caller may read a copy's source.
func (req *request) authorizeCopySource(src copySource) error {
	if req.access == nil {
		return nil
	}
	action := "s3:GetObject"
	if src.versionID != "" {
		action = "s3:GetObjectVersion"
	}
	if !req.access.decide(src.bucket, src.key, src.versionID, action).Allowed {
		return newError("AccessDenied")
	}
	return nil
}

// visibleBucket reports whether ListBuckets shows bucket to the caller:
// everything with s3:ListAllMyBuckets, else the buckets it may list.
func (req *request) visibleBucket(listAll bool, bucket string) bool {
	if req.access == nil || listAll {
		return true
	}
	return req.access.allows(bucket, "", "s3:ListBucket")
}

// hideMissing turns "no such key" into AccessDenied for a caller (not the
// root user) who may not list the bucket, as S3 does, so that the
// existence of keys is not revealed to those who may only read some of
// them.
func (req *request) hideMissing(err error) error {
	if req.access == nil || err == nil {
		return err
	}
	if code := toAPIError(err).Code; code != "NoSuchKey" && code != "NoSuchVersion" {
		return err
	}
	if req.access.allows(req.route.Bucket, "", "s3:ListBucket") {
		return err
	}
	return newError("AccessDenied")
}

// authorizePost decides a browser upload signed by accessKey: s3:PutObject
// on the key (and s3:PutObjectTagging when it sets tags, the lock
// permissions when it sets object lock fields, s3:PutObjectAcl when it
// sets an ACL beyond the owner's), as a PUT would.
func (req *request) authorizePost(accessKey, key string, tagged bool, lock, acls http.Header) error {
	req.auth = &sigv4.Result{AccessKey: accessKey}
	caller, err := req.caller()
	if err != nil || caller.Root {
		return err
	}
	a := &access{req: req, caller: caller}
	a.context, a.sets = req.requestKeys(func(string) bool { return false }, nil)
	if !a.allows(req.route.Bucket, key, "s3:PutObject") || tagged && !a.allows(req.route.Bucket, key, "s3:PutObjectTagging") {
		return newError("AccessDenied")
	}
	if err := checkLockPermissions(a, lock, req.route.Bucket, key); err != nil {
		return err
	}
	if err := req.checkACLPermission(a, acls, key); err != nil {
		return err
	}
	req.access = a
	return nil
}

// checkACLPermission refuses a write that sets an ACL other than a
// private one (in h) unless the caller may s3:PutObjectAcl, as S3 asks;
// a private one, which s3cmd sends on every upload, needs nothing more.
func (req *request) checkACLPermission(a *access, h http.Header, key string) error {
	l, ok, err := acl.FromHeaders(h, req.h.owner.ID, acl.Object, req.h.knownID)
	if err != nil || !ok || l.IsPrivate(req.h.owner.ID) {
		return nil // refused or stored by the handler
	}
	if !a.allows(req.route.Bucket, key, "s3:PutObjectAcl") {
		return newError("AccessDenied")
	}
	return nil
}

// usesKey tells whether any policy that applies to the caller names a
// condition key starting with prefix (so that costly keys, such as an
// object's tags, are only fetched when needed).
func usesKey(caller authz.Caller, bucketPolicy *policy.Policy) func(string) bool {
	return func(prefix string) bool {
		if bucketPolicy != nil && bucketPolicy.UsesKey(prefix) {
			return true
		}
		if id := caller.Identity; id != nil {
			for _, p := range id.Policies {
				if p.UsesKey(prefix) {
					return true
				}
			}
			if id.Inline != nil && id.Inline.UsesKey(prefix) {
				return true
			}
		}
		return false
	}
}

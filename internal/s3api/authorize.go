package s3api

import (
	"errors"
	"net/http"

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
	return a.decide(bucket, key, action).Allowed
}

func (a *access) decide(bucket, key, action string) authz.Decision {
	p, err := a.req.policyOf(bucket)
	if err != nil && !errors.Is(err, storage.ErrBucketNotFound) {
		a.req.h.cfg.Logger.Warn("reading a bucket policy", "request_id", a.req.id, "bucket", bucket, "err", err)
	}
	return authz.Decide(a.caller, authz.Request{Action: action, Bucket: bucket, Key: key, Context: a.context, Sets: a.sets}, p)
}

// policyOf returns the parsed policy of bucket (nil when none).
func (req *request) policyOf(bucket string) (*policy.Policy, error) {
	if bucket == "" {
		return nil, nil
	}
	if bucket == req.route.Bucket {
		return req.bucketPolicy()
	}
	info, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := info.Configs[storage.ConfigPolicy]
	if !ok {
		return nil, nil
	}
	return req.h.policies.get(bucket, doc)
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
		req.h.cfg.Logger.Warn("reading a bucket policy", "request_id", req.id, "bucket", req.route.Bucket, "err", err)
	}
	if caller.Anonymous && bp == nil {
		// A missing bucket is AccessDenied too, so anonymous callers
		// learn nothing.
		return newError("AccessDenied")
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
		if d := a.decide(req.route.Bucket, req.route.Key, action); !d.Allowed {
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
	if !req.access.allows(src.bucket, src.key, action) {
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
// permissions when it sets object lock fields), as a PUT would.
func (req *request) authorizePost(accessKey, key string, tagged bool, lock http.Header) error {
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
	req.access = a
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

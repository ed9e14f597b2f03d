package s3api

import (
	"encoding/xml"
	"errors"
	"strconv"

	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/storage"
)

// putBucketPolicy stores a bucket policy (PutBucketPolicy).
func (req *request) putBucketPolicy() error {
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	if _, err := policy.Parse(data, req.route.Bucket); err != nil {
		var e *policy.Error
		if errors.As(err, &e) {
			return newError(e.Code, e.Message)
		}
		return err
	}
	// Stored as sent: GetBucketPolicy answers the document itself.
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, storage.ConfigPolicy, data); err != nil {
		return err
	}
	return req.noContent()
}

// getBucketPolicy answers a bucket's policy document (GetBucketPolicy).
func (req *request) getBucketPolicy() error {
	doc, ok, err := req.bucketConfig(storage.ConfigPolicy)
	if err != nil {
		return err
	}
	if !ok {
		return newError("NoSuchBucketPolicy")
	}
	req.writeDocument("application/json", doc)
	return nil
}

// deleteBucketPolicy removes a bucket's policy (DeleteBucketPolicy).
func (req *request) deleteBucketPolicy() error { return req.deleteBucketConfig(storage.ConfigPolicy) }

type policyStatusXML struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

// getBucketPolicyStatus tells whether the policy makes the bucket public
// (GetBucketPolicyStatus).
func (req *request) getBucketPolicyStatus() error {
	p, err := req.bucketPolicy()
	if err != nil {
		return err
	}
	if p == nil {
		return newError("NoSuchBucketPolicy")
	}
	return req.writeXML(policyStatusXML{Xmlns: s3NS, IsPublic: p.IsPublic()})
}

// bucketPolicy returns the parsed policy of the request's bucket, nil when
// it has none.
func (req *request) bucketPolicy() (*policy.Policy, error) {
	doc, ok, err := req.bucketConfig(storage.ConfigPolicy)
	if err != nil || !ok {
		return nil, err
	}
	return req.h.policies.get(req.route.Bucket, doc)
}

// anonymousActions maps the operations a bucket policy can open to
// anonymous callers to their S3 actions (versioned variants are chosen by
// anonymousAction). Every other operation (bucket configuration, creating
// and deleting buckets, listing buckets, copies) is the root user's alone.
var anonymousActions = map[Op]string{
	OpGetObject:               "s3:GetObject",
	OpHeadObject:              "s3:GetObject",
	OpGetObjectTagging:        "s3:GetObjectTagging",
	OpPutObjectTagging:        "s3:PutObjectTagging",
	OpDeleteObjectTagging:     "s3:DeleteObjectTagging",
	OpGetObjectAttributes:     "s3:GetObjectAttributes",
	OpPutObject:               "s3:PutObject",
	OpCreateMultipartUpload:   "s3:PutObject",
	OpUploadPart:              "s3:PutObject",
	OpCompleteMultipartUpload: "s3:PutObject",
	OpAbortMultipartUpload:    "s3:AbortMultipartUpload",
	OpListParts:               "s3:ListMultipartUploadParts",
	OpDeleteObject:            "s3:DeleteObject",
	OpDeleteObjects:           "s3:DeleteObject", // decided per key
	OpListObjects:             "s3:ListBucket",
	OpListObjectsV2:           "s3:ListBucket",
	OpHeadBucket:              "s3:ListBucket",
	OpListObjectVersions:      "s3:ListBucketVersions",
	OpListMultipartUploads:    "s3:ListBucketMultipartUploads",
	OpGetBucketLocation:       "s3:GetBucketLocation",
	OpGetObjectRetention:      "s3:GetObjectRetention",
	OpPutObjectRetention:      "s3:PutObjectRetention",
	OpGetObjectLegalHold:      "s3:GetObjectLegalHold",
	OpPutObjectLegalHold:      "s3:PutObjectLegalHold",
}

// versionedActions are the actions a request naming a versionId needs
// instead.
var versionedActions = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
}

// anonymousAction returns the action an anonymous request needs, "" when
// no policy can allow it.
func (req *request) anonymousAction() string {
	a := anonymousActions[req.route.Op]
	if v, ok := versionedActions[a]; ok && req.r.URL.Query().Has("versionId") {
		return v
	}
	return a
}

// anonymousAccess is what an anonymous request was allowed by: the
// bucket's policy and the request's condition keys.
type anonymousAccess struct {
	policy  *policy.Policy
	context map[string]string
	sets    map[string][]string
}

// allows reports whether the policy allows action on key.
func (a *anonymousAccess) allows(bucket, key, action string) bool {
	return a.policy.Allowed(policy.Request{Action: action, Bucket: bucket, Key: key, Context: a.context, Sets: a.sets})
}

// authorizeAnonymous lets an unauthenticated request through when its
// bucket's policy allows it; anything else is AccessDenied. A missing
// bucket is AccessDenied too, so anonymous callers learn nothing.
func (req *request) authorizeAnonymous() error {
	action := req.anonymousAction()
	if action == "" || req.route.Bucket == "" {
		return newError("AccessDenied")
	}
	p, err := req.bucketPolicy()
	if err != nil || p == nil {
		if err != nil && !errors.Is(err, storage.ErrBucketNotFound) {
			req.h.cfg.Logger.Warn("reading a bucket policy", "request_id", req.id, "bucket", req.route.Bucket, "err", err)
		}
		return newError("AccessDenied")
	}
	tags, err := req.anonymousTagBody(p)
	if err != nil {
		return err
	}
	access := &anonymousAccess{policy: p}
	access.context, access.sets = req.requestKeys(p, tags)
	// DeleteObjects is decided per key, as it runs.
	if req.route.Op != OpDeleteObjects && !access.allows(req.route.Bucket, req.route.Key, action) {
		return newError("AccessDenied")
	}
	// Lock headers on an upload need the lock permissions too.
	if req.route.Op == OpPutObject || req.route.Op == OpCreateMultipartUpload {
		if err := req.checkLockPermissions(access); err != nil {
			return err
		}
	}
	// Tags set with an upload need the tagging permission too.
	if (req.route.Op == OpPutObject || req.route.Op == OpCreateMultipartUpload) && req.r.Header.Get("X-Amz-Tagging") != "" &&
		!access.allows(req.route.Bucket, req.route.Key, "s3:PutObjectTagging") {
		return newError("AccessDenied")
	}
	if req.route.Op == OpGetObject || req.route.Op == OpHeadObject {
		q := req.r.URL.Query()
		for _, o := range responseOverrides {
			if q.Has(o.param) {
				return newError("InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.")
			}
		}
	}
	req.anonymous = access
	return nil
}

// hideMissing turns "no such key" into AccessDenied for an anonymous
// caller who may not list the bucket, as S3 does, so that the existence
// of keys is not revealed to those who may only read some of them.
func (req *request) hideMissing(err error) error {
	if req.anonymous == nil || err == nil {
		return err
	}
	if code := toAPIError(err).Code; code != "NoSuchKey" && code != "NoSuchVersion" {
		return err
	}
	if req.anonymous.allows(req.route.Bucket, "", "s3:ListBucket") {
		return err
	}
	return newError("AccessDenied")
}

// conditionContext returns the condition keys of the request.
func (req *request) conditionContext() map[string]string {
	r := req.r
	client := clientip.FromRequest(r) // behind trusted proxies: the forwarded client
	ctx := map[string]string{
		"aws:PrincipalType":   "Anonymous",
		"aws:SecureTransport": strconv.FormatBool(client.Secure),
	}
	if client.Addr.IsValid() {
		ctx["aws:SourceIp"] = client.Addr.String()
	}
	if v := r.Referer(); v != "" {
		ctx["aws:Referer"] = v
	}
	if v := r.UserAgent(); v != "" {
		ctx["aws:UserAgent"] = v
	}
	q := r.URL.Query()
	for param, key := range map[string]string{"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"} {
		if q.Has(param) {
			ctx[key] = q.Get(param)
		}
	}
	return ctx
}

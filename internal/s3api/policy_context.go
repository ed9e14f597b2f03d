package s3api

import (
	"math"
	"strconv"
	"time"

	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/storage"
)

// Condition keys beyond those of conditionContext: the request's time,
// the version it names, the headers S3 exposes as s3:x-amz-* keys, the
// tags it sets (s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys) and,
// when the policy asks for them, the tags of the object it acts on
// (s3:ExistingObjectTag/<key>).

// headerKeys are the request headers S3 exposes as condition keys of the
// same name.
var headerKeys = []string{
	"x-amz-metadata-directive", "x-amz-acl", "x-amz-grant-read", "x-amz-grant-write",
	"x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control",
	"x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
}

// existingTagOps are the operations whose object's tags are the values of
// s3:ExistingObjectTag/<key>.
var existingTagOps = map[Op]bool{
	OpGetObject: true, OpHeadObject: true, OpGetObjectTagging: true, OpPutObjectTagging: true,
	OpDeleteObjectTagging: true, OpGetObjectAttributes: true, OpGetObjectACL: true, OpPutObjectACL: true,
}

// requestKeys returns every condition key of the request for the
// policies that apply (uses tells whether one names a key): single values
// and the multivalued s3:RequestObjectTagKeys. tags are the tags
// the request sets when they come in its body (PutObjectTagging), nil
// otherwise.
func (req *request) requestKeys(uses func(prefix string) bool, tags map[string]string) (map[string]string, map[string][]string) {
	ctx := req.conditionContext()
	now := time.Now().UTC()
	ctx["aws:CurrentTime"] = now.Format(time.RFC3339)
	ctx["aws:EpochTime"] = strconv.FormatInt(now.Unix(), 10)
	if q := req.r.URL.Query(); q.Has("versionId") {
		ctx["s3:VersionId"] = q.Get("versionId")
	}
	h := req.r.Header
	for _, name := range headerKeys {
		if v := h.Get(name); v != "" {
			ctx["s3:"+name] = v
		}
	}
	if v := h.Get("X-Amz-Copy-Source"); v != "" {
		ctx["s3:x-amz-copy-source"] = v
		if src, err := parseCopySource(v); err == nil {
			ctx["s3:x-amz-copy-source"] = src.bucket + "/" + src.key
		}
	}
	if tags == nil {
		tags, _ = tagsFromHeader(h)
	}
	var sets map[string][]string
	if tags != nil {
		keys := make([]string, 0, len(tags))
		for k, v := range tags {
			ctx["s3:RequestObjectTag/"+k] = v
			keys = append(keys, k)
		}
		sets = map[string][]string{"s3:RequestObjectTagKeys": keys}
	}
	req.lockKeys(ctx, uses)
	if existingTagOps[req.route.Op] && uses("s3:ExistingObjectTag/") {
		info, err := req.h.cfg.Layer.StatObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.GetOptions{VersionID: req.versionID()})
		if err == nil {
			for k, v := range info.Tags {
				ctx["s3:ExistingObjectTag/"+k] = v
			}
		}
	}
	return ctx, sets
}

// requestTagBody reads the body of a PutObjectTagging before it is
// authorised, when a policy that applies decides on the tags it sets:
// they are condition keys. The handler then takes the tags from
// req.taggingBody.
func (req *request) requestTagBody(uses func(prefix string) bool) (map[string]string, error) {
	if req.route.Op != OpPutObjectTagging || !uses("s3:RequestObjectTag") {
		return nil, nil
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return nil, err
	}
	req.taggingBody = data
	var doc tagging
	if err := xmlUnmarshal(data, &doc); err != nil {
		return nil, err
	}
	tags, err := validateTags(doc.TagSet)
	if err != nil {
		return nil, err
	}
	return tags, nil
}

// lockKeys fills the s3:object-lock-* condition keys, as AWS does: from
// the x-amz-object-lock-* headers of a write (PutObject, CopyObject,
// CreateMultipartUpload), from the body of PutObjectRetention (mode,
// date) and PutObjectLegalHold (status), read before the handler runs
// when a policy that applies names one. s3:object-lock-remaining-retention-days
// is the whole days, rounded up, from now to the retain-until date. A
// value that does not parse sets no key (the handler refuses it).
func (req *request) lockKeys(ctx map[string]string, uses func(prefix string) bool) {
	var mode, until, hold string
	switch req.route.Op {
	case OpPutObject, OpCopyObject, OpCreateMultipartUpload:
		h := req.r.Header
		mode, until, hold = h.Get(hdrLockMode), h.Get(hdrLockUntil), h.Get(hdrLockLegalHold)
	case OpPutObjectRetention, OpPutObjectLegalHold:
		if !uses("s3:object-lock-") {
			return
		}
		data, err := req.readSmallBody(maxXMLBody)
		if err != nil {
			return
		}
		if req.route.Op == OpPutObjectLegalHold {
			hold, _ = objectlock.ParseLegalHold(data)
		} else if r, err := objectlock.ParseRetention(data, req.h.cfg.Now()); err == nil && !r.IsZero() {
			mode, until = r.Mode, r.Until.Format(time.RFC3339)
		}
	default:
		return
	}
	if mode != "" {
		ctx["s3:object-lock-mode"] = mode
	}
	if t, ok := objectlock.ParseDate(until); ok {
		ctx["s3:object-lock-retain-until-date"] = t.Format(time.RFC3339)
		days := math.Ceil(t.Sub(req.h.cfg.Now()).Hours() / 24)
		ctx["s3:object-lock-remaining-retention-days"] = strconv.FormatInt(int64(max(days, 0)), 10)
	}
	if hold != "" {
		ctx["s3:object-lock-legal-hold"] = hold
	}
}

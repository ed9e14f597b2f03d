package s3api

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/lifecycle"
	"github.com/hoardstore/hoard/internal/storage"
)

// putBucketLifecycle stores a bucket's lifecycle configuration
// (PutBucketLifecycleConfiguration). S3 requires Content-MD5 or an
// additional checksum; rules without an ID get one, as in S3.
func (req *request) putBucketLifecycle() error {
	if err := req.requireIntegrityHeader(); err != nil {
		return err
	}
	if err := checkTransitionMinSize(req.r.Header.Get(hdrTransitionMinSize)); err != nil {
		return err
	}
	data, err := req.readSmallBody(lifecycle.MaxSize)
	if err != nil {
		return err
	}
	conf, err := lifecycle.Parse(data)
	if err != nil {
		return lifecycleError(err)
	}
	if err := conf.FillIDs(); err != nil {
		return err
	}
	doc, err := conf.Marshal(s3NS)
	if err != nil {
		return err
	}
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, lifecycle.ConfigName, doc); err != nil {
		return err
	}
	req.h.lifecycleDocs.forget(req.route.Bucket)
	req.w.Header().Set(hdrTransitionMinSize, transitionMinSize)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// hdrTransitionMinSize names the smallest object a transition moves; S3
// answers it on Put and Get of a lifecycle configuration.
const hdrTransitionMinSize = "X-Amz-Transition-Default-Minimum-Object-Size"

// transitionMinSize is S3's default for hdrTransitionMinSize, the only
// value Hoard keeps: it has no transitions, so no other value could take
// effect.
const transitionMinSize = "all_storage_classes_128K"

// checkTransitionMinSize accepts S3's default and refuses the other value
// S3 defines (Hoard could not honour it) and anything else.
func checkTransitionMinSize(v string) error {
	switch v {
	case "", transitionMinSize:
		return nil
	case "varies_by_storage_class":
		return notImplementedHeader(hdrTransitionMinSize, "per-storage-class transition sizes (it has no transitions)")
	}
	return newError("InvalidArgument", "Invalid x-amz-transition-default-minimum-object-size: "+v).
		with("ArgumentName", "x-amz-transition-default-minimum-object-size", "ArgumentValue", v)
}

// getBucketLifecycle answers a bucket's lifecycle configuration
// (GetBucketLifecycleConfiguration).
func (req *request) getBucketLifecycle() error {
	doc, ok, err := req.bucketConfig(lifecycle.ConfigName)
	if err != nil {
		return err
	}
	if !ok {
		return newError("NoSuchLifecycleConfiguration")
	}
	req.w.Header().Set(hdrTransitionMinSize, transitionMinSize)
	req.writeDocument("application/xml", doc)
	return nil
}

// deleteBucketLifecycle removes a bucket's lifecycle configuration
// (DeleteBucketLifecycle).
func (req *request) deleteBucketLifecycle() error {
	defer req.h.lifecycleDocs.forget(req.route.Bucket)
	return req.deleteBucketConfig(lifecycle.ConfigName)
}

// lifecycleError turns a refused configuration into its S3 error.
func lifecycleError(err error) error {
	var e *lifecycle.Error
	if errors.As(err, &e) {
		return newError(e.Code, e.Message)
	}
	return err
}

// bucketLifecycle returns the parsed lifecycle configuration of the
// request's bucket, nil when it has none (or it cannot be read: the
// headers it feeds are informative and never fail a request).
func (req *request) bucketLifecycle() *lifecycle.Config {
	doc, ok := req.h.lifecycleDocs.get(req.route.Bucket, func() ([]byte, bool) {
		doc, ok, err := req.bucketConfig(lifecycle.ConfigName)
		return doc, ok && err == nil
	})
	if !ok {
		return nil
	}
	conf, err := req.h.lifecycles.get(req.route.Bucket, doc)
	if err != nil {
		return nil
	}
	return conf
}

// setExpiration writes x-amz-expiration for a current version that a rule
// of the bucket expires: when, and by which rule.
func (req *request) setExpiration(info storage.ObjectInfo) {
	if info.DeleteMarker || !info.IsLatest {
		return
	}
	conf := req.bucketLifecycle()
	if conf == nil {
		return
	}
	v := lifecycle.Version{
		Object:  lifecycle.Object{Key: info.Key, Size: info.Size, Tags: info.Tags},
		ModTime: info.ModTime, IsLatest: true, Versions: 1,
	}
	if ev, ok := conf.Next(v, req.h.cfg.Lifecycle); ok && ev.Action == lifecycle.ActionExpire {
		req.w.Header().Set("x-amz-expiration", ev.ExpirationHeader())
	}
}

// setAbortDate writes x-amz-abort-date and x-amz-abort-rule-id for an
// upload a rule of the bucket aborts.
func (req *request) setAbortDate(up storage.MultipartUpload) {
	conf := req.bucketLifecycle()
	if conf == nil {
		return
	}
	if ev, ok := conf.AbortDue(up.Key, up.Initiated, req.h.cfg.Lifecycle); ok {
		req.w.Header().Set("x-amz-abort-date", ev.Due.UTC().Format(http.TimeFormat))
		req.w.Header().Set("x-amz-abort-rule-id", ev.RuleID)
	}
}

// lifecycleDocTTL is how long a bucket's lifecycle document is reused for
// the x-amz-expiration and x-amz-abort-* headers, so GET and HEAD in a
// cluster do not read the bucket record every time. A change made through
// this node is seen at once; one made through another node within this
// time.
const lifecycleDocTTL = time.Second

// docTTLCache keeps each bucket's lifecycle document for lifecycleDocTTL.
type docTTLCache struct {
	mu sync.Mutex
	m  map[string]ttlDoc
}

type ttlDoc struct {
	doc  []byte
	ok   bool
	read time.Time
}

// get returns bucket's document, reading it with read when it is not
// known or older than lifecycleDocTTL.
func (c *docTTLCache) get(bucket string, read func() ([]byte, bool)) ([]byte, bool) {
	now := time.Now()
	c.mu.Lock()
	e, hit := c.m[bucket]
	c.mu.Unlock()
	if hit && now.Sub(e.read) < lifecycleDocTTL {
		return e.doc, e.ok
	}
	doc, ok := read()
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedConfigs {
		c.m = map[string]ttlDoc{}
	}
	c.m[bucket] = ttlDoc{doc: doc, ok: ok, read: now}
	c.mu.Unlock()
	return doc, ok
}

// forget drops bucket's document after a change.
func (c *docTTLCache) forget(bucket string) {
	c.mu.Lock()
	delete(c.m, bucket)
	c.mu.Unlock()
}

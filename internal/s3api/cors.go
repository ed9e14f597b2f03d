package s3api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/cors"
	"github.com/hoardstore/hoard/internal/storage"
)

// putBucketCors stores a bucket's CORS configuration (PutBucketCors).
func (req *request) putBucketCors() error {
	if err := req.requireIntegrityHeader(); err != nil {
		return err
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	conf, err := cors.Parse(data)
	if err != nil {
		return corsError(err)
	}
	// Stored as re-encoded: GetBucketCors answers in S3's namespace and
	// element order whatever the client sent.
	doc, err := conf.Marshal(s3NS)
	if err != nil {
		return err
	}
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, storage.ConfigCORS, doc); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketCors answers a bucket's CORS configuration (GetBucketCors).
func (req *request) getBucketCors() error {
	doc, ok, err := req.bucketConfig(storage.ConfigCORS)
	if err != nil {
		return err
	}
	if !ok {
		return newError("NoSuchCORSConfiguration")
	}
	req.writeDocument("application/xml", doc)
	return nil
}

// deleteBucketCors removes a bucket's CORS configuration (DeleteBucketCors).
func (req *request) deleteBucketCors() error { return req.deleteBucketConfig(storage.ConfigCORS) }

// bucketConfig returns the configuration document name of the request's
// bucket, and whether it has one. The bucket record is read once per
// request: CORS headers, a preflight and an anonymous caller's policy
// check may all need it.
func (req *request) bucketConfig(name string) ([]byte, bool, error) {
	if !req.bucketRead {
		req.bucket, req.bucketErr = req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket)
		req.bucketRead = true
	}
	if req.bucketErr != nil {
		return nil, false, req.bucketErr
	}
	doc, ok := req.bucket.Configs[name]
	return doc, ok, nil
}

// deleteBucketConfig removes a configuration document and answers 204.
func (req *request) deleteBucketConfig(name string) error {
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, name, nil); err != nil {
		return err
	}
	return req.noContent()
}

// writeDocument answers 200 with doc as the body.
func (req *request) writeDocument(contentType string, doc []byte) {
	hdr := req.w.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Set("Content-Length", strconv.Itoa(len(doc)))
	req.w.WriteHeader(http.StatusOK)
	_, _ = req.w.Write(doc)
}

// requireIntegrityHeader refuses a request that S3 only accepts with a
// Content-MD5 or an additional checksum.
func (req *request) requireIntegrityHeader() error {
	h := req.r.Header
	if h.Get(checksum.HeaderContentMD5) == "" && !hasChecksumHeader(h) {
		return newError("InvalidRequest", "Missing required header for this request: Content-MD5")
	}
	return nil
}

// corsError turns a refused configuration into its S3 error.
func corsError(err error) error {
	var e *cors.Error
	if errors.As(err, &e) {
		return newError(e.Code, e.Message)
	}
	return err
}

// bucketCORS returns the parsed CORS configuration of the request's bucket,
// nil when it has none.
func (req *request) bucketCORS() (*cors.Config, error) {
	doc, ok, err := req.bucketConfig(storage.ConfigCORS)
	if err != nil || !ok {
		return nil, err
	}
	return req.h.corsRules.get(req.route.Bucket, doc)
}

// preflight answers a browser's CORS preflight (OPTIONS) request. It needs
// no signature: the bucket's CORS configuration decides.
func (req *request) preflight() error {
	h := req.r.Header
	origin := h.Get("Origin")
	if origin == "" {
		return newError("BadRequest", "Insufficient information. Origin request header needed.")
	}
	method := h.Get("Access-Control-Request-Method")
	if method == "" {
		return newError("BadRequest", "Invalid Access-Control-Request-Method: null")
	}
	// A missing bucket reads as one without CORS: unauthenticated callers
	// learn nothing about which buckets exist.
	conf, err := req.bucketCORS()
	if err != nil && !errors.Is(err, storage.ErrBucketNotFound) {
		return err
	}
	if conf == nil {
		return newError("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
	}
	hdr := req.w.Header()
	hdr.Set("Vary", cors.Vary)
	requested := cors.RequestHeaders(h.Get("Access-Control-Request-Headers"))
	rule := conf.Match(origin, method, requested)
	if rule == nil {
		return newError("AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
	}
	rule.SetHeaders(hdr, origin, true, requested)
	hdr.Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// applyCORS adds the Access-Control-* headers to an actual cross-origin
// request (one with an Origin header) that the bucket's CORS configuration
// allows, before the operation runs, so that errors carry them too.
func (req *request) applyCORS() {
	origin := req.r.Header.Get("Origin")
	if origin == "" || req.route.Bucket == "" || req.route.Op == OpPreflight {
		return
	}
	conf, err := req.bucketCORS()
	if err != nil || conf == nil {
		return // the operation reports a missing bucket itself
	}
	hdr := req.w.Header()
	hdr.Set("Vary", cors.Vary)
	if rule := conf.Match(origin, req.r.Method, nil); rule != nil {
		rule.SetHeaders(hdr, origin, false, nil)
	}
}

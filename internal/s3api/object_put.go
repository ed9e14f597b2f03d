package s3api

import (
	"net/http"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/storage"
)

// payload returns the request body as a verified storage.Payload of the
// declared (or aws-chunked decoded) length, at most limit bytes, checking
// Content-MD5 and any additional checksum, sent as a header or a trailer.
func (req *request) payload(limit int64) (*checksum.Reader, error) {
	return req.payloadWith(limit, storage.ChecksumNone)
}

// payloadWith is payload that also computes alg when the client sent no
// checksum of its own (parts of an upload created with an algorithm).
func (req *request) payloadWith(limit int64, alg storage.ChecksumAlgorithm) (*checksum.Reader, error) {
	return req.payloadOf(limit, alg, true)
}

// payloadOf is payloadWith; bodyChecksums says whether the request's
// x-amz-checksum-* headers describe its body (they describe the whole
// object on CompleteMultipartUpload, whose body is the parts list).
func (req *request) payloadOf(limit int64, alg storage.ChecksumAlgorithm, bodyChecksums bool) (*checksum.Reader, error) {
	size := req.auth.ContentLength
	if size < 0 {
		return nil, newError("MissingContentLength")
	}
	if size > limit {
		if limit == maxXMLBody {
			return nil, newError("MalformedXML", "The XML you provided was larger than the maximum allowed size.")
		}
		return nil, newError("EntityTooLarge")
	}
	md5, err := checksum.ParseContentMD5(req.r.Header.Get(checksum.HeaderContentMD5))
	if err != nil {
		return nil, err
	}
	var spec checksum.Spec
	if bodyChecksums {
		if spec, err = checksum.ParseHeaders(req.r.Header); err != nil {
			return nil, err
		}
	}
	opts := checksum.Options{ContentMD5: md5, Algorithm: spec.Algorithm, Expected: spec.Value}
	if opts.Algorithm == storage.ChecksumNone {
		opts.Algorithm = alg
	}
	if spec.Trailer {
		name := checksum.HeaderName(spec.Algorithm)
		opts.ExpectedFunc = func() (string, error) { return req.auth.TrailerValue(name) }
	}
	return checksum.NewReader(req.auth.Body, size, opts)
}

// writeOptions reads what a PutObject, CopyObject (REPLACE) or
// CreateMultipartUpload stores beside the data.
func (req *request) writeOptions() (storage.PutOptions, error) {
	enc, err := req.writeACL(req.r.Header)
	if err != nil {
		return storage.PutOptions{}, err
	}
	meta, err := metadataFromHeaders(req.r.Header)
	if err != nil {
		return storage.PutOptions{}, err
	}
	if enc != "" {
		meta[aclMetaKey] = enc
	}
	tags, err := tagsFromHeader(req.r.Header)
	if err != nil {
		return storage.PutOptions{}, err
	}
	sc, err := storageClassFromHeader(req.r.Header)
	if err != nil {
		return storage.PutOptions{}, err
	}
	return storage.PutOptions{Metadata: meta, Tags: tags, StorageClass: sc}, nil
}

// writeConditions reads If-None-Match / If-Match of a conditional write.
func (req *request) writeConditions() (ifNoneMatch, ifMatch string, err error) {
	ifNoneMatch = req.r.Header.Get("If-None-Match")
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return "", "", newError("NotImplemented", "If-None-Match on writes only supports the value *.")
	}
	ifMatch = req.r.Header.Get("If-Match")
	if ifMatch != "" {
		ifMatch = trimETag(ifMatch)
	}
	return ifNoneMatch, ifMatch, nil
}

func (req *request) putObject() error {
	opts, err := req.writeOptions()
	if err != nil {
		return err
	}
	if opts.IfNoneMatch, opts.IfMatch, err = req.writeConditions(); err != nil {
		return err
	}
	if opts.Lock, err = req.askedLock(req.r.Header); err != nil {
		return err
	}
	digest := hasDigest(req.r.Header)
	if !opts.Lock.IsZero() && !digest {
		return errLockNeedsDigest
	}
	opts.LockFor = req.lockDecider(digest)
	body, err := req.payload(storage.MaxPutSize)
	if err != nil {
		return err
	}
	info, err := req.h.cfg.Layer.PutObject(req.r.Context(), req.route.Bucket, req.route.Key, body, opts)
	if err != nil {
		return err
	}
	hdr := req.w.Header()
	hdr.Set("ETag", quoteETag(info.ETag))
	setChecksumHeaders(hdr, info.Checksum)
	setVersionHeader(hdr, info)
	req.setExpiration(info)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

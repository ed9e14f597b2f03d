package s3api

import (
	"net/http"
	"strings"
)

// This file holds one rule: a request that asks for a guarantee Hoard does
// not provide is refused before anything is stored or changed, with the
// error S3 gives for a bucket or service that cannot do the thing. A client
// told "no" takes its own fallback; a client told "yes" and given nothing
// does not. When a feature lands (server-side encryption), its rule
// here is replaced by the real behaviour in the same change.
// docs/S3-COMPATIBILITY.md lists every header family and its verdict.

// Header families S3 defines as requests for behaviour.
const (
	hdrSSE                = "X-Amz-Server-Side-Encryption"
	hdrSSEPrefix          = "X-Amz-Server-Side-Encryption-"
	hdrCopySourceSSEC     = "X-Amz-Copy-Source-Server-Side-Encryption-"
	hdrBucketObjectLock   = "X-Amz-Bucket-Object-Lock-Enabled"
	hdrObjectOwnership    = "X-Amz-Object-Ownership"
	hdrWriteOffset        = "X-Amz-Write-Offset-Bytes"
	hdrExpectedOwner      = "X-Amz-Expected-Bucket-Owner"
	hdrSourceExpectedOwnr = "X-Amz-Source-Expected-Bucket-Owner"
	hdrRedirectLocation   = "X-Amz-Website-Redirect-Location"
	hdrIfMatchModTime     = "X-Amz-If-Match-Last-Modified-Time"
	hdrIfMatchSize        = "X-Amz-If-Match-Size"
)

// sseMethods are the values S3 defines for x-amz-server-side-encryption.
var sseMethods = map[string]bool{"AES256": true, "aws:kms": true, "aws:kms:dsse": true}

// readOps are the operations that read an object: SSE-S3 and SSE-KMS
// headers are a client mistake there (S3 answers 400), SSE-C headers a key.
var readOps = map[Op]bool{OpGetObject: true, OpHeadObject: true, OpGetObjectAttributes: true}

// notImplementedHeader is S3's answer to a header whose functionality the
// service does not have: 501 NotImplemented naming the header.
func notImplementedHeader(header, what string) *APIError {
	return newError("NotImplemented", "Hoard does not implement "+what+"; the request asked for it with "+
		strings.ToLower(header)+" and was not carried out.").with("Header", strings.ToLower(header))
}

// refuseUnhonoured refuses a request carrying a header that asks for
// behaviour Hoard does not provide on its operation. It reads only
// headers, so it runs before the handler touches storage or the body.
func (req *request) refuseUnhonoured() error {
	h := req.r.Header
	op := req.route.Op
	if err := refuseEncryption(h, op); err != nil {
		return err
	}
	if err := req.checkExpectedOwner(); err != nil {
		return err
	}
	switch op {
	case OpCreateBucket:
		return refuseBucketOptions(h)
	case OpPutObject:
		if h.Get(hdrWriteOffset) != "" {
			return notImplementedHeader(hdrWriteOffset, "appends to existing objects (S3 Express directory buckets only)")
		}
	case OpDeleteObject:
		for _, name := range []string{hdrIfMatchModTime, hdrIfMatchSize} {
			if h.Get(name) != "" {
				return notImplementedHeader(name, "conditional deletes on modification time or size (S3 Express directory buckets only)")
			}
		}
	}
	return nil
}

// refuseEncryption refuses every server-side encryption header: Hoard
// does not encrypt objects yet, so storing one "encrypted" would be a lie,
// and reading one with a customer key would pretend the key mattered.
func refuseEncryption(h http.Header, op Op) error {
	for name := range h {
		switch {
		case name == hdrSSE:
			v := h.Get(name)
			if !sseMethods[v] {
				return newError("InvalidArgument", "The encryption method specified is not supported.").
					with("ArgumentName", "x-amz-server-side-encryption", "ArgumentValue", v)
			}
			if readOps[op] {
				return newError("InvalidArgument", "x-amz-server-side-encryption is not allowed on requests that read an object.").
					with("ArgumentName", "x-amz-server-side-encryption", "ArgumentValue", v)
			}
			return notImplementedHeader(name, "server-side encryption ("+v+")")
		case strings.HasPrefix(name, hdrSSEPrefix):
			what := "server-side encryption"
			if strings.HasPrefix(name, hdrSSEPrefix+"Customer-") {
				what = "server-side encryption with customer-provided keys (SSE-C)"
			} else if strings.HasPrefix(name, hdrSSEPrefix+"Aws-Kms-") || name == hdrSSEPrefix+"Context" {
				what = "server-side encryption with KMS keys (SSE-KMS)"
			}
			return notImplementedHeader(name, what)
		case strings.HasPrefix(name, hdrCopySourceSSEC):
			return notImplementedHeader(name, "server-side encryption with customer-provided keys (SSE-C)")
		}
	}
	return nil
}

// refuseBucketOptions refuses a malformed x-amz-bucket-object-lock-enabled
// or x-amz-object-ownership of CreateBucket before anything is read.
func refuseBucketOptions(h http.Header) error {
	if _, err := bucketLockOption(h); err != nil {
		return err
	}
	_, err := bucketOwnershipOption(h)
	return err
}

// checkExpectedOwner honours x-amz-expected-bucket-owner (and, on copies,
// x-amz-source-expected-bucket-owner): every bucket belongs to the
// deployment's owner, so any other owner ID is refused with 403, as S3
// refuses a bucket owned by another account.
func (req *request) checkExpectedOwner() error {
	for _, name := range []string{hdrExpectedOwner, hdrSourceExpectedOwnr} {
		if v := req.r.Header.Get(name); v != "" && v != req.h.owner.ID {
			return newError("AccessDenied", "The bucket is not owned by "+v+" ("+strings.ToLower(name)+").")
		}
	}
	return nil
}

// checkRedirectLocation validates x-amz-website-redirect-location as S3
// does: a path on the same site or an http(s) URL, at most 2 KB.
func checkRedirectLocation(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > 2<<10 || !(strings.HasPrefix(v, "/") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
		return newError("InvalidRedirectLocation")
	}
	return nil
}

// postFieldRefusal refuses a POST Object form field that asks for what a
// PUT header would be refused for, or an x-amz-* field POST Object does
// not define (so none is dropped unread).
func postFieldRefusal(lower string) error {
	switch {
	case lower == "x-amz-server-side-encryption" || strings.HasPrefix(lower, "x-amz-server-side-encryption-"):
		return notImplementedHeader(lower, "server-side encryption")
	case lower == "x-amz-object-lock-mode", lower == "x-amz-object-lock-retain-until-date", lower == "x-amz-object-lock-legal-hold":
		return nil // stored as a PUT's headers are (object lock)
	case !strings.HasPrefix(lower, "x-amz-"), postHeaderField(lower):
		return nil
	}
	switch lower {
	case "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature":
		return nil
	}
	return newError("InvalidArgument", "Hoard does not support the POST form field "+lower+".").
		with("ArgumentName", lower)
}

package s3api

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Op names an S3 operation.
type Op string

// The operations the router recognises.
const (
	OpListBuckets             Op = "ListBuckets"
	OpCreateBucket            Op = "CreateBucket"
	OpDeleteBucket            Op = "DeleteBucket"
	OpHeadBucket              Op = "HeadBucket"
	OpGetBucketLocation       Op = "GetBucketLocation"
	OpGetBucketVersioning     Op = "GetBucketVersioning"
	OpPutBucketVersioning     Op = "PutBucketVersioning"
	OpGetBucketACL            Op = "GetBucketAcl"
	OpPutBucketACL            Op = "PutBucketAcl"
	OpGetBucketSubresource    Op = "GetBucketSubresource"
	OpPutBucketSubresource    Op = "PutBucketSubresource"
	OpDeleteBucketSubresource Op = "DeleteBucketSubresource"
	OpGetBucketCors           Op = "GetBucketCors"
	OpPutBucketCors           Op = "PutBucketCors"
	OpDeleteBucketCors        Op = "DeleteBucketCors"
	OpGetBucketPolicy         Op = "GetBucketPolicy"
	OpPutBucketPolicy         Op = "PutBucketPolicy"
	OpDeleteBucketPolicy      Op = "DeleteBucketPolicy"
	OpGetBucketPolicyStatus   Op = "GetBucketPolicyStatus"
	OpGetBucketLifecycle      Op = "GetBucketLifecycleConfiguration"
	OpPutBucketLifecycle      Op = "PutBucketLifecycleConfiguration"
	OpDeleteBucketLifecycle   Op = "DeleteBucketLifecycle"
	OpGetBucketTagging        Op = "GetBucketTagging"
	OpPutBucketTagging        Op = "PutBucketTagging"
	OpDeleteBucketTagging     Op = "DeleteBucketTagging"
	OpGetObjectLockConfig     Op = "GetObjectLockConfiguration"
	OpPutObjectLockConfig     Op = "PutObjectLockConfiguration"
	// OpPreflight is a browser's CORS preflight: OPTIONS on a bucket or
	// object, answered from the bucket's CORS configuration.
	OpPreflight            Op = "PreflightRequest"
	OpListObjects          Op = "ListObjects"
	OpListObjectsV2        Op = "ListObjectsV2"
	OpListObjectVersions   Op = "ListObjectVersions"
	OpListMultipartUploads Op = "ListMultipartUploads"
	OpDeleteObjects        Op = "DeleteObjects"
	// OpPostObject is a browser-based upload: POST to the bucket with a
	// multipart/form-data form carrying a signed policy.
	OpPostObject              Op = "PostObject"
	OpPutObject               Op = "PutObject"
	OpCopyObject              Op = "CopyObject"
	OpGetObject               Op = "GetObject"
	OpHeadObject              Op = "HeadObject"
	OpDeleteObject            Op = "DeleteObject"
	OpGetObjectTagging        Op = "GetObjectTagging"
	OpPutObjectTagging        Op = "PutObjectTagging"
	OpDeleteObjectTagging     Op = "DeleteObjectTagging"
	OpGetObjectAttributes     Op = "GetObjectAttributes"
	OpGetObjectACL            Op = "GetObjectAcl"
	OpPutObjectACL            Op = "PutObjectAcl"
	OpCreateMultipartUpload   Op = "CreateMultipartUpload"
	OpUploadPart              Op = "UploadPart"
	OpUploadPartCopy          Op = "UploadPartCopy"
	OpCompleteMultipartUpload Op = "CompleteMultipartUpload"
	OpAbortMultipartUpload    Op = "AbortMultipartUpload"
	OpListParts               Op = "ListParts"
	OpGetObjectRetention      Op = "GetObjectRetention"
	OpPutObjectRetention      Op = "PutObjectRetention"
	OpGetObjectLegalHold      Op = "GetObjectLegalHold"
	OpPutObjectLegalHold      Op = "PutObjectLegalHold"
	// OpUnsupported is a recognised S3 request that Hoard does not implement.
	OpUnsupported Op = "Unsupported"
)

// Route is a parsed request: which operation, on which bucket and key.
type Route struct {
	Op     Op
	Bucket string
	Key    string
	// Subresource names the bucket sub-resource for the generic
	// subresource operations and for OpUnsupported.
	Subresource string
}

// BucketFromHost returns the bucket named by a virtual-host-style Host
// header (bucket.DOMAIN) for one of domains, or "".
func BucketFromHost(host string, domains []string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, d := range domains {
		d = strings.ToLower(d)
		if strings.HasSuffix(host, "."+d) {
			return host[:len(host)-len(d)-1]
		}
	}
	return ""
}

// bucketSubresources are bucket configuration sub-resources that Hoard
// answers with "none configured" on GET and refuses on PUT (see
// subresource.go).
var bucketSubresources = []string{
	"encryption",
	"website", "logging", "notification", "replication", "accelerate",
	"requestPayment", "ownershipControls", "publicAccessBlock",
	"analytics", "metrics", "inventory", "intelligent-tiering",
}

// Parse turns a request into a Route. domains enable virtual-host-style
// addressing. It never fails: requests it cannot place get OpUnsupported.
func Parse(r *http.Request, domains []string) Route {
	var rt Route
	path := r.URL.Path
	if b := BucketFromHost(r.Host, domains); b != "" {
		rt.Bucket = b
		rt.Key = strings.TrimPrefix(path, "/")
	} else {
		p := strings.TrimPrefix(path, "/")
		rt.Bucket, rt.Key, _ = strings.Cut(p, "/")
	}
	q := r.URL.Query()
	switch {
	case rt.Bucket == "":
		rt.Op = serviceOp(r.Method)
	case rt.Key == "":
		rt.Op, rt.Subresource = bucketOp(r.Method, q)
	default:
		rt.Op, rt.Subresource = objectOp(r, q)
	}
	return rt
}

func serviceOp(method string) Op {
	if method == http.MethodGet {
		return OpListBuckets
	}
	return OpUnsupported
}

func bucketOp(method string, q url.Values) (Op, string) {
	has := func(k string) bool { _, ok := q[k]; return ok }
	switch method {
	case http.MethodGet:
		switch {
		case has("location"):
			return OpGetBucketLocation, ""
		case has("versioning"):
			return OpGetBucketVersioning, ""
		case has("acl"):
			return OpGetBucketACL, ""
		case has("uploads"):
			return OpListMultipartUploads, ""
		case has("cors"):
			return OpGetBucketCors, ""
		case has("policy"):
			return OpGetBucketPolicy, ""
		case has("policyStatus"):
			return OpGetBucketPolicyStatus, ""
		case has("lifecycle"):
			return OpGetBucketLifecycle, ""
		case has("tagging"):
			return OpGetBucketTagging, ""
		case has("versions"):
			return OpListObjectVersions, ""
		case has("object-lock"):
			return OpGetObjectLockConfig, ""
		case q.Get("list-type") == "2":
			return OpListObjectsV2, ""
		}
		for _, s := range bucketSubresources {
			if has(s) {
				return OpGetBucketSubresource, s
			}
		}
		return OpListObjects, ""
	case http.MethodPut:
		switch {
		case has("acl"):
			return OpPutBucketACL, ""
		case has("cors"):
			return OpPutBucketCors, ""
		case has("policy"):
			return OpPutBucketPolicy, ""
		case has("versioning"):
			return OpPutBucketVersioning, ""
		case has("lifecycle"):
			return OpPutBucketLifecycle, ""
		case has("tagging"):
			return OpPutBucketTagging, ""
		case has("object-lock"):
			return OpPutObjectLockConfig, ""
		}
		for _, s := range bucketSubresources {
			if has(s) {
				return OpPutBucketSubresource, s
			}
		}
		return OpCreateBucket, ""
	case http.MethodHead:
		return OpHeadBucket, ""
	case http.MethodDelete:
		switch {
		case has("cors"):
			return OpDeleteBucketCors, ""
		case has("policy"):
			return OpDeleteBucketPolicy, ""
		case has("lifecycle"):
			return OpDeleteBucketLifecycle, ""
		case has("tagging"):
			return OpDeleteBucketTagging, ""
		case has("object-lock"):
			// S3 has no operation removing an object lock configuration.
			return OpUnsupported, "object-lock"
		}
		for _, s := range bucketSubresources {
			if has(s) {
				return OpDeleteBucketSubresource, s
			}
		}
		return OpDeleteBucket, ""
	case http.MethodPost:
		if has("delete") {
			return OpDeleteObjects, ""
		}
		return OpPostObject, ""
	case http.MethodOptions:
		return OpPreflight, ""
	}
	return OpUnsupported, ""
}

func objectOp(r *http.Request, q url.Values) (Op, string) {
	has := func(k string) bool { _, ok := q[k]; return ok }
	copySource := r.Header.Get("X-Amz-Copy-Source") != ""
	switch r.Method {
	case http.MethodGet:
		switch {
		case has("tagging"):
			return OpGetObjectTagging, ""
		case has("attributes"):
			return OpGetObjectAttributes, ""
		case has("uploadId"):
			return OpListParts, ""
		case has("acl"):
			return OpGetObjectACL, ""
		case has("retention"):
			return OpGetObjectRetention, ""
		case has("legal-hold"):
			return OpGetObjectLegalHold, ""
		case has("torrent"):
			return OpUnsupported, "torrent"
		}
		return OpGetObject, ""
	case http.MethodHead:
		return OpHeadObject, ""
	case http.MethodPut:
		switch {
		case has("tagging"):
			return OpPutObjectTagging, ""
		case has("acl"):
			return OpPutObjectACL, ""
		case has("partNumber") && has("uploadId"):
			if copySource {
				return OpUploadPartCopy, ""
			}
			return OpUploadPart, ""
		case has("retention"):
			return OpPutObjectRetention, ""
		case has("legal-hold"):
			return OpPutObjectLegalHold, ""
		case copySource:
			return OpCopyObject, ""
		}
		return OpPutObject, ""
	case http.MethodDelete:
		switch {
		case has("tagging"):
			return OpDeleteObjectTagging, ""
		case has("uploadId"):
			return OpAbortMultipartUpload, ""
		}
		return OpDeleteObject, ""
	case http.MethodPost:
		switch {
		case has("uploads"):
			return OpCreateMultipartUpload, ""
		case has("uploadId"):
			return OpCompleteMultipartUpload, ""
		}
		return OpUnsupported, firstOf(q, "restore", "select")
	case http.MethodOptions:
		return OpPreflight, ""
	}
	return OpUnsupported, ""
}

func firstOf(q url.Values, keys ...string) string {
	for _, k := range keys {
		if _, ok := q[k]; ok {
			return k
		}
	}
	return ""
}

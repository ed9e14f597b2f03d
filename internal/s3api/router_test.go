package s3api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		method, target string
		host           string
		header         map[string]string
		want           Route
	}{
		{"GET", "/", "", nil, Route{Op: OpListBuckets}},
		{"PUT", "/b", "", nil, Route{Op: OpCreateBucket, Bucket: "b"}},
		{"PUT", "/b/", "", nil, Route{Op: OpCreateBucket, Bucket: "b"}},
		{"HEAD", "/b", "", nil, Route{Op: OpHeadBucket, Bucket: "b"}},
		{"DELETE", "/b", "", nil, Route{Op: OpDeleteBucket, Bucket: "b"}},
		{"GET", "/b?location", "", nil, Route{Op: OpGetBucketLocation, Bucket: "b"}},
		{"GET", "/b?list-type=2&prefix=a", "", nil, Route{Op: OpListObjectsV2, Bucket: "b"}},
		{"GET", "/b?prefix=a", "", nil, Route{Op: OpListObjects, Bucket: "b"}},
		{"GET", "/b?uploads", "", nil, Route{Op: OpListMultipartUploads, Bucket: "b"}},
		{"GET", "/b?versions", "", nil, Route{Op: OpListObjectVersions, Bucket: "b"}},
		{"GET", "/b?versioning", "", nil, Route{Op: OpGetBucketVersioning, Bucket: "b"}},
		{"PUT", "/b?versioning", "", nil, Route{Op: OpPutBucketVersioning, Bucket: "b"}},
		{"GET", "/b?website", "", nil, Route{Op: OpGetBucketSubresource, Bucket: "b", Subresource: "website"}},
		{"GET", "/b?policy", "", nil, Route{Op: OpGetBucketPolicy, Bucket: "b"}},
		{"PUT", "/b?policy", "", nil, Route{Op: OpPutBucketPolicy, Bucket: "b"}},
		{"DELETE", "/b?policy", "", nil, Route{Op: OpDeleteBucketPolicy, Bucket: "b"}},
		{"GET", "/b?policyStatus", "", nil, Route{Op: OpGetBucketPolicyStatus, Bucket: "b"}},
		{"PUT", "/b?lifecycle", "", nil, Route{Op: OpPutBucketLifecycle, Bucket: "b"}},
		{"GET", "/b?lifecycle", "", nil, Route{Op: OpGetBucketLifecycle, Bucket: "b"}},
		{"DELETE", "/b?lifecycle", "", nil, Route{Op: OpDeleteBucketLifecycle, Bucket: "b"}},
		{"PUT", "/b?website", "", nil, Route{Op: OpPutBucketSubresource, Bucket: "b", Subresource: "website"}},
		{"POST", "/b?delete", "", nil, Route{Op: OpDeleteObjects, Bucket: "b"}},
		{"GET", "/b?cors", "", nil, Route{Op: OpGetBucketCors, Bucket: "b"}},
		{"PUT", "/b?cors", "", nil, Route{Op: OpPutBucketCors, Bucket: "b"}},
		{"DELETE", "/b?cors", "", nil, Route{Op: OpDeleteBucketCors, Bucket: "b"}},
		{"OPTIONS", "/b", "", nil, Route{Op: OpPreflight, Bucket: "b"}},
		{"OPTIONS", "/b/k/x", "", nil, Route{Op: OpPreflight, Bucket: "b", Key: "k/x"}},
		{"OPTIONS", "/", "", nil, Route{Op: OpUnsupported}},
		{"PUT", "/b/k", "", nil, Route{Op: OpPutObject, Bucket: "b", Key: "k"}},
		{"PUT", "/b/k", "", map[string]string{"X-Amz-Copy-Source": "/s/k"}, Route{Op: OpCopyObject, Bucket: "b", Key: "k"}},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "", nil, Route{Op: OpUploadPart, Bucket: "b", Key: "k"}},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "", map[string]string{"X-Amz-Copy-Source": "s/k"}, Route{Op: OpUploadPartCopy, Bucket: "b", Key: "k"}},
		{"PUT", "/b?tagging", "", nil, Route{Op: OpPutBucketTagging, Bucket: "b"}},
		{"GET", "/b?tagging", "", nil, Route{Op: OpGetBucketTagging, Bucket: "b"}},
		{"DELETE", "/b?tagging", "", nil, Route{Op: OpDeleteBucketTagging, Bucket: "b"}},
		{"GET", "/b?analytics&id=x", "", nil, Route{Op: OpGetBucketSubresource, Bucket: "b", Subresource: "analytics"}},
		{"PUT", "/b/k?tagging", "", nil, Route{Op: OpPutObjectTagging, Bucket: "b", Key: "k"}},
		{"GET", "/b/k?tagging", "", nil, Route{Op: OpGetObjectTagging, Bucket: "b", Key: "k"}},
		{"DELETE", "/b/k?tagging", "", nil, Route{Op: OpDeleteObjectTagging, Bucket: "b", Key: "k"}},
		{"GET", "/b/k?attributes", "", nil, Route{Op: OpGetObjectAttributes, Bucket: "b", Key: "k"}},
		{"GET", "/b/k?uploadId=u", "", nil, Route{Op: OpListParts, Bucket: "b", Key: "k"}},
		{"POST", "/b/k?uploads", "", nil, Route{Op: OpCreateMultipartUpload, Bucket: "b", Key: "k"}},
		{"POST", "/b/k?uploadId=u", "", nil, Route{Op: OpCompleteMultipartUpload, Bucket: "b", Key: "k"}},
		{"DELETE", "/b/k?uploadId=u", "", nil, Route{Op: OpAbortMultipartUpload, Bucket: "b", Key: "k"}},
		{"GET", "/b/a//b/../c/", "", nil, Route{Op: OpGetObject, Bucket: "b", Key: "a//b/../c/"}},
		{"GET", "/b//lead", "", nil, Route{Op: OpGetObject, Bucket: "b", Key: "/lead"}},
		{"GET", "/b/sp%20ace%2Bplus%25", "", nil, Route{Op: OpGetObject, Bucket: "b", Key: "sp ace+plus%"}},
		{"HEAD", "/b/k", "", nil, Route{Op: OpHeadObject, Bucket: "b", Key: "k"}},
		{"DELETE", "/b/k", "", nil, Route{Op: OpDeleteObject, Bucket: "b", Key: "k"}},
		{"GET", "/k/x", "vb.s3.example.com:9000", nil, Route{Op: OpGetObject, Bucket: "vb", Key: "k/x"}},
		{"GET", "/", "vb.s3.example.com", nil, Route{Op: OpListObjects, Bucket: "vb"}},
		{"GET", "/b/k", "s3.example.com", nil, Route{Op: OpGetObject, Bucket: "b", Key: "k"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.host != "" {
				r.Host = tt.host
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if got := Parse(r, []string{"s3.example.com"}); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBucketFromHost(t *testing.T) {
	domains := []string{"s3.example.com", "localhost"}
	for host, want := range map[string]string{
		"b.s3.example.com":      "b",
		"b.s3.example.com:9000": "b",
		"my.dotted.localhost":   "my.dotted",
		"s3.example.com":        "",
		"127.0.0.1:9000":        "",
		"B.S3.EXAMPLE.COM":      "b",
	} {
		if got := BucketFromHost(host, domains); got != want {
			t.Errorf("BucketFromHost(%q) = %q, want %q", host, got, want)
		}
	}
}

var _ http.Handler = (*Handler)(nil)

package integration

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// presignQuery returns a URL presigned by aws-sdk-go-v2 for method on
// bucket/key with the query q (X-Amz-Expires 600 added), the headers of
// header signed (or hoisted into the query), and payloadHash.
func (e *env) presignQuery(t testing.TB, method, bucket, key string, q url.Values, header http.Header, payloadHash string) string {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("X-Amz-Expires", "600")
	req := e.request(t, method, bucket, key, q, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	u, _, err := signer().PresignHTTP(ctx(t), e.srv.Credentials(), req, payloadHash, "s3", e.srv.Region, time.Now())
	must(t, "PresignHTTP", err)
	return u
}

// wantHeadersNotSigned fails t unless resp is S3's answer to a request with
// unsigned x-amz-* headers: 403 AccessDenied naming them.
func wantHeadersNotSigned(t testing.TB, op string, resp *http.Response, body []byte, headers string) {
	t.Helper()
	wantError(t, op, resp, body, http.StatusForbidden, "AccessDenied")
	var e struct {
		Message          string `xml:"Message"`
		HeadersNotSigned string `xml:"HeadersNotSigned"`
	}
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Errorf("%s: %v", op, err)
		return
	}
	if e.Message != "There were headers present in the request which were not signed" || e.HeadersNotSigned != headers {
		t.Errorf("%s: got message %q, HeadersNotSigned %q; want S3's message and %q", op, e.Message, e.HeadersNotSigned, headers)
	}
}

// TestUnsignedAmzHeaders replays the forgeries of issue 17 over HTTP: an
// x-amz-* header added to a presigned URL or to a captured header-signed
// request is refused with AccessDenied naming it, and nothing happens.
func TestUnsignedAmzHeaders(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		private := e.bucket(t)
		secret := []byte("the private object")
		e.putObject(t, private, "secret.txt", secret)
		bucket := e.bucket(t)
		placeholder := []byte("placeholder")
		e.putObject(t, bucket, "uploads/up.bin", placeholder)
		copySource := http.Header{"X-Amz-Copy-Source": {"/" + private + "/secret.txt"}}
		untouched := func(t *testing.T, op string) {
			t.Helper()
			got, out := e.getObject(t, bucket, "uploads/up.bin")
			if !bytes.Equal(got, placeholder) || len(out.Metadata) != 0 {
				t.Errorf("%s: uploads/up.bin holds %q with metadata %v; want %q untouched", op, got, out.Metadata, placeholder)
			}
			tags := e.tagsOf(t, bucket, "uploads/up.bin")
			if len(tags) != 0 {
				t.Errorf("%s: uploads/up.bin got tags %v", op, tags)
			}
		}

		t.Run("presigned PUT plus copy source", func(t *testing.T) {
			u := e.presignQuery(t, http.MethodPut, bucket, "uploads/up.bin", nil, nil, unsignedPayload)
			resp, body := e.fetch(t, http.MethodPut, u, copySource, []byte("upload"))
			wantHeadersNotSigned(t, "presigned PUT + x-amz-copy-source", resp, body, "x-amz-copy-source")
			untouched(t, "presigned PUT + x-amz-copy-source")
		})

		t.Run("presigned UploadPart plus copy source", func(t *testing.T) {
			id := e.createUpload(t, bucket, "uploads/up.bin")
			u := e.presignQuery(t, http.MethodPut, bucket, "uploads/up.bin", query("partNumber", "1", "uploadId", id), nil, unsignedPayload)
			resp, body := e.fetch(t, http.MethodPut, u, copySource, []byte("part"))
			wantHeadersNotSigned(t, "presigned UploadPart + x-amz-copy-source", resp, body, "x-amz-copy-source")
			parts, err := e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("uploads/up.bin"), UploadId: &id})
			must(t, "ListParts", err)
			if len(parts.Parts) != 0 {
				t.Errorf("after the refused UploadPartCopy: got %d parts, want none", len(parts.Parts))
			}
			// The same URL without the header still works.
			resp, body = e.fetch(t, http.MethodPut, u, nil, []byte("part"))
			wantStatus(t, "presigned UploadPart", resp, body, http.StatusOK)
		})

		t.Run("header-signed plus copy source", func(t *testing.T) {
			// A captured request signing host, x-amz-content-sha256 and
			// x-amz-date, the header added afterwards.
			req := e.request(t, http.MethodPut, bucket, "uploads/up.bin", nil, []byte("upload"))
			e.sign(t, req, unsignedPayload, time.Now())
			req.Header.Set("X-Amz-Copy-Source", "/"+private+"/secret.txt")
			resp, body := e.send(t, req)
			wantHeadersNotSigned(t, "signed PUT + x-amz-copy-source", resp, body, "x-amz-copy-source")
			untouched(t, "signed PUT + x-amz-copy-source")
		})

		extras := []struct {
			name   string
			header http.Header
			names  string
		}{
			{"metadata", http.Header{"X-Amz-Meta-Owner": {"mallory"}}, "x-amz-meta-owner"},
			{"acl", http.Header{"X-Amz-Acl": {"public-read"}}, "x-amz-acl"},
			{"tagging", http.Header{"X-Amz-Tagging": {"owner=mallory"}}, "x-amz-tagging"},
			{"all three", http.Header{"X-Amz-Meta-Owner": {"mallory"}, "X-Amz-Acl": {"private"}, "X-Amz-Tagging": {"a=b"}},
				"x-amz-acl, x-amz-meta-owner, x-amz-tagging"},
		}
		for _, x := range extras {
			t.Run("header-signed plus "+x.name, func(t *testing.T) {
				req := e.request(t, http.MethodPut, bucket, "uploads/up.bin", nil, []byte("upload"))
				e.sign(t, req, sha256Hex([]byte("upload")), time.Now())
				for k, v := range x.header {
					req.Header[k] = v
				}
				resp, body := e.send(t, req)
				wantHeadersNotSigned(t, "signed PUT + "+x.name, resp, body, x.names)
				untouched(t, "signed PUT + "+x.name)
			})
			t.Run("presigned plus "+x.name, func(t *testing.T) {
				u := e.presignQuery(t, http.MethodPut, bucket, "uploads/up.bin", nil, nil, unsignedPayload)
				resp, body := e.fetch(t, http.MethodPut, u, x.header, []byte("upload"))
				wantHeadersNotSigned(t, "presigned PUT + "+x.name, resp, body, x.names)
				untouched(t, "presigned PUT + "+x.name)
			})
		}

		t.Run("signed headers still stored", func(t *testing.T) {
			meta := http.Header{"X-Amz-Meta-Owner": {"alice"}, "X-Amz-Tagging": {"owner=alice"}}
			u := e.presignQuery(t, http.MethodPut, bucket, "uploads/signed.bin", nil, meta, unsignedPayload)
			resp, body := e.fetch(t, http.MethodPut, u, meta, []byte("signed"))
			wantStatus(t, "presigned PUT with signed metadata", resp, body, http.StatusOK)
			_, out := e.getObject(t, bucket, "uploads/signed.bin")
			if out.Metadata["owner"] != "alice" || e.tagsOf(t, bucket, "uploads/signed.bin")["owner"] != "alice" {
				t.Errorf("got metadata %v tags %v, want owner=alice in both", out.Metadata, e.tagsOf(t, bucket, "uploads/signed.bin"))
			}
		})
	})
}

// TestAnonymousCopyRefused checks that a bucket policy letting anyone
// upload does not let anyone copy: an anonymous PUT naming a copy source
// is AccessDenied and the target is untouched.
func TestAnonymousCopyRefused(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		private := e.bucket(t)
		e.putObject(t, private, "secret.txt", []byte("the private object"))
		bucket := e.bucket(t)
		doc := fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
			"Action": "s3:PutObject", "Resource": "arn:aws:s3:::%s/uploads/*"}]}`, bucket)
		_, err := e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(doc)})
		must(t, "PutBucketPolicy", err)
		u := e.objectURL(bucket, "uploads/anon.bin", nil).String()
		resp, body := e.fetch(t, http.MethodPut, u, nil, []byte("anonymous upload"))
		wantStatus(t, "anonymous PUT", resp, body, http.StatusOK)
		resp, body = e.fetch(t, http.MethodPut, u, http.Header{"X-Amz-Copy-Source": {"/" + private + "/secret.txt"}}, nil)
		wantError(t, "anonymous copy", resp, body, http.StatusForbidden, "AccessDenied")
		if got, _ := e.getObject(t, bucket, "uploads/anon.bin"); string(got) != "anonymous upload" {
			t.Errorf("after the anonymous copy: got %q, want the anonymous upload", got)
		}
	})
}

// TestPresignedPinnedPayload checks that a presigned URL whose signed query
// carries X-Amz-Content-Sha256 accepts that body only.
func TestPresignedPinnedPayload(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		signedBody := []byte("the one body this URL may upload")
		hash := sha256Hex(signedBody)
		u := e.presignQuery(t, http.MethodPut, bucket, "pinned", query("X-Amz-Content-Sha256", hash), nil, hash)
		resp, body := e.fetch(t, http.MethodPut, u, nil, []byte("some other body"))
		wantError(t, "pinned presigned PUT, other body", resp, body, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
		_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("pinned")})
		wantAWSError(t, "HeadObject after the refused upload", err, "NotFound", http.StatusNotFound)
		resp, body = e.fetch(t, http.MethodPut, u, http.Header{"X-Amz-Content-Sha256": {unsignedPayload}}, []byte("some other body"))
		wantError(t, "pinned presigned PUT, header asking for no check", resp, body, http.StatusBadRequest, "InvalidArgument")
		resp, body = e.fetch(t, http.MethodPut, u, nil, signedBody)
		wantStatus(t, "pinned presigned PUT, signed body", resp, body, http.StatusOK)
		if got, _ := e.getObject(t, bucket, "pinned"); !bytes.Equal(got, signedBody) {
			t.Errorf("got %q, want %q", got, signedBody)
		}
	})
}

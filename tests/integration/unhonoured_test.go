package integration

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/encrypt"

	"github.com/hoardstore/hoard/internal/testserver"
)

// sseCKey is a customer key and its MD5 as SSE-C headers carry them.
var sseCKey = func() (key, md5b64 string) {
	k := bytes.Repeat([]byte{0x5a}, 32)
	sum := md5.Sum(k)
	return base64.StdEncoding.EncodeToString(k), base64.StdEncoding.EncodeToString(sum[:])
}

// refusal is one request asking for what Hoard does not provide, the
// error it must get, and what must be unchanged afterwards.
type refusal struct {
	name   string
	code   string
	status int
	// send performs the request against bucket (which holds "src", a
	// finished object, and "up", an open multipart upload of key "mp").
	send func(t *testing.T, bucket, uploadID string) error
	// target is the key that must not exist afterwards ("" if none).
	target string
}

// TestUnhonouredRequestsRefused sends every header that asks for a
// guarantee Hoard does not provide (encryption, object lock where the
// bucket has none, ACLs beyond
// the owner's, archive storage classes, ...) on every operation that takes
// it, and checks the S3 error, that nothing was stored and nothing
// changed, and that the harmless values of the same headers still work.
func TestUnhonouredRequestsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, modes[0], testserver.Start(t, testserver.Options{Drives: 1}))
	bucket := e.bucket(t)
	srcBody := []byte("source object")
	srcETag := e.putObject(t, bucket, "src", srcBody)
	up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("mp")})
	must(t, "CreateMultipartUpload", err)
	key, keyMD5 := sseCKey()
	str := aws.String
	put := func(k string, mod func(*s3.PutObjectInput)) func(*testing.T, string, string) error {
		return func(t *testing.T, b, _ string) error {
			in := &s3.PutObjectInput{Bucket: &b, Key: str(k), Body: strings.NewReader("data")}
			mod(in)
			_, err := e.s3.PutObject(ctx(t), in)
			return err
		}
	}
	copyTo := func(k string, mod func(*s3.CopyObjectInput)) func(*testing.T, string, string) error {
		return func(t *testing.T, b, _ string) error {
			in := &s3.CopyObjectInput{Bucket: &b, Key: str(k), CopySource: str(b + "/src")}
			mod(in)
			_, err := e.s3.CopyObject(ctx(t), in)
			return err
		}
	}
	create := func(k string, mod func(*s3.CreateMultipartUploadInput)) func(*testing.T, string, string) error {
		return func(t *testing.T, b, _ string) error {
			in := &s3.CreateMultipartUploadInput{Bucket: &b, Key: str(k)}
			mod(in)
			_, err := e.s3.CreateMultipartUpload(ctx(t), in)
			return err
		}
	}
	newBucket := func(name string, mod func(*s3.CreateBucketInput)) func(*testing.T, string, string) error {
		return func(t *testing.T, _, _ string) error {
			in := &s3.CreateBucketInput{Bucket: str(name)}
			mod(in)
			_, err := e.s3.CreateBucket(ctx(t), in)
			return err
		}
	}
	publicRead := &types.AccessControlPolicy{
		Owner: &types.Owner{ID: str("anyone")},
		Grants: []types.Grant{{
			Grantee:    &types.Grantee{Type: types.TypeGroup, URI: str("http://acs.amazonaws.com/groups/global/AllUsers")},
			Permission: types.PermissionFullControl,
		}},
	}
	cases := []refusal{
		// Server-side encryption, all three kinds, on every write.
		{name: "PutObject SSE-C", code: "NotImplemented", status: 501, target: "ssec",
			send: put("ssec", func(in *s3.PutObjectInput) {
				in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = str("AES256"), str(key), str(keyMD5)
			})},
		{name: "PutObject SSE-S3", code: "NotImplemented", status: 501, target: "sses3",
			send: put("sses3", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 })},
		{name: "PutObject SSE-KMS with key id", code: "NotImplemented", status: 501, target: "kms",
			send: put("kms", func(in *s3.PutObjectInput) {
				in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, str("my-key")
			})},
		{name: "PutObject DSSE-KMS", code: "NotImplemented", status: 501, target: "dsse",
			send: put("dsse", func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAwsKmsDsse })},
		{name: "PutObject KMS context alone", code: "NotImplemented", status: 501, target: "ctx",
			send: put("ctx", func(in *s3.PutObjectInput) { in.SSEKMSEncryptionContext = str("e30=") })},
		{name: "PutObject bucket key flag alone", code: "NotImplemented", status: 501, target: "bk",
			send: put("bk", func(in *s3.PutObjectInput) { in.BucketKeyEnabled = aws.Bool(true) })},
		{name: "PutObject unknown SSE method", code: "InvalidArgument", status: 400, target: "bogus",
			send: put("bogus", func(in *s3.PutObjectInput) { in.ServerSideEncryption = "rot13" })},
		{name: "CopyObject SSE-S3 destination", code: "NotImplemented", status: 501, target: "copy-sse",
			send: copyTo("copy-sse", func(in *s3.CopyObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 })},
		{name: "CopyObject SSE-C destination", code: "NotImplemented", status: 501, target: "copy-ssec",
			send: copyTo("copy-ssec", func(in *s3.CopyObjectInput) {
				in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = str("AES256"), str(key), str(keyMD5)
			})},
		{name: "CopyObject SSE-C source", code: "NotImplemented", status: 501, target: "copy-ssec-src",
			send: copyTo("copy-ssec-src", func(in *s3.CopyObjectInput) {
				in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = str("AES256"), str(key), str(keyMD5)
			})},
		{name: "CreateMultipartUpload SSE-KMS", code: "NotImplemented", status: 501,
			send: create("mp-kms", func(in *s3.CreateMultipartUploadInput) { in.ServerSideEncryption = types.ServerSideEncryptionAwsKms })},
		{name: "CreateMultipartUpload SSE-C", code: "NotImplemented", status: 501,
			send: create("mp-ssec", func(in *s3.CreateMultipartUploadInput) {
				in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = str("AES256"), str(key), str(keyMD5)
			})},
		{name: "UploadPart SSE-C", code: "NotImplemented", status: 501,
			send: func(t *testing.T, b, id string) error {
				_, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &b, Key: str("mp"), UploadId: &id, PartNumber: aws.Int32(1),
					Body: strings.NewReader("part"), SSECustomerAlgorithm: str("AES256"), SSECustomerKey: str(key), SSECustomerKeyMD5: str(keyMD5)})
				return err
			}},
		{name: "GetObject SSE-C", code: "NotImplemented", status: 501,
			send: func(t *testing.T, b, _ string) error {
				out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: str("src"),
					SSECustomerAlgorithm: str("AES256"), SSECustomerKey: str(key), SSECustomerKeyMD5: str(keyMD5)})
				if err == nil {
					out.Body.Close()
				}
				return err
			}},
		{name: "HeadObject SSE-C", code: "NotImplemented", status: 501,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: str("src"),
					SSECustomerAlgorithm: str("AES256"), SSECustomerKey: str(key), SSECustomerKeyMD5: str(keyMD5)})
				return err
			}},
		// Object lock on a bucket created without it: S3's answer for a
		// bucket without a lock configuration (lock_test.go covers the rest).
		{name: "PutObject COMPLIANCE retention", code: "InvalidRequest", status: 400, target: "locked",
			send: put("locked", func(in *s3.PutObjectInput) {
				in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, aws.Time(time.Now().Add(24*time.Hour))
			})},
		{name: "PutObject legal hold ON", code: "InvalidRequest", status: 400, target: "hold",
			send: put("hold", func(in *s3.PutObjectInput) { in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn })},
		{name: "PutObject legal hold OFF", code: "InvalidRequest", status: 400, target: "hold-off",
			send: put("hold-off", func(in *s3.PutObjectInput) { in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOff })},
		{name: "CopyObject GOVERNANCE retention", code: "InvalidRequest", status: 400, target: "copy-locked",
			send: copyTo("copy-locked", func(in *s3.CopyObjectInput) {
				in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, aws.Time(time.Now().Add(time.Hour))
			})},
		{name: "CreateMultipartUpload legal hold", code: "InvalidRequest", status: 400,
			send: create("mp-hold", func(in *s3.CreateMultipartUploadInput) {
				in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn
			})},
		// ACLs beyond the owner's own.
		{name: "CreateBucket public-read", code: "InvalidBucketAclWithObjectOwnership", status: 400,
			send: newBucket("refused-public", func(in *s3.CreateBucketInput) { in.ACL = types.BucketCannedACLPublicRead })},
		{name: "CreateBucket grant", code: "InvalidBucketAclWithObjectOwnership", status: 400,
			send: newBucket("refused-grant", func(in *s3.CreateBucketInput) {
				in.GrantRead = str(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)
			})},
		{name: "PutObject public-read", code: "AccessControlListNotSupported", status: 400, target: "public",
			send: put("public", func(in *s3.PutObjectInput) { in.ACL = types.ObjectCannedACLPublicRead })},
		{name: "PutObject grant", code: "AccessControlListNotSupported", status: 400, target: "granted",
			send: put("granted", func(in *s3.PutObjectInput) {
				in.GrantRead = str(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)
			})},
		{name: "CopyObject public-read-write", code: "AccessControlListNotSupported", status: 400, target: "copy-public",
			send: copyTo("copy-public", func(in *s3.CopyObjectInput) { in.ACL = types.ObjectCannedACLPublicReadWrite })},
		{name: "CreateMultipartUpload authenticated-read", code: "AccessControlListNotSupported", status: 400,
			send: create("mp-auth", func(in *s3.CreateMultipartUploadInput) { in.ACL = types.ObjectCannedACLAuthenticatedRead })},
		{name: "PutBucketAcl public-read", code: "AccessControlListNotSupported", status: 400,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPublicRead})
				return err
			}},
		{name: "PutBucketAcl full control to everyone", code: "AccessControlListNotSupported", status: 400,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, AccessControlPolicy: publicRead})
				return err
			}},
		{name: "PutObjectAcl full control to everyone", code: "AccessControlListNotSupported", status: 400,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("src"), AccessControlPolicy: publicRead})
				return err
			}},
		{name: "PutObjectAcl grant header", code: "AccessControlListNotSupported", status: 400,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("src"), GrantRead: str(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)})
				return err
			}},
		// Other requests for behaviour.
		{name: "PutObject GLACIER", code: "InvalidStorageClass", status: 400, target: "glacier",
			send: put("glacier", func(in *s3.PutObjectInput) { in.StorageClass = types.StorageClassGlacier })},
		{name: "CreateMultipartUpload DEEP_ARCHIVE", code: "InvalidStorageClass", status: 400,
			send: create("mp-deep", func(in *s3.CreateMultipartUploadInput) { in.StorageClass = types.StorageClassDeepArchive })},
		{name: "PutObject bad redirect location", code: "InvalidRedirectLocation", status: 400, target: "redirect",
			send: put("redirect", func(in *s3.PutObjectInput) { in.WebsiteRedirectLocation = str("ftp://elsewhere/") })},
		{name: "PutObject another bucket owner", code: "AccessDenied", status: 403, target: "owner",
			send: put("owner", func(in *s3.PutObjectInput) { in.ExpectedBucketOwner = str("123456789012") })},
		{name: "CopyObject another source owner", code: "AccessDenied", status: 403, target: "copy-owner",
			send: copyTo("copy-owner", func(in *s3.CopyObjectInput) { in.ExpectedSourceBucketOwner = str("123456789012") })},
		{name: "PutObject append at offset", code: "NotImplemented", status: 501, target: "append",
			send: put("append", func(in *s3.PutObjectInput) { in.WriteOffsetBytes = aws.Int64(0) })},
		{name: "DeleteObject If-Match another ETag", code: "PreconditionFailed", status: 412,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &b, Key: str("src"), IfMatch: str(`"0123456789abcdef0123456789abcdef"`)})
				return err
			}},
		{name: "DeleteObject If-Match-Size", code: "NotImplemented", status: 501,
			send: func(t *testing.T, b, _ string) error {
				_, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &b, Key: str("src"), IfMatchSize: aws.Int64(int64(len(srcBody)))})
				return err
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.send(t, bucket, *up.UploadId)
			wantAWSError(t, c.name, err, c.code, c.status)
			if c.target != "" {
				_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &c.target})
				wantAWSError(t, "HeadObject "+c.target+" after refusal", err, "NotFound", 404)
			}
		})
	}

	// Nothing changed: the source reads back as it was, the upload has no
	// part and no other upload was started, refused buckets do not exist.
	t.Run("nothing changed", func(t *testing.T) {
		got, out := e.getObject(t, bucket, "src")
		if !bytes.Equal(got, srcBody) || aws.ToString(out.ETag) != srcETag {
			t.Errorf("src after refusals: got %q etag %s, want %q etag %s", got, aws.ToString(out.ETag), srcBody, srcETag)
		}
		if out.ServerSideEncryption != "" || out.ObjectLockMode != "" || out.ObjectLockLegalHoldStatus != "" {
			t.Errorf("src after refusals: encryption %q, lock %q, hold %q; want none", out.ServerSideEncryption, out.ObjectLockMode, out.ObjectLockLegalHoldStatus)
		}
		parts, err := e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: str("mp"), UploadId: up.UploadId})
		must(t, "ListParts", err)
		if len(parts.Parts) != 0 {
			t.Errorf("ListParts after refused UploadPart: got %d parts, want 0", len(parts.Parts))
		}
		ups, err := e.s3.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: &bucket})
		must(t, "ListMultipartUploads", err)
		if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].Key) != "mp" {
			t.Errorf("uploads after refusals: got %d, want only mp", len(ups.Uploads))
		}
		for _, b := range []string{"refused-public", "refused-grant"} {
			_, err := e.s3.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: str(b)})
			wantAWSError(t, "HeadBucket "+b, err, "NotFound", 404)
		}
		acl, err := e.s3.GetObjectAcl(ctx(t), &s3.GetObjectAclInput{Bucket: &bucket, Key: str("src")})
		must(t, "GetObjectAcl", err)
		if len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl || acl.Grants[0].Grantee.ID == nil {
			t.Errorf("GetObjectAcl after refusals: got %+v, want the owner's full control only", acl.Grants)
		}
	})

	t.Run("NotImplemented names the header", func(t *testing.T) {
		resp, body := e.do(t, http.MethodPut, bucket, "named", nil, hdr("X-Amz-Server-Side-Encryption", "AES256"), []byte("x"))
		wantError(t, "PUT with SSE-S3", resp, body, http.StatusNotImplemented, "NotImplemented")
		var doc struct{ Header string }
		must(t, "error XML", xml.Unmarshal(body, &doc))
		if doc.Header != "x-amz-server-side-encryption" {
			t.Errorf("NotImplemented Header element: got %q, want x-amz-server-side-encryption", doc.Header)
		}
	})

	t.Run("POST Object encryption fields", func(t *testing.T) {
		for _, sse := range []encrypt.ServerSide{encrypt.NewSSE(), mustSSEC(t)} {
			p := minio.NewPostPolicy()
			must(t, "SetBucket", p.SetBucket(bucket))
			must(t, "SetKey", p.SetKey("posted"))
			must(t, "SetExpires", p.SetExpires(time.Now().Add(10*time.Minute)))
			p.SetEncryption(sse)
			u, fields, err := e.mc.PresignedPostPolicy(ctx(t), p)
			must(t, "PresignedPostPolicy", err)
			resp, rb := e.postForm(t, u.String(), fields, "f.txt", []byte("posted"))
			wantError(t, "POST with "+string(sse.Type()), resp, rb, http.StatusNotImplemented, "NotImplemented")
		}
		_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("posted")})
		wantAWSError(t, "HeadObject posted", err, "NotFound", 404)
	})

	// The harmless values of the same headers keep working.
	t.Run("harmless values pass", func(t *testing.T) {
		buckets, err := e.s3.ListBuckets(ctx(t), &s3.ListBucketsInput{})
		must(t, "ListBuckets", err)
		ownerID := aws.ToString(buckets.Owner.ID)
		for _, acl := range []types.ObjectCannedACL{types.ObjectCannedACLPrivate, types.ObjectCannedACLBucketOwnerFullControl} {
			_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: str("ok-" + string(acl)), Body: strings.NewReader("x"), ACL: acl})
			must(t, "PutObject ACL "+string(acl), err)
		}
		_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: str("ok-ia"), Body: strings.NewReader("x"),
			StorageClass: types.StorageClassStandardIa, ExpectedBucketOwner: &ownerID, WebsiteRedirectLocation: str("/elsewhere.html")})
		must(t, "PutObject STANDARD_IA, own owner ID, redirect", err)
		head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("ok-ia")})
		must(t, "HeadObject ok-ia", err)
		if head.StorageClass != types.StorageClassStandardIa || aws.ToString(head.WebsiteRedirectLocation) != "/elsewhere.html" {
			t.Errorf("HeadObject ok-ia: class %q redirect %q", head.StorageClass, aws.ToString(head.WebsiteRedirectLocation))
		}
		_, err = e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: str(e.bucketName(t)), ACL: types.BucketCannedACLPrivate,
			ObjectLockEnabledForBucket: aws.Bool(false), ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced})
		must(t, "CreateBucket private, no lock, owner enforced", err)
		_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &bucket, Key: str("src"), ACL: types.ObjectCannedACLPrivate})
		must(t, "PutObjectAcl private", err)
		own, err := e.s3.GetBucketAcl(ctx(t), &s3.GetBucketAclInput{Bucket: &bucket})
		must(t, "GetBucketAcl", err)
		_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &bucket,
			AccessControlPolicy: &types.AccessControlPolicy{Owner: own.Owner, Grants: own.Grants}})
		must(t, "PutBucketAcl with the owner's own ACL", err)

		// Conditional deletes: the right ETag deletes, a missing object
		// with If-Match is NoSuchKey rather than a silent success.
		etag := e.putObject(t, bucket, "cond", []byte("conditional"))
		_, err = e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: str("cond"), IfMatch: &etag})
		must(t, "DeleteObject If-Match right ETag", err)
		_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("cond")})
		wantAWSError(t, "HeadObject cond after delete", err, "NotFound", 404)
		_, err = e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: str("cond"), IfMatch: &etag})
		wantAWSError(t, "DeleteObject If-Match missing", err, "NoSuchKey", 404)
	})

	t.Run("DeleteObjects with ETags", func(t *testing.T) {
		keep := e.putObject(t, bucket, "batch-keep", []byte("keep"))
		gone := e.putObject(t, bucket, "batch-gone", []byte("gone"))
		out, err := e.s3.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: str("batch-keep"), ETag: str(`"` + strings.Repeat("0", 32) + `"`)},
			{Key: str("batch-gone"), ETag: &gone},
		}}})
		must(t, "DeleteObjects", err)
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "batch-keep" || aws.ToString(out.Errors[0].Code) != "PreconditionFailed" {
			t.Errorf("DeleteObjects errors: got %+v, want batch-keep PreconditionFailed", out.Errors)
		}
		if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "batch-gone" {
			t.Errorf("DeleteObjects deleted: got %+v, want batch-gone", out.Deleted)
		}
		head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("batch-keep")})
		must(t, "HeadObject batch-keep", err)
		if aws.ToString(head.ETag) != keep {
			t.Errorf("batch-keep ETag: got %s, want %s", aws.ToString(head.ETag), keep)
		}
	})
}

// mustSSEC returns an SSE-C setting with a fixed key.
func mustSSEC(t *testing.T) encrypt.ServerSide {
	s, err := encrypt.NewSSEC(bytes.Repeat([]byte{1}, 32))
	must(t, "NewSSEC", err)
	return s
}

package integration

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// TestAuthAnonymous checks that unsigned requests get 403 AccessDenied on
// the service, a bucket and an object, for reads and writes.
func TestAuthAnonymous(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: bytes.NewReader([]byte("x"))})
		must(t, "PutObject", err)
		tests := []struct {
			name, method, bucket, key string
			body                      []byte
		}{
			{"list-buckets", http.MethodGet, "", "", nil},
			{"list-objects", http.MethodGet, bucket, "", nil},
			{"head-bucket", http.MethodHead, bucket, "", nil},
			{"get-object", http.MethodGet, bucket, "k", nil},
			{"put-object", http.MethodPut, bucket, "new", []byte("data")},
			{"delete-object", http.MethodDelete, bucket, "k", nil},
			{"create-bucket", http.MethodPut, e.bucketName(t), "", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := e.send(t, e.request(t, tt.method, tt.bucket, tt.key, nil, tt.body))
				if tt.method == http.MethodHead {
					wantStatus(t, tt.name, resp, body, http.StatusForbidden)
					return
				}
				wantError(t, tt.name, resp, body, http.StatusForbidden, "AccessDenied")
			})
		}
		// Nothing anonymous may have changed anything.
		_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("k")})
		must(t, "HeadObject after anonymous delete", err)
		_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("new")})
		wantAWSError(t, "HeadObject after anonymous put", err, "NotFound", http.StatusNotFound)
	})
}

// TestAuthBadCredentials checks InvalidAccessKeyId for an unknown access
// key and SignatureDoesNotMatch for a wrong secret, with both clients.
func TestAuthBadCredentials(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		tests := []struct {
			name, access, secret, code string
		}{
			{"unknown-access-key", "NOSUCHACCESSKEY", e.srv.SecretKey, "InvalidAccessKeyId"},
			{"wrong-secret", e.srv.AccessKey, "wrong-secret-key-0123456789", "SignatureDoesNotMatch"},
		}
		for _, tt := range tests {
			t.Run(tt.name+"/aws", func(t *testing.T) {
				c := e.srv.S3Client(t, func(o *s3.Options) {
					o.Credentials = awscreds.NewStaticCredentialsProvider(tt.access, tt.secret, "")
				})
				_, err := c.ListBuckets(ctx(t), &s3.ListBucketsInput{})
				wantAWSError(t, "ListBuckets", err, tt.code, http.StatusForbidden)
				_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: bytes.NewReader([]byte("x"))})
				wantAWSError(t, "PutObject", err, tt.code, http.StatusForbidden)
			})
			t.Run(tt.name+"/minio", func(t *testing.T) {
				c := e.srv.MinioClient(t, func(o *minio.Options) {
					o.Creds = miniocreds.NewStaticV4(tt.access, tt.secret, "")
				})
				_, err := c.ListBuckets(ctx(t))
				wantMinioError(t, "ListBuckets", err, tt.code, http.StatusForbidden)
				_, err = c.PutObject(ctx(t), bucket, "k", bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{})
				wantMinioError(t, "PutObject", err, tt.code, http.StatusForbidden)
			})
		}
		_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("k")})
		wantAWSError(t, "HeadObject after rejected puts", err, "NotFound", http.StatusNotFound)
	})
}

// TestAuthClockSkew signs requests with a skewed clock: beyond 15 minutes
// either way gives 403 RequestTimeTooSkewed, within it succeeds.
func TestAuthClockSkew(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		tests := []struct {
			name string
			skew time.Duration
			ok   bool
		}{
			{"past-20m", -20 * time.Minute, false},
			{"future-20m", 20 * time.Minute, false},
			{"past-1h", -time.Hour, false},
			{"past-10m", -10 * time.Minute, true},
			{"future-10m", 10 * time.Minute, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := e.request(t, http.MethodGet, bucket, "", nil, nil)
				e.sign(t, req, emptySHA256, time.Now().Add(tt.skew))
				resp, body := e.send(t, req)
				if tt.ok {
					wantStatus(t, "ListObjects", resp, body, http.StatusOK)
					return
				}
				wantError(t, "ListObjects", resp, body, http.StatusForbidden, "RequestTimeTooSkewed")
			})
		}
		t.Run("sdk-clock-skew", func(t *testing.T) {
			c := e.srv.S3Client(t, func(o *s3.Options) {
				o.HTTPSignerV4 = skewedSigner{skew: -30 * time.Minute}
			})
			_, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
			wantAWSError(t, "ListObjectsV2", err, "RequestTimeTooSkewed", http.StatusForbidden)
		})
	})
}

// TestAuthSignedPayload checks the payload hash: a mismatching signed hash
// is XAmzContentSHA256Mismatch and stores nothing; UNSIGNED-PAYLOAD works;
// changing a signed header after signing is SignatureDoesNotMatch.
func TestAuthSignedPayload(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		t.Run("sha256-mismatch", func(t *testing.T) {
			req := e.request(t, http.MethodPut, bucket, "mismatch", nil, []byte("hello"))
			e.sign(t, req, sha256Hex([]byte("world")), time.Now())
			resp, body := e.send(t, req)
			wantError(t, "PUT", resp, body, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
			_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("mismatch")})
			wantAWSError(t, "HeadObject", err, "NotFound", http.StatusNotFound)
		})
		t.Run("unsigned-payload", func(t *testing.T) {
			req := e.request(t, http.MethodPut, bucket, "unsigned", nil, []byte("unsigned body"))
			e.sign(t, req, unsignedPayload, time.Now())
			resp, body := e.send(t, req)
			wantStatus(t, "PUT", resp, body, http.StatusOK)
			if got, want := resp.Header.Get("ETag"), quoted(md5Hex([]byte("unsigned body"))); got != want {
				t.Errorf("ETag: got %s, want %s", got, want)
			}
		})
		t.Run("header-changed-after-signing", func(t *testing.T) {
			req := e.request(t, http.MethodPut, bucket, "tampered", nil, []byte("x"))
			req.Header.Set("X-Amz-Meta-Color", "blue")
			e.sign(t, req, sha256Hex([]byte("x")), time.Now())
			req.Header.Set("X-Amz-Meta-Color", "red")
			resp, body := e.send(t, req)
			wantError(t, "PUT", resp, body, http.StatusForbidden, "SignatureDoesNotMatch")
		})
		t.Run("wrong-region", func(t *testing.T) {
			c := e.srv.S3Client(t, func(o *s3.Options) { o.Region = "eu-west-3" })
			_, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
			wantAWSError(t, "ListObjectsV2 signed for another region", err, "AuthorizationHeaderMalformed", http.StatusBadRequest)
		})
	})
}

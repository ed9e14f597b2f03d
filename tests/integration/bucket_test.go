package integration

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestBucketLifecycle creates, heads, lists and deletes buckets with both
// clients, including the already-owned and not-empty errors.
func TestBucketLifecycle(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		start := time.Now().Add(-time.Minute)
		awsBucket, mcBucket := e.bucketName(t), e.bucketName(t)
		_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &awsBucket})
		must(t, "CreateBucket", err)
		must(t, "MakeBucket", e.mc.MakeBucket(ctx(t), mcBucket, minio.MakeBucketOptions{}))

		t.Run("head", func(t *testing.T) {
			_, err := e.s3.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: &mcBucket})
			must(t, "HeadBucket", err)
			ok, err := e.mc.BucketExists(ctx(t), awsBucket)
			if err != nil || !ok {
				t.Errorf("BucketExists(%s): got %v, %v; want true, nil", awsBucket, ok, err)
			}
		})
		t.Run("list", func(t *testing.T) {
			out, err := e.s3.ListBuckets(ctx(t), &s3.ListBucketsInput{})
			must(t, "ListBuckets", err)
			var names []string
			for _, b := range out.Buckets {
				names = append(names, aws.ToString(b.Name))
				if d := aws.ToTime(b.CreationDate); d.Before(start) || d.After(time.Now().Add(time.Minute)) {
					t.Errorf("bucket %s: got CreationDate %v, want about now", aws.ToString(b.Name), d)
				}
			}
			if !slices.IsSorted(names) {
				t.Errorf("ListBuckets: got %v, want sorted by name", names)
			}
			for _, want := range []string{awsBucket, mcBucket} {
				if !slices.Contains(names, want) {
					t.Errorf("ListBuckets: got %v, want it to contain %s", names, want)
				}
			}
			if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
				t.Errorf("ListBuckets: got Owner %+v, want an owner ID", out.Owner)
			}
			infos, err := e.mc.ListBuckets(ctx(t))
			must(t, "minio ListBuckets", err)
			if len(infos) != len(names) {
				t.Errorf("minio ListBuckets: got %d buckets, want %d", len(infos), len(names))
			}
		})
		t.Run("already-owned", func(t *testing.T) {
			_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &awsBucket})
			wantAWSError(t, "CreateBucket again", err, "BucketAlreadyOwnedByYou", http.StatusConflict)
			err = e.mc.MakeBucket(ctx(t), mcBucket, minio.MakeBucketOptions{})
			wantMinioError(t, "MakeBucket again", err, "BucketAlreadyOwnedByYou", http.StatusConflict)
		})
		t.Run("location", func(t *testing.T) {
			out, err := e.s3.GetBucketLocation(ctx(t), &s3.GetBucketLocationInput{Bucket: &awsBucket})
			must(t, "GetBucketLocation", err)
			if out.LocationConstraint != "" {
				t.Errorf("GetBucketLocation in us-east-1: got %q, want empty", out.LocationConstraint)
			}
			loc, err := e.mc.GetBucketLocation(ctx(t), mcBucket)
			must(t, "minio GetBucketLocation", err)
			if loc != "us-east-1" {
				t.Errorf("minio GetBucketLocation: got %q, want us-east-1", loc)
			}
		})
		t.Run("delete", func(t *testing.T) {
			_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &awsBucket, Key: aws.String("k"), Body: strings.NewReader("x")})
			must(t, "PutObject", err)
			_, err = e.s3.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &awsBucket})
			wantAWSError(t, "DeleteBucket not empty", err, "BucketNotEmpty", http.StatusConflict)
			err = e.mc.RemoveBucket(ctx(t), awsBucket)
			wantMinioError(t, "minio RemoveBucket not empty", err, "BucketNotEmpty", http.StatusConflict)
			_, err = e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &awsBucket, Key: aws.String("k")})
			must(t, "DeleteObject", err)
			_, err = e.s3.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &awsBucket})
			must(t, "DeleteBucket", err)
			must(t, "minio RemoveBucket", e.mc.RemoveBucket(ctx(t), mcBucket))
			for _, b := range []string{awsBucket, mcBucket} {
				_, err = e.s3.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: &b})
				wantAWSError(t, "HeadBucket deleted", err, "NotFound", http.StatusNotFound)
			}
			_, err = e.s3.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &awsBucket})
			wantAWSError(t, "DeleteBucket missing", err, "NoSuchBucket", http.StatusNotFound)
			err = e.mc.RemoveBucket(ctx(t), mcBucket)
			wantMinioError(t, "minio RemoveBucket missing", err, "NoSuchBucket", http.StatusNotFound)
		})
	})
}

// TestBucketNames checks S3's naming rules on CreateBucket: each invalid
// name gets 400 InvalidBucketName, each valid one is created.
func TestBucketNames(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		tests := []struct {
			name  string
			valid bool
		}{
			{"ab", false},
			{strings.Repeat("a", 64), false},
			{"UpperCase", false},
			{"under_score", false},
			{"-leading-dash", false},
			{"trailing-dash-", false},
			{"two..dots", false},
			{"192.168.10.20", false},
			{"xn--reserved-prefix", false},
			{"reserved-suffix-s3alias", false},
			{"abc", true},
			{strings.Repeat("b", 63), true},
			{"dots.and-dashes.1", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := e.do(t, http.MethodPut, tt.name, "", nil, nil, nil)
				if tt.valid {
					wantStatus(t, "PUT bucket", resp, body, http.StatusOK)
					if loc := resp.Header.Get("Location"); loc != "/"+tt.name {
						t.Errorf("Location: got %q, want %q", loc, "/"+tt.name)
					}
					return
				}
				wantError(t, "PUT bucket", resp, body, http.StatusBadRequest, "InvalidBucketName")
			})
		}
		t.Run("aws-sdk", func(t *testing.T) {
			_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String("bad_name")})
			wantAWSError(t, "CreateBucket", err, "InvalidBucketName", http.StatusBadRequest)
		})
	})
}

// TestBucketMissing checks that operations on a bucket that does not exist
// answer 404 NoSuchBucket (HEAD: 404 without a body).
func TestBucketMissing(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		missing := e.bucketName(t)
		c := ctx(t)
		_, err := e.s3.PutObject(c, &s3.PutObjectInput{Bucket: &missing, Key: aws.String("k"), Body: strings.NewReader("x")})
		wantAWSError(t, "PutObject", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.GetObject(c, &s3.GetObjectInput{Bucket: &missing, Key: aws.String("k")})
		wantAWSError(t, "GetObject", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.ListObjectsV2(c, &s3.ListObjectsV2Input{Bucket: &missing})
		wantAWSError(t, "ListObjectsV2", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.ListObjects(c, &s3.ListObjectsInput{Bucket: &missing})
		wantAWSError(t, "ListObjects", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.DeleteObject(c, &s3.DeleteObjectInput{Bucket: &missing, Key: aws.String("k")})
		wantAWSError(t, "DeleteObject", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.CreateMultipartUpload(c, &s3.CreateMultipartUploadInput{Bucket: &missing, Key: aws.String("k")})
		wantAWSError(t, "CreateMultipartUpload", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.GetBucketLocation(c, &s3.GetBucketLocationInput{Bucket: &missing})
		wantAWSError(t, "GetBucketLocation", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.HeadBucket(c, &s3.HeadBucketInput{Bucket: &missing})
		wantAWSError(t, "HeadBucket", err, "NotFound", http.StatusNotFound)
		_, err = e.s3.HeadObject(c, &s3.HeadObjectInput{Bucket: &missing, Key: aws.String("k")})
		wantAWSError(t, "HeadObject", err, "NotFound", http.StatusNotFound)
		_, err = e.mc.PutObject(c, missing, "k", bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{})
		wantMinioError(t, "minio PutObject", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.mc.StatObject(c, missing, "k", minio.StatObjectOptions{})
		wantMinioError(t, "minio StatObject", err, "NoSuchBucket", http.StatusNotFound)
	})
}

// TestBucketRegion runs a server in another region: GetBucketLocation
// reports it, a matching LocationConstraint is accepted, a different one is
// refused, and a malformed configuration body is MalformedXML.
func TestBucketRegion(t *testing.T) {
	const region = "eu-central-1"
	forEachMode(t, testserver.Options{Region: region}, func(t *testing.T, e *env) {
		name := e.bucketName(t)
		_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{
			Bucket:                    &name,
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: region},
		})
		must(t, "CreateBucket with matching LocationConstraint", err)
		out, err := e.s3.GetBucketLocation(ctx(t), &s3.GetBucketLocationInput{Bucket: &name})
		must(t, "GetBucketLocation", err)
		if out.LocationConstraint != region {
			t.Errorf("GetBucketLocation: got %q, want %q", out.LocationConstraint, region)
		}
		loc, err := e.mc.GetBucketLocation(ctx(t), name)
		must(t, "minio GetBucketLocation", err)
		if loc != region {
			t.Errorf("minio GetBucketLocation: got %q, want %q", loc, region)
		}
		must(t, "minio MakeBucket", e.mc.MakeBucket(ctx(t), e.bucketName(t), minio.MakeBucketOptions{Region: region}))

		other := e.bucketName(t)
		_, err = e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{
			Bucket:                    &other,
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "ap-south-1"},
		})
		wantAWSError(t, "CreateBucket with another region", err, "IllegalLocationConstraintException", http.StatusBadRequest)

		resp, body := e.do(t, http.MethodPut, e.bucketName(t), "", nil, nil, []byte("<CreateBucketConfiguration><LocationConstraint>"))
		wantError(t, "PUT bucket with malformed body", resp, body, http.StatusBadRequest, "MalformedXML")
	})
}

package integration

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestDeleteBucketWithUploads: as with S3, unfinished multipart uploads do
// not keep a bucket from being deleted (DeleteBucket answers 204 and
// aborts them); an object does (409 BucketNotEmpty, uploads kept).
func TestDeleteBucketWithUploads(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		id := e.createUpload(t, bucket, "big/one")
		e.uploadPart(t, bucket, "big/one", id, 1, data(3, 1000))
		e.createUpload(t, bucket, "big/two")
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: strings.NewReader("x")})
		must(t, "PutObject", err)
		_, err = e.s3.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &bucket})
		wantAWSError(t, "DeleteBucket with an object and uploads", err, "BucketNotEmpty", http.StatusConflict)
		_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("big/one"), UploadId: &id})
		must(t, "ListParts after the refused DeleteBucket", err)
		_, err = e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("k")})
		must(t, "DeleteObject", err)

		resp, body := e.do(t, http.MethodDelete, bucket, "", nil, nil, nil)
		wantStatus(t, "DeleteBucket with only uploads", resp, body, http.StatusNoContent)
		_, err = e.s3.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: &bucket})
		wantAWSError(t, "HeadBucket after delete", err, "NotFound", http.StatusNotFound)
		_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("big/one"), UploadId: &id})
		wantAWSError(t, "ListParts after delete", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &bucket})
		must(t, "CreateBucket again", err)
		ups, err := e.s3.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: &bucket})
		must(t, "ListMultipartUploads", err)
		if len(ups.Uploads) != 0 {
			t.Errorf("uploads of the bucket made again: got %d, want 0", len(ups.Uploads))
		}
		_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("big/one"), UploadId: &id})
		wantAWSError(t, "ListParts of an aborted upload", err, "NoSuchUpload", http.StatusNotFound)
	})
}

// TestDeleteBucketRacesPut: a PutObject racing DeleteBucket of a bucket
// holding only an upload either lands first (the delete is refused) or
// finds no bucket; never both succeed, which would leave an object in a
// deleted bucket. Each round starts from a bucket made again.
func TestDeleteBucketRacesPut(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		for round := range 12 {
			if round > 0 { // every round ends with the bucket deleted
				_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &bucket})
				must(t, "CreateBucket again", err)
			}
			e.createUpload(t, bucket, "upload")
			var putErr, delErr error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, putErr = e.s3b.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("raced"), Body: strings.NewReader("raced")})
			}()
			go func() {
				defer wg.Done()
				_, delErr = e.s3.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &bucket})
			}()
			wg.Wait()
			switch {
			case putErr == nil && delErr == nil:
				t.Fatalf("round %d: PutObject and DeleteBucket both succeeded", round)
			case putErr == nil:
				wantAWSError(t, "DeleteBucket after the put", delErr, "BucketNotEmpty", http.StatusConflict)
				_, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("raced")})
				must(t, "DeleteObject", err)
				_, err = e.s3.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &bucket})
				must(t, "DeleteBucket of the emptied bucket", err)
			case delErr == nil:
				wantAWSError(t, "PutObject after the delete", putErr, "NoSuchBucket", http.StatusNotFound)
			default:
				t.Fatalf("round %d: both failed: put %v, delete %v", round, putErr, delErr)
			}
			_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("raced")})
			if err == nil {
				t.Fatalf("round %d: the raced object is readable after the bucket was deleted", round)
			}
		}
	})
}

package erasure

import (
	"context"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestBuckets(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "beta")
	mustBucket(t, l, "alpha")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"make invalid", l.MakeBucket(ctx, "Bad_Name"), storage.ErrInvalidBucketName},
		{"make exists", l.MakeBucket(ctx, "alpha"), storage.ErrBucketExists},
		{"info missing", func() error { _, e := l.GetBucketInfo(ctx, "nope"); return e }(), storage.ErrBucketNotFound},
		{"info ok", func() error { _, e := l.GetBucketInfo(ctx, "alpha"); return e }(), nil},
		{"delete missing", l.DeleteBucket(ctx, "nope", false), storage.ErrBucketNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.err, tt.want) })
	}
	bs, err := l.ListBuckets(ctx)
	if err != nil || len(bs) != 2 || bs[0].Name != "alpha" || bs[1].Name != "beta" {
		t.Errorf("ListBuckets: got %+v, %v; want alpha, beta", bs, err)
	}

	mustPut(t, l, "alpha", "k", []byte("data"))
	wantErr(t, "delete non-empty", l.DeleteBucket(ctx, "alpha", false), storage.ErrBucketNotEmpty)
	if _, err := l.NewMultipartUpload(ctx, "beta", "up", storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete with upload", l.DeleteBucket(ctx, "beta", false), storage.ErrBucketNotEmpty)
	wantErr(t, "force delete", l.DeleteBucket(ctx, "beta", true), nil)
	wantErr(t, "delete emptied", l.DeleteObjectAndBucket(ctx, "alpha", "k"), nil)
	bs, _ = l.ListBuckets(ctx)
	if len(bs) != 0 {
		t.Errorf("after deletes: got %d buckets, want 0", len(bs))
	}
	// A re-created bucket starts empty.
	mustBucket(t, l, "beta")
	res, err := l.ListMultipartUploads(ctx, "beta", storage.ListUploadsOptions{})
	if err != nil || len(res.Uploads) != 0 {
		t.Errorf("uploads after force delete: got %d, %v; want 0", len(res.Uploads), err)
	}
}

// DeleteObjectAndBucket is a test helper: delete one object, then the bucket.
func (l *Layer) DeleteObjectAndBucket(ctx context.Context, bucket, key string) error {
	if _, err := l.DeleteObject(ctx, bucket, key, storage.DeleteOptions{}); err != nil {
		return err
	}
	return l.DeleteBucket(ctx, bucket, false)
}

// TestForceDeleteRacesWriters runs force deletes of a bucket against
// writers, completes and updates in it: no deadlock, and afterwards the
// re-created bucket holds nothing the deletes should have removed.
func TestForceDeleteRacesWriters(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			l.PutObject(ctx, "bkt", "k", newPayload([]byte("v")), storage.PutOptions{})
			l.UpdateObject(ctx, "bkt", "k", storage.UpdateOptions{Tags: map[string]string{"a": "b"}})
			if up, err := l.NewMultipartUpload(ctx, "bkt", "m", storage.PutOptions{}); err == nil {
				body := []byte("part")
				if _, err := l.PutObjectPart(ctx, "bkt", "m", up.UploadID, 1, newPayload(body)); err == nil {
					l.CompleteMultipartUpload(ctx, "bkt", "m", up.UploadID, []storage.CompletePart{{Number: 1, ETag: md5hex(body)}}, storage.CompleteOptions{})
				}
			}
		}
	}()
	for i := 0; i < 20; i++ {
		l.DeleteBucket(ctx, "bkt", true)
		l.MakeBucket(ctx, "bkt")
	}
	<-done
	if err := l.DeleteBucket(ctx, "bkt", true); err != nil {
		t.Fatalf("final force delete: got %v", err)
	}
	mustBucket(t, l, "bkt")
	res, err := l.ListObjects(ctx, "bkt", storage.ListOptions{})
	if err != nil || len(res.Objects) != 0 {
		t.Errorf("re-created bucket: got %d objects, %v; want 0", len(res.Objects), err)
	}
}

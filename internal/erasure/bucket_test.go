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

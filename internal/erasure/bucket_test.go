package erasure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	up, err := l.NewMultipartUpload(ctx, "alpha", "up", storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete with an object and an upload", l.DeleteBucket(ctx, "alpha", false), storage.ErrBucketNotEmpty)
	if _, err := l.GetMultipartUpload(ctx, "alpha", "up", up.UploadID); err != nil {
		t.Errorf("upload after a refused delete: got %v, want it kept", err)
	}
	if _, err := l.NewMultipartUpload(ctx, "beta", "up", storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "beta", "k", []byte("data"))
	wantErr(t, "force delete", l.DeleteBucket(ctx, "beta", true), nil)
	if err := l.AbortMultipartUpload(ctx, "alpha", "up", up.UploadID); err != nil {
		t.Fatal(err)
	}
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

// TestDeleteBucketWithUploads: a bucket holding only unfinished uploads
// is deleted, its uploads aborted (their data gone); one holding an
// object version or a delete marker is not, and keeps its uploads.
func TestDeleteBucketWithUploads(t *testing.T) {
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d drives", n), func(t *testing.T) {
			l, dirs := openTest(t, n, nil)
			ctx := context.Background()
			mustBucket(t, l, "only-uploads")
			for _, key := range []string{"a", "b/c", "a"} {
				up, err := l.NewMultipartUpload(ctx, "only-uploads", key, storage.PutOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := l.PutObjectPart(ctx, "only-uploads", key, up.UploadID, 1, newPayload(randBytes(300<<10, 7))); err != nil {
					t.Fatal(err)
				}
			}
			wantErr(t, "delete a bucket with only uploads", l.DeleteBucket(ctx, "only-uploads", false), nil)
			if _, err := l.GetBucketInfo(ctx, "only-uploads"); !errorsIs(err, storage.ErrBucketNotFound) {
				t.Errorf("bucket after delete: got %v, want ErrBucketNotFound", err)
			}
			mustBucket(t, l, "only-uploads")
			if res, err := l.ListMultipartUploads(ctx, "only-uploads", storage.ListUploadsOptions{}); err != nil || len(res.Uploads) != 0 {
				t.Errorf("uploads of the bucket made again: got %d, %v; want 0", len(res.Uploads), err)
			}
			for _, d := range dirs {
				if files := dataFiles(t, d); len(files) != 0 {
					t.Errorf("drive %s keeps upload data: %v", d, files)
				}
			}

			mustBucket(t, l, "marker")
			setVersioning(t, l, "marker", "Enabled")
			if _, err := l.DeleteObject(ctx, "marker", "gone", storage.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			up, err := l.NewMultipartUpload(ctx, "marker", "k", storage.PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			wantErr(t, "delete a bucket with a delete marker", l.DeleteBucket(ctx, "marker", false), storage.ErrBucketNotEmpty)
			if _, err := l.GetMultipartUpload(ctx, "marker", "k", up.UploadID); err != nil {
				t.Errorf("upload of the bucket not deleted: got %v, want kept", err)
			}
		})
	}
}

// dataFiles lists the files under a drive folder's data directories.
func dataFiles(t *testing.T, drive string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(drive, ".hoard.sys", "data")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("walk %s: %v", root, err)
	}
	return out
}

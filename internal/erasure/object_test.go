package erasure

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestPutGetRoundTrip(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	sizes := []int{0, 1, 4096, 128 << 10, 128<<10 + 1, 1 << 20, 1<<20 + 7, 3<<20 + 123}
	for i, n := range sizes {
		body := randBytes(n, uint64(i))
		key := "obj/" + strings.Repeat("x", i)
		info := mustPut(t, l, "bkt", key, body)
		if info.ETag != md5hex(body) || info.Size != int64(n) {
			t.Errorf("size %d: info got etag %s size %d, want %s %d", n, info.ETag, info.Size, md5hex(body), n)
		}
		got, err := readAll(l, "bkt", key)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("size %d: read got %d bytes, %v; want %d bytes", n, len(got), err, n)
		}
		for _, r := range [][2]int64{{0, 1}, {int64(n) / 3, int64(n) / 2}, {int64(n) - 1, 1}} {
			if n == 0 || r[0]+r[1] > int64(n) {
				continue
			}
			got, err := readRange(l, "bkt", key, r[0], r[1])
			if err != nil || !bytes.Equal(got, body[r[0]:r[0]+r[1]]) {
				t.Errorf("size %d range %v: got %d bytes, %v", n, r, len(got), err)
			}
		}
	}
}

func TestObjectErrors(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	mustPut(t, l, "bkt", "k", []byte("hello"))
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"put no bucket", func() error { _, e := l.PutObject(ctx, "nob", "k", newPayload(nil), storage.PutOptions{}); return e }(), storage.ErrBucketNotFound},
		{"put bad key", func() error { _, e := l.PutObject(ctx, "bkt", "", newPayload(nil), storage.PutOptions{}); return e }(), storage.ErrInvalidObjectName},
		{"stat missing", func() error { _, e := l.StatObject(ctx, "bkt", "nokey", storage.GetOptions{}); return e }(), storage.ErrObjectNotFound},
		{"stat no bucket", func() error { _, e := l.StatObject(ctx, "nob", "k", storage.GetOptions{}); return e }(), storage.ErrBucketNotFound},
		{"stat bad version", func() error { _, e := l.StatObject(ctx, "bkt", "k", storage.GetOptions{VersionID: "v9"}); return e }(), storage.ErrVersionNotFound},
		{"stat null version", func() error { _, e := l.StatObject(ctx, "bkt", "k", storage.GetOptions{VersionID: "null"}); return e }(), nil},
		{"open missing", func() error { _, e := l.OpenObject(ctx, "bkt", "nokey", storage.GetOptions{}); return e }(), storage.ErrObjectNotFound},
		{"delete missing", func() error { _, e := l.DeleteObject(ctx, "bkt", "nokey", storage.DeleteOptions{}); return e }(), storage.ErrObjectNotFound},
		{"delete no bucket", func() error { _, e := l.DeleteObject(ctx, "nob", "k", storage.DeleteOptions{}); return e }(), storage.ErrBucketNotFound},
		{"if-none-match exists", func() error {
			_, e := l.PutObject(ctx, "bkt", "k", newPayload([]byte("x")), storage.PutOptions{IfNoneMatch: "*"})
			return e
		}(), storage.ErrPreconditionFailed},
		{"if-match wrong", func() error {
			_, e := l.PutObject(ctx, "bkt", "k", newPayload([]byte("x")), storage.PutOptions{IfMatch: `"abc"`})
			return e
		}(), storage.ErrPreconditionFailed},
		{"if-match missing key", func() error {
			_, e := l.PutObject(ctx, "bkt", "nokey", newPayload([]byte("x")), storage.PutOptions{IfMatch: `"abc"`})
			return e
		}(), storage.ErrObjectNotFound},
		{"if-match right", func() error {
			_, e := l.PutObject(ctx, "bkt", "k", newPayload([]byte("hello")), storage.PutOptions{IfMatch: `"` + md5hex([]byte("hello")) + `"`})
			return e
		}(), nil},
		{"if-none-match new key", func() error {
			_, e := l.PutObject(ctx, "bkt", "new", newPayload([]byte("x")), storage.PutOptions{IfNoneMatch: "*"})
			return e
		}(), nil},
		{"short body", func() error {
			_, e := l.PutObject(ctx, "bkt", "short", readerPayload(strings.NewReader("abc"), 10), storage.PutOptions{})
			return e
		}(), storage.ErrIncompleteBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.err, tt.want) })
	}
	if _, err := l.StatObject(ctx, "bkt", "short", storage.GetOptions{}); !errorsIs(err, storage.ErrObjectNotFound) {
		t.Errorf("failed put visible: got %v, want ErrObjectNotFound", err)
	}
	o, err := l.OpenObject(ctx, "bkt", "k", storage.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.Reader(3, 5); !errorsIs(err, storage.ErrInvalidRange) {
		t.Errorf("range past end: got %v, want ErrInvalidRange", err)
	}
}

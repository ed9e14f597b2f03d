package erasure

import (
	"context"
	"fmt"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

// TestUsageCache checks the cached usage against a walk after every kind
// of write, and that a count overlapped by a write is not kept.
func TestUsageCache(t *testing.T) {
	t.Parallel()
	l, _, _ := healOpen(t, 4, Config{})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	check := func(step string) {
		t.Helper()
		got, err := l.BucketUsage(ctx, "bkt")
		want, werr := l.walkUsage(ctx, "bkt")
		if err != nil || werr != nil || got != want {
			t.Errorf("%s: cached usage %+v (%v), walked %+v (%v)", step, got, err, want, werr)
		}
	}
	check("empty")
	if _, ok := l.usage.get("bkt"); !ok {
		t.Fatalf("after a walk: no cached figure")
	}
	for i := range 5 {
		mustPut(t, l, "bkt", fmt.Sprintf("k%d", i), randBytes(1000*(i+1), uint64(i)))
	}
	check("puts")
	mustPut(t, l, "bkt", "k1", randBytes(3<<20, 9))
	check("overwrite")
	if _, err := l.DeleteObject(ctx, "bkt", "k2", storage.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("delete")
	l.DeleteObjects(ctx, "bkt", []storage.ObjectRef{{Key: "k3"}, {Key: "k4"}, {Key: "missing"}})
	check("batch delete")
	healPutParts(t, l, "bkt", "mp", randBytes(storage.MinPartSize, 1), randBytes(10, 2))
	check("multipart")
	if u, _ := l.BucketUsage(ctx, "bkt"); u.Objects != 3 || u.Bytes != 1000+3<<20+storage.MinPartSize+10 {
		t.Errorf("usage: got %+v, want 3 objects", u)
	}

	done := l.CountUsage("bkt")
	mustPut(t, l, "bkt", "late", []byte("x"))
	if done(1, 1) {
		t.Errorf("a count overlapped by a write: kept, want dropped")
	}
	check("count overlapped by a write")
	if done := l.CountUsage("bkt"); !done(4, 5) {
		t.Errorf("a quiet count: dropped, want kept")
	}
	if u, _ := l.BucketUsage(ctx, "bkt"); u.Objects != 4 || u.Bytes != 5 {
		t.Errorf("after a quiet count: got %+v, want the count's 4 objects and 5 bytes", u)
	}
	if err := l.DeleteBucket(ctx, "bkt", true); err != nil {
		t.Fatal(err)
	}
	mustBucket(t, l, "bkt")
	check("re-created bucket")
}

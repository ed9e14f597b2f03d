package erasure

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestBucketCache(t *testing.T) {
	b := storage.BucketInfo{Name: "b", Created: time.Unix(100, 0).UTC()}
	tests := []struct {
		name string
		ttl  time.Duration
		// run acts on the cache and the clock; it returns whether the
		// final get hits.
		run  func(c *bucketCache, clock *time.Time) bool
		want bool
	}{
		{"fill then hit", time.Second, func(c *bucketCache, _ *time.Time) bool {
			_, _, gen := c.get("b")
			c.put(b, gen)
			_, ok, _ := c.get("b")
			return ok
		}, true},
		{"expired", time.Second, func(c *bucketCache, clock *time.Time) bool {
			_, _, gen := c.get("b")
			c.put(b, gen)
			*clock = clock.Add(time.Second)
			_, ok, _ := c.get("b")
			return ok
		}, false},
		{"invalidated", time.Second, func(c *bucketCache, _ *time.Time) bool {
			_, _, gen := c.get("b")
			c.put(b, gen)
			c.invalidate("b")
			_, ok, _ := c.get("b")
			return ok
		}, false},
		{"fill raced a change", time.Second, func(c *bucketCache, _ *time.Time) bool {
			_, _, gen := c.get("b")
			c.invalidate("b") // the bucket was deleted while the drives were read
			c.put(b, gen)
			_, ok, _ := c.get("b")
			return ok
		}, false},
		{"change to another bucket", time.Second, func(c *bucketCache, _ *time.Time) bool {
			_, _, gen := c.get("b")
			c.put(b, gen)
			c.invalidate("other")
			_, ok, _ := c.get("b")
			return ok
		}, true},
		{"disabled", 0, func(c *bucketCache, _ *time.Time) bool {
			_, _, gen := c.get("b")
			c.put(b, gen)
			_, ok, _ := c.get("b")
			return ok
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := time.Unix(1000, 0)
			c := newBucketCache(tt.ttl, func() time.Time { return clock })
			if got := tt.run(c, &clock); got != tt.want {
				t.Errorf("hit: got %v, want %v", got, tt.want)
			}
		})
	}
}

// countingDrive counts reads of bucket records.
type countingDrive struct {
	drive.Drive
	bucketGets *atomic.Int64
}

func (d countingDrive) Get(ctx context.Context, ns drive.Namespace, key string) ([]byte, error) {
	if ns == drive.NSBucket {
		d.bucketGets.Add(1)
	}
	return d.Drive.Get(ctx, ns, key)
}

// openCounting opens the folders dirs, counting bucket reads into gets,
// and the engine over them with cfg.
func openCounting(t *testing.T, dirs []string, cfg Config, gets *atomic.Int64) *Layer {
	t.Helper()
	ds := make([]drive.Drive, len(dirs))
	for i, dir := range dirs {
		d, err := drive.OpenLocal(dir, drive.Options{})
		if err != nil {
			t.Fatalf("OpenLocal: got %v, want nil", err)
		}
		ds[i] = countingDrive{Drive: d, bucketGets: gets}
	}
	l, err := New(context.Background(), cfg, ds)
	if err != nil {
		t.Fatalf("New: got %v, want nil", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func tempDirs(t *testing.T, n int) []string {
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	return dirs
}

// TestBucketCacheEngine checks that an engine with its own locker reads a
// bucket record once for many PUTs, and that a deleted bucket takes no PUT.
func TestBucketCacheEngine(t *testing.T) {
	for _, n := range []int{1, 4} {
		t.Run(map[int]string{1: "1 drive", 4: "4 drives"}[n], func(t *testing.T) {
			var gets atomic.Int64
			l := openCounting(t, tempDirs(t, n), Config{}, &gets)
			ctx := context.Background()
			mustBucket(t, l, "cached")
			gets.Store(0)
			const puts = 20
			for i := range puts {
				mustPut(t, l, "cached", "k"+string(rune('a'+i)), []byte("data"))
			}
			if got := gets.Load(); got > int64(n) {
				t.Errorf("bucket record reads for %d PUTs: got %d, want at most %d (one per drive)", puts, got, n)
			}
			first, err := l.GetBucketInfo(ctx, "cached")
			if err != nil {
				t.Fatalf("GetBucketInfo: got %v, want nil", err)
			}
			wantErr(t, "force delete", l.DeleteBucket(ctx, "cached", true), nil)
			_, err = l.PutObject(ctx, "cached", "after", newPayload([]byte("x")), storage.PutOptions{})
			wantErr(t, "PUT after delete", err, storage.ErrBucketNotFound)
			_, err = l.GetBucketInfo(ctx, "cached")
			wantErr(t, "info after delete", err, storage.ErrBucketNotFound)
			mustBucket(t, l, "cached")
			again, err := l.GetBucketInfo(ctx, "cached")
			if err != nil || !again.Created.After(first.Created) {
				t.Errorf("re-created bucket: got %v, %v; want created after %v", again.Created, err, first.Created)
			}
			mustPut(t, l, "cached", "k", []byte("data"))
		})
	}
}

// TestBucketCacheSharedLocker runs two engines over the same drives with
// one locker, as two cluster nodes do: neither caches, so a bucket one
// deletes takes no PUT through the other.
func TestBucketCacheSharedLocker(t *testing.T) {
	dirs := tempDirs(t, 4)
	var gets atomic.Int64
	locker := NewMemLocker()
	a := openCounting(t, dirs, Config{Locker: locker}, &gets)
	ctx := context.Background()
	mustBucket(t, a, "shared")
	mustPut(t, a, "shared", "k", []byte("data"))
	gets.Store(0)
	mustPut(t, a, "shared", "k2", []byte("data"))
	if gets.Load() == 0 {
		t.Errorf("bucket record reads with a shared locker: got 0, want every PUT to read them")
	}
	// The second engine wraps the first one's drives (already open).
	b, err := New(ctx, Config{Locker: locker}, a.drives)
	if err != nil {
		t.Fatalf("New: got %v, want nil", err)
	}
	t.Cleanup(func() { b.Close() })
	mustPut(t, b, "shared", "k3", []byte("data"))
	wantErr(t, "delete through a", a.DeleteBucket(ctx, "shared", true), nil)
	_, err = b.PutObject(ctx, "shared", "k4", newPayload([]byte("x")), storage.PutOptions{})
	wantErr(t, "PUT through b after delete through a", err, storage.ErrBucketNotFound)
}

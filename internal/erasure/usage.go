package erasure

import (
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// UsageMaxAge is how long a bucket's usage figure is served after the
// scan (or walk) that counted it: writes through this engine keep it exact
// meanwhile, but writes through other nodes of a cluster are not seen, so
// past this age BucketUsage counts again.
const UsageMaxAge = time.Hour

// usageCache keeps each bucket's object count and bytes so BucketUsage
// need not walk the bucket. A figure comes from a count (the background
// scanner's pass, or a walk) that no write of the bucket overlapped —
// every write bumps the bucket's write counter, and a count that saw the
// counter move is dropped — and is then kept exact by the deltas of the
// writes committed through this engine.
type usageCache struct {
	mu      sync.Mutex
	buckets map[string]*bucketUsage
	now     func() time.Time
}

type bucketUsage struct {
	valid   bool
	objects int64
	bytes   int64
	counted time.Time
	writes  uint64
}

func newUsageCache() *usageCache {
	return &usageCache{buckets: map[string]*bucketUsage{}, now: time.Now}
}

func (c *usageCache) entry(bucket string) *bucketUsage {
	b := c.buckets[bucket]
	if b == nil {
		b = &bucketUsage{}
		c.buckets[bucket] = b
	}
	return b
}

// change records a committed write of bucket that made before the current
// version instead of after (nil: none or a delete marker).
func (c *usageCache) change(bucket string, before, after *meta.Version) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.entry(bucket)
	b.writes++
	if !b.valid {
		return
	}
	if before != nil && !before.DeleteMarker {
		b.objects--
		b.bytes -= before.Size
	}
	if after != nil && !after.DeleteMarker {
		b.objects++
		b.bytes += after.Size
	}
}

// get returns the figure of bucket if one is known and young enough.
func (c *usageCache) get(bucket string) (storage.BucketUsage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.buckets[bucket]
	if b == nil || !b.valid || c.now().Sub(b.counted) > UsageMaxAge || b.objects < 0 || b.bytes < 0 {
		return storage.BucketUsage{}, false
	}
	return storage.BucketUsage{Name: bucket, Objects: uint64(b.objects), Bytes: uint64(b.bytes)}, true
}

// begin starts a count of bucket; the returned func ends it with the
// result, which becomes the bucket's figure unless a write of the bucket
// committed meanwhile.
func (c *usageCache) begin(bucket string) func(objects, bytes uint64) bool {
	c.mu.Lock()
	token := c.entry(bucket).writes
	c.mu.Unlock()
	return func(objects, bytes uint64) bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		b := c.entry(bucket)
		if b.writes != token {
			return false
		}
		b.valid, b.objects, b.bytes, b.counted = true, int64(objects), int64(bytes), c.now()
		return true
	}
}

// forget drops the figure of a bucket (deleted).
func (c *usageCache) forget(bucket string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.buckets[bucket]; b != nil {
		b.valid = false
		b.writes++
	}
}

// CountUsage starts a count of bucket's usage by the caller (the
// background scanner, which sees every object): the returned func ends it
// with the totals of objects that have a current version and their bytes.
// The totals become the figure BucketUsage serves unless a write of the
// bucket committed during the count; it reports whether they did.
func (l *Layer) CountUsage(bucket string) func(objects, bytes uint64) bool {
	return l.usage.begin(bucket)
}

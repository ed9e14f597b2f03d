package erasure

import (
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// bucketCache keeps the bucket records the engine read from its drives
// for a short time, so a PUT or GET does not read the bucket record from
// every drive of the first set. Only buckets that exist are kept; asking
// for a missing bucket always reads the drives.
//
// The engine drops every entry when it creates or deletes a bucket
// (before it releases the bucket's lock), and a read of the drives that
// overlapped such a change is not kept: each change bumps a generation,
// and a fill is stored only if the generation did not move while it read.
// So, as long as every bucket change goes through this engine, a deleted
// bucket is never reported present. Changes made elsewhere (healing a
// bucket record) are seen once the entry expires.
//
// The zero value is a disabled cache (every lookup misses).
type bucketCache struct {
	ttl time.Duration // 0: disabled
	now func() time.Time

	mu  sync.Mutex
	gen uint64
	m   map[string]bucketEntry
}

type bucketEntry struct {
	info    storage.BucketInfo
	expires time.Time
}

// newBucketCache returns a cache keeping entries for ttl; ttl <= 0
// disables it. now defaults to time.Now.
func newBucketCache(ttl time.Duration, now func() time.Time) *bucketCache {
	if now == nil {
		now = time.Now
	}
	if ttl < 0 {
		ttl = 0
	}
	return &bucketCache{ttl: ttl, now: now, m: map[string]bucketEntry{}}
}

// get returns the cached record of bucket, and the generation a fill
// after a miss must pass to put.
func (c *bucketCache) get(bucket string) (storage.BucketInfo, bool, uint64) {
	if c == nil || c.ttl == 0 {
		return storage.BucketInfo{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[bucket]
	if ok && c.now().Before(e.expires) {
		return e.info, true, c.gen
	}
	if ok {
		delete(c.m, bucket)
	}
	return storage.BucketInfo{}, false, c.gen
}

// put keeps info unless a bucket changed since the generation gen that
// get returned before the drives were read.
func (c *bucketCache) put(info storage.BucketInfo, gen uint64) {
	if c == nil || c.ttl == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.m[info.Name] = bucketEntry{info: info, expires: c.now().Add(c.ttl)}
}

// enabled reports whether the cache keeps records at all.
func (c *bucketCache) enabled() bool { return c != nil && c.ttl > 0 }

// invalidate forgets bucket and makes every fill in flight stale.
func (c *bucketCache) invalidate(bucket string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, bucket)
}

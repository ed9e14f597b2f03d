package erasure

import (
	"sync"
	"time"
)

// versioningHintTTL is how long a cluster node trusts a bucket's
// versioning state for the one thing it is used for: whether a read of
// a lone null version answers "x-amz-version-id: null".
const versioningHintTTL = time.Second

// versioningHints remembers, for a short time, whether buckets are
// versioned (enabled or suspended), for engines that keep no bucket
// cache (cluster nodes, where the bucket cache would let a deleted
// bucket be seen). It decides only a response header, never existence
// or access: a stale answer, within the TTL of a change made on another
// node, omits or adds "x-amz-version-id: null" on a lone null version,
// which S3 itself allows while a versioning change propagates. It costs
// one quorum read of a bucket record per bucket and TTL, instead of one
// per GET.
type versioningHints struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]versioningHint
}

// versioningHint is one bucket's remembered state.
type versioningHint struct {
	versioned bool
	expires   time.Time
}

// maxVersioningHints bounds the buckets remembered; past it the map is
// cleared (entries live a second: a refill costs one read per bucket).
const maxVersioningHints = 10_000

func newVersioningHints(ttl time.Duration, now func() time.Time) *versioningHints {
	if now == nil {
		now = time.Now
	}
	return &versioningHints{ttl: ttl, now: now, m: map[string]versioningHint{}}
}

// get returns the remembered state of bucket, if still fresh.
func (h *versioningHints) get(bucket string) (versioned, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[bucket]
	if !ok || !h.now().Before(e.expires) {
		return false, false
	}
	return e.versioned, true
}

// put remembers bucket's state for the TTL.
func (h *versioningHints) put(bucket string, versioned bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.m) >= maxVersioningHints {
		clear(h.m)
	}
	h.m[bucket] = versioningHint{versioned: versioned, expires: h.now().Add(h.ttl)}
}

// forget drops bucket's state (this node changed its versioning, or
// deleted it).
func (h *versioningHints) forget(bucket string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, bucket)
}

// bucketChanged drops what the engine remembers of bucket after this
// node created, changed or deleted it.
func (l *Layer) bucketChanged(bucket string) {
	l.buckets.invalidate(bucket)
	l.versioning.forget(bucket)
}

package cluster

import (
	"fmt"
	"sync"
	"time"
)

// DefaultLockTTL is how long a lock grant lives without a refresh; a
// crashed holder's locks expire after it.
const DefaultLockTTL = 20 * time.Second

// LockTable is one node's share of the distributed locks: grants with an
// expiry, keyed by resource, each owned by the unique id of one
// acquisition. A resource has one writer or any number of readers.
// Grants are idempotent per id, so a retried request is harmless.
type LockTable struct {
	mu    sync.Mutex
	locks map[string]*lockEntry
	now   func() time.Time
	ttl   time.Duration
}

type lockEntry struct {
	writer    string
	writerExp time.Time
	readers   map[string]time.Time
}

// NewLockTable returns an empty table whose grants last ttl by default;
// now is the clock (nil: time.Now).
func NewLockTable(ttl time.Duration, now func() time.Time) *LockTable {
	if ttl <= 0 {
		ttl = DefaultLockTTL
	}
	if now == nil {
		now = time.Now
	}
	return &LockTable{locks: map[string]*lockEntry{}, now: now, ttl: ttl}
}

// expire drops the grants of e that have run out and reports whether e
// is now empty.
func (e *lockEntry) expire(now time.Time) bool {
	if e.writer != "" && now.After(e.writerExp) {
		e.writer = ""
	}
	for id, exp := range e.readers {
		if now.After(exp) {
			delete(e.readers, id)
		}
	}
	return e.writer == "" && len(e.readers) == 0
}

// Do performs op ("lock", "rlock", "unlock", "runlock", "refresh") on
// resource for the acquisition uid; ttl (0: the table's) is the life of a
// grant. It reports whether the lock was granted (or, for refresh, is
// still held); unlocks always succeed.
func (t *LockTable) Do(op, resource, uid string, ttl time.Duration) (bool, error) {
	if resource == "" || uid == "" {
		return false, fmt.Errorf("%w: lock request without resource or id", ErrProtocol)
	}
	if ttl <= 0 || ttl > 10*time.Minute {
		ttl = t.ttl
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.locks[resource]
	if e != nil && e.expire(now) {
		delete(t.locks, resource)
		e = nil
	}
	switch op {
	case "lock":
		if e == nil {
			t.locks[resource] = &lockEntry{writer: uid, writerExp: now.Add(ttl)}
			return true, nil
		}
		if e.writer == uid {
			e.writerExp = now.Add(ttl)
			return true, nil
		}
		return false, nil
	case "rlock":
		if e == nil {
			e = &lockEntry{}
			t.locks[resource] = e
		}
		if e.writer != "" {
			return false, nil
		}
		if e.readers == nil {
			e.readers = map[string]time.Time{}
		}
		e.readers[uid] = now.Add(ttl)
		return true, nil
	case "unlock", "runlock":
		if e == nil {
			return true, nil
		}
		if e.writer == uid {
			e.writer = ""
		}
		delete(e.readers, uid)
		if e.writer == "" && len(e.readers) == 0 {
			delete(t.locks, resource)
		}
		return true, nil
	case "refresh":
		if e == nil {
			return false, nil
		}
		if e.writer == uid {
			e.writerExp = now.Add(ttl)
			return true, nil
		}
		if _, ok := e.readers[uid]; ok {
			e.readers[uid] = now.Add(ttl)
			return true, nil
		}
		return false, nil
	}
	return false, fmt.Errorf("%w: unknown lock operation %q", ErrProtocol, op)
}

// Sweep removes expired grants; the cluster calls it periodically so the
// table does not keep resources no one asks about again.
func (t *LockTable) Sweep() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	n := 0
	for r, e := range t.locks {
		if e.expire(now) {
			delete(t.locks, r)
			n++
		}
	}
	return n
}

// Len returns the number of resources with live or unswept grants.
func (t *LockTable) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.locks)
}

package drive

import (
	"hash/maphash"
	"slices"
	"sync"
)

// recordLocks serialises the read-compare-write of object records
// (tail.go) key by key: a commit holds its keys' locks from reading what
// is stored until its synced write is applied. Locks are per key, not
// striped, because a commit holds them across an fsync: with stripes,
// unrelated keys sharing one wait a whole sync cycle each and group
// commit loses the writers it would have batched (32 writers on 64
// stripes collide on a third of their commits). The table of held locks
// is itself split in shards, so taking a lock does not queue every
// writer of the drive behind one mutex.
type recordLocks struct {
	shards [recordShards]lockShard
}

// recordShards is how many shards per-key tables of a drive are split in.
const recordShards = 32

// recordShard returns the shard of key in a table of recordShards.
func recordShard(key string) int {
	return int(maphash.String(hashSeed, key) % recordShards)
}

// lockShard holds the locks of the keys of one shard that are held or
// waited for.
type lockShard struct {
	mu   sync.Mutex
	held map[string]*recordLock
	free []*recordLock
}

// recordLock is one key's lock and the number of commits holding or
// waiting for it; it leaves the table when the last one is done.
type recordLock struct {
	mu    sync.Mutex
	users int
}

// heldRecords is what lock returns: the keys locked and their locks. A
// commit of one object record (nearly all) holds it in one and first,
// without allocating.
type heldRecords struct {
	one   bool
	first string
	lock1 *recordLock
	keys  []string
	locks []*recordLock
}

// each calls f for every key held and its lock.
func (h *heldRecords) each(f func(key string, l *recordLock)) {
	if h.one {
		f(h.first, h.lock1)
		return
	}
	for i, k := range h.keys {
		f(k, h.locks[i])
	}
}

// lock locks the object keys of muts, in sorted order so two commits of
// the same keys cannot deadlock. The caller passes the result to unlock.
func (r *recordLocks) lock(muts []Mutation) heldRecords {
	var h heldRecords
	n := 0
	for _, m := range muts {
		if m.NS == NSObject {
			n++
			h.first = m.Key
		}
	}
	if n == 1 {
		h.one = true
		h.lock1 = r.acquire(h.first)
		return h
	}
	for _, m := range muts {
		if m.NS == NSObject {
			h.keys = append(h.keys, m.Key)
		}
	}
	slices.Sort(h.keys)
	h.keys = slices.Compact(h.keys)
	h.locks = make([]*recordLock, len(h.keys))
	for i, k := range h.keys {
		h.locks[i] = r.acquire(k)
	}
	return h
}

// acquire takes key's lock, waiting for its holder.
func (r *recordLocks) acquire(key string) *recordLock {
	s := &r.shards[recordShard(key)]
	s.mu.Lock()
	l := s.held[key]
	if l == nil {
		l = s.take()
		if s.held == nil {
			s.held = map[string]*recordLock{}
		}
		s.held[key] = l
	}
	l.users++
	s.mu.Unlock()
	l.mu.Lock()
	return l
}

// unlock releases what lock took.
func (r *recordLocks) unlock(h heldRecords) {
	h.each(func(k string, l *recordLock) {
		l.mu.Unlock()
		s := &r.shards[recordShard(k)]
		s.mu.Lock()
		if l.users--; l.users == 0 {
			delete(s.held, k)
			if len(s.free) < 8 {
				s.free = append(s.free, l)
			}
		}
		s.mu.Unlock()
	})
}

// take returns an unused lock; s.mu is held. A few are kept for reuse.
func (s *lockShard) take() *recordLock {
	if n := len(s.free); n > 0 {
		l := s.free[n-1]
		s.free = s.free[:n-1]
		return l
	}
	return new(recordLock)
}

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

// heldRecords is what lock returns: the keys locked and their locks.
type heldRecords struct {
	keys  []string
	locks []*recordLock
}

// lock locks the object keys of muts, in sorted order so two commits of
// the same keys cannot deadlock. The caller passes the result to unlock.
func (r *recordLocks) lock(muts []Mutation) heldRecords {
	var h heldRecords
	for _, m := range muts {
		if m.NS == NSObject {
			h.keys = append(h.keys, m.Key)
		}
	}
	if len(h.keys) > 1 {
		slices.Sort(h.keys)
		h.keys = slices.Compact(h.keys)
	}
	h.locks = make([]*recordLock, len(h.keys))
	for i, k := range h.keys {
		s := &r.shards[recordShard(k)]
		s.mu.Lock()
		l := s.held[k]
		if l == nil {
			l = s.take()
			if s.held == nil {
				s.held = map[string]*recordLock{}
			}
			s.held[k] = l
		}
		l.users++
		s.mu.Unlock()
		l.mu.Lock()
		h.locks[i] = l
	}
	return h
}

// unlock releases what lock took.
func (r *recordLocks) unlock(h heldRecords) {
	for i, k := range h.keys {
		l := h.locks[i]
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
	}
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

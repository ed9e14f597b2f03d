package drive

import "sync"

// headHints remembers, for object records read moments ago, whether the
// stored head was there and whether it had a tail, so the write that
// follows skips reading it again. Every object write is such a pair: the
// engine reads the record under the object's lock, then commits the new
// one, and the drive writes only the difference from what is stored
// (tail.go), for which it needs exactly those two facts. Reading them
// twice cost a point read per write, which is most of a small PUT's
// metadata work when the key is new (its lookup visits every table whose
// range holds it).
//
// A hint is trusted only if no write of its key completed after its
// read began. Writes count an epoch: each completed write of a key
// leaves a mark with the epoch it completed at, which replaces any hint
// of the key and refuses hints of reads begun before it. When the table
// is full it is emptied, and reads begun before that moment are refused
// too, so a dropped mark cannot let a stale hint in. A writer holds its
// key's record lock from before its lookup until after its mark, and
// every write of an object record goes through commitMeta, so a hint it
// finds is what the store holds.
type headHints struct {
	shards [recordShards]hintShard
}

// hintShard is the table of the keys of one shard (recordShard), with
// its own epoch: the rules above hold key by key, so shards need not
// agree, and writers of different keys do not queue on one mutex.
type hintShard struct {
	mu    sync.Mutex
	epoch uint64
	floor uint64 // reads begun before floor are refused (marks were dropped)
	m     map[string]headHint
}

// headHint is what the table holds for one key: a read's facts, or the
// mark of a completed write.
type headHint struct {
	epoch   uint64 // when the read began, or when the write completed
	written bool   // a mark: the key changed at epoch, its state is unknown
	found   bool   // the stored head exists
	hasTail bool   // the stored head is marked as having older versions
}

// maxShardHints bounds each shard's table: a hint lives from the
// engine's read to its write, so the drive's 32 x 256 cover thousands of
// writes in flight.
const maxShardHints = 256

// begin returns the epoch a read of key starting now belongs to.
func (h *headHints) begin(key string) uint64 {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

// saw records what a read of key begun at epoch found, unless a write of
// key completed since (its mark says so) or marks were dropped since.
func (h *headHints) saw(key string, epoch uint64, found, hasTail bool) {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if epoch < s.floor {
		return
	}
	if cur, ok := s.m[key]; ok && cur.epoch > epoch {
		return // a write completed after the read began, or a newer read
	}
	s.put(key, headHint{epoch: epoch, found: found, hasTail: hasTail})
}

// wrote marks that a write of key completed (or failed: either way the
// store may differ from any hint).
func (h *headHints) wrote(key string) {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	s.put(key, headHint{epoch: s.epoch, written: true})
}

// put stores e for key, emptying a full table first; s.mu is held.
func (s *hintShard) put(key string, e headHint) {
	if _, ok := s.m[key]; !ok && len(s.m) >= maxShardHints {
		clear(s.m)
		s.floor = s.epoch
	}
	if s.m == nil {
		s.m = make(map[string]headHint)
	}
	s.m[key] = e
}

// lookup returns what the last read of key found, if it can be trusted.
// The caller holds key's record lock, so no write of key is in flight.
func (h *headHints) lookup(key string) (found, hasTail, ok bool) {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok || e.written {
		return false, false, false
	}
	return e.found, e.hasTail, true
}

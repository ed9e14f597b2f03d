package drive

import "sync"

// headHints remembers, for object records read moments ago, what the
// drive stores for them (the stored head and its tail entries), so the
// write that follows skips reading them again. Every object write is such
// a pair: the engine reads the record under the object's lock, then
// commits the new one, and the drive writes only the difference from
// what is stored (tail.go), for which it needs exactly what that read
// saw. Reading it twice cost a point read per write (most of a small
// PUT's metadata work when the key is new: its lookup visits every table
// whose range holds it) and, for a key with older versions, an iterator
// over its tail.
//
// A hint is trusted only if no write of its key completed after its
// read began. Writes count an epoch: each completed write of a key
// leaves a mark with the epoch it completed at, which replaces any hint
// of the key and refuses hints of reads begun before it. When a table is
// full it is emptied, and reads begun before that moment are refused
// too, so a dropped mark cannot let a stale hint in. A writer holds its
// key's record lock from before its lookup until after its mark, and
// every write of an object record goes through commitMeta, so a hint it
// finds is what the store holds. Hints hold copies, never bytes a caller
// was given, and are never changed once stored.
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
	bytes int // bytes the entries of m hold: keys, stored values
}

// headHint is what the table holds for one key: a read's facts, or the
// mark of a completed write, which may know what that write left.
type headHint struct {
	epoch   uint64 // when the read began, or when the write completed
	written bool   // a mark: the key changed at epoch
	left    bool   // a mark that knows the state its write left (below)
	found   bool   // the stored head exists
	stored  []byte // the stored head value, marker included
	tail    []tailEntry
	// partial says the tail behind a marked head was not read (a mark
	// knows only the head): tail is nil, and the head names where the
	// tail starts (storedFirst).
	partial bool
}

// leftState is what a committed write of an object record left stored:
// the head value (marker included, which names where a tail starts) or
// none. A push needs nothing more, so consecutive pushes of one key read
// nothing before writing.
type leftState struct {
	key   string
	found bool
	head  []byte
}

// size is what h holds in stored bytes.
func (h headHint) size() int {
	n := len(h.stored)
	for _, e := range h.tail {
		n += len(e.val)
	}
	return n
}

// Bounds of each shard's table: a hint lives from the engine's read to
// its write, so the drive's 32 x 256 cover thousands of writes in flight,
// and a drive holds at most 32 x 128 KiB of keys and stored bytes (plus
// the maps' own overhead); a record larger than maxHintBytes is read again
// by its write.
const (
	maxShardHints     = 256
	maxShardHintBytes = 128 << 10
	maxHintBytes      = 32 << 10
)

// begin returns the epoch a read of key starting now belongs to.
func (h *headHints) begin(key string) uint64 {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

// saw records what a read of key begun at epoch found: stored (the head
// value, marker included; nil when found is false) and the tail entries
// behind a marked head. It keeps copies, and nothing when a write of key
// completed since the read began (its mark says so) or marks were
// dropped since.
func (h *headHints) saw(key string, epoch uint64, found bool, stored []byte, tail []tailEntry) {
	e := headHint{epoch: epoch, found: found}
	n := len(stored)
	for _, t := range tail {
		n += len(t.val)
	}
	if n > maxHintBytes {
		return
	}
	buf := make([]byte, 0, n)
	buf = append(buf, stored...)
	e.stored = buf[:len(stored):len(stored)]
	if len(tail) > 0 {
		e.tail = make([]tailEntry, len(tail))
		for i, t := range tail {
			at := len(buf)
			buf = append(buf, t.val...)
			e.tail[i] = tailEntry{pos: t.pos, val: buf[at:len(buf):len(buf)]}
		}
	}
	h.keep(key, epoch, e)
}

// sawHead records what a read of key's head alone (GetNewestToWrite)
// found: stored, nil when found is false. Behind a marked head the tail
// was not read, so the hint is partial: it serves a push, and an
// ordinary write reads the tail.
func (h *headHints) sawHead(key string, epoch uint64, found bool, stored []byte) {
	if len(stored) > maxHintBytes {
		return
	}
	e := headHint{epoch: epoch, found: found, stored: append([]byte(nil), stored...)}
	_, e.partial = storedHead(e.stored)
	h.keep(key, epoch, e)
}

// keep stores e, the facts of a read of key begun at epoch, unless a
// write of key completed since the read began or marks were dropped.
func (h *headHints) keep(key string, epoch uint64, e headHint) {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if epoch < s.floor {
		return
	}
	if cur, ok := s.m[key]; ok && cur.epoch > epoch {
		return // a write completed after the read began, or a newer read
	}
	s.put(key, e)
}

// wrote marks that a write of key completed (or failed: either way the
// store may differ from any hint). left, when not nil, is what the write
// committed left stored; the mark keeps a copy of it as a hint for the
// next write of key.
func (h *headHints) wrote(key string, left *leftState) {
	e := headHint{written: true}
	if left != nil && len(left.head) <= maxHintBytes {
		e.left, e.found = true, left.found
		e.stored = append([]byte(nil), left.head...)
		_, e.partial = storedHead(e.stored)
	}
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	e.epoch = s.epoch
	s.put(key, e)
}

// put stores e for key, emptying a full table first; s.mu is held.
func (s *hintShard) put(key string, e headHint) {
	cur, ok := s.m[key]
	if ok {
		s.bytes -= len(key) + cur.size()
	}
	if (!ok && len(s.m) >= maxShardHints) || s.bytes+len(key)+e.size() > maxShardHintBytes {
		clear(s.m)
		s.bytes = 0
		s.floor = s.epoch
	}
	if s.m == nil {
		s.m = make(map[string]headHint)
	}
	s.m[key] = e
	s.bytes += len(key) + e.size()
}

// lookup returns what the last read of key found, if it can be trusted;
// the hint's bytes are shared and must not be changed. The caller holds
// key's record lock, so no write of key is in flight.
func (h *headHints) lookup(key string) (headHint, bool) {
	s := &h.shards[recordShard(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok || (e.written && !e.left) {
		return headHint{}, false
	}
	return e, true
}

// maxLeftStates bounds the object records of a commit whose marks keep
// what it left (found by a scan of the commit's writes for each key).
const maxLeftStates = 8

// releaseRecords ends a commit of the records held: it marks each key as
// written, then unlocks it, in that order, so no writer of the key can
// take its lock and still find a hint this commit made stale. It runs
// whatever became of the commit; left, the states its writes left in
// mutation order, is given only when it committed.
func (l *Local) releaseRecords(held heldRecords, left []leftState) {
	if len(left) > maxLeftStates {
		left = nil
	}
	held.each(func(k string, _ *recordLock) {
		var st *leftState
		for i := len(left) - 1; i >= 0 && st == nil; i-- {
			if left[i].key == k {
				st = &left[i] // the last write of k in the commit
			}
		}
		l.hints.wrote(k, st)
	})
	l.records.unlock(held)
}

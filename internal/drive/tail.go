package drive

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hoardstore/hoard/internal/meta"
)

// How a Local drive stores object records (NSObject). The Drive interface
// deals in whole records, all versions newest first; on the disk a
// record of several versions is cut in two:
//
//   - the head, under the NSObject key, is a record of the newest version
//     only, byte for byte what meta.AppendNewest makes of the whole
//     record, so listings read it as it is;
//   - every older version is its own key in the tail namespace: the
//     object's key, a NUL and an 8-byte big-endian position, positions
//     increasing from newer to older versions.
//
// Get and non-Newest walks join head and tail again, byte for byte the
// record Apply was given. Apply writes only what differs from what is
// stored (tail_plan.go), so adding, deleting or replacing one version
// costs a constant number of key writes, and versions of ordinary size
// stay in the sstables instead of one large value in a blob file.
//
// A head that has a tail is stored behind a marker byte (tailMarkerAt)
// and the position of the first tail entry, where a record's first byte
// is otherwise meta's format version: heads of records without older
// versions (every unversioned object) are stored exactly as given, and
// reading or overwriting them never looks for a tail, which costs an
// iterator; and a push (tail_push.go) learns from the head alone where to
// put the version it moves into the tail. Heads written before the
// position was kept there (drive format version 2) carry tailMarker
// alone; they read the same and get the position on their next write.
//
// Records written before this layout hold every version in the head and
// no tail; they read as before and are cut on their next write.

// nsTail holds the older versions of object records (see above). It is
// private to the local drive: the Drive interface never names it.
const nsTail Namespace = 'v'

// posLen is the length of a tail key's position.
const posLen = 8

// The markers of a stored head whose record has older versions in the
// tail namespace; neither is ever a record's first byte
// (meta.FormatVersion). tailMarkerAt is followed by the position of the
// first tail entry (posLen bytes, big-endian), tailMarker (written by
// drive format version 2) by the head directly.
const (
	tailMarker   byte = 0xFE
	tailMarkerAt byte = 0xFD
)

// storedHead splits a stored object record value into the head and
// whether a tail goes with it: a marker, then a head of one version.
// Any other value (a record without older versions, one written before
// tails, or bytes that are no record) is returned as it is.
func storedHead(v []byte) (head []byte, hasTail bool) {
	switch {
	case len(v) > 0 && v[0] == tailMarker && meta.SingleVersion(v[1:]):
		return v[1:], true
	case len(v) > 1+posLen && v[0] == tailMarkerAt && meta.SingleVersion(v[1+posLen:]):
		return v[1+posLen:], true
	}
	return v, false
}

// storedFirst returns the position of the first tail entry a stored head
// value v names; ok is false when it names none (no tail, or a head of
// drive format version 2).
func storedFirst(v []byte) (pos uint64, ok bool) {
	if len(v) > 1+posLen && v[0] == tailMarkerAt && meta.SingleVersion(v[1+posLen:]) {
		return binary.BigEndian.Uint64(v[1 : 1+posLen]), true
	}
	return 0, false
}

// appendMarkedHead appends the stored value of head (a record of one
// version) whose tail starts at position first.
func appendMarkedHead(dst []byte, first uint64, head []byte) []byte {
	dst = append(dst, tailMarkerAt)
	dst = binary.BigEndian.AppendUint64(dst, first)
	return append(dst, head...)
}

// appendTailPrefix appends the prefix shared by the tail keys of the
// object record key. Object keys hold no NUL, so no other object's tail
// key shares it; readers still check the remaining length.
func appendTailPrefix(dst []byte, key string) []byte {
	dst = append(dst, byte(nsTail), '/')
	dst = append(dst, key...)
	return append(dst, 0)
}

// appendTailKey appends the tail key of position pos of key's record.
func appendTailKey(dst []byte, key string, pos uint64) []byte {
	return binary.BigEndian.AppendUint64(appendTailPrefix(dst, key), pos)
}

// tailIter returns an iterator over the tail keys whose object keys
// start with scope (all of them for "").
func tailIter(r pebble.Reader, scope string) (*pebble.Iterator, error) {
	lower := dbKey(nsTail, scope)
	return r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: []byte(Successor(string(lower)))})
}

// tailScratch holds the buffers a read of tail entries reuses.
type tailScratch struct {
	buf     []byte
	ends    []int
	entries []tailEntry
}

// read returns the tail entries of the record whose tail prefix is
// prefix, in position order, seeking them with it; limit > 0 stops after
// that many. The entries and their values live in s until its next read.
func (s *tailScratch) read(it *pebble.Iterator, prefix []byte, limit int) ([]tailEntry, error) {
	s.buf, s.ends, s.entries = s.buf[:0], s.ends[:0], s.entries[:0]
	for ok := it.SeekGE(prefix); ok && (limit <= 0 || len(s.ends) < limit); ok = it.Next() {
		k := it.Key()
		if !bytes.HasPrefix(k, prefix) {
			break
		}
		if len(k) != len(prefix)+posLen {
			continue // the record of another object: never written so
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		s.buf = append(s.buf, v...)
		s.ends = append(s.ends, len(s.buf))
		s.entries = append(s.entries, tailEntry{pos: binary.BigEndian.Uint64(k[len(prefix):])})
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	// Slice the values out of buf only now that it no longer moves.
	at := 0
	for i, end := range s.ends {
		s.entries[i].val = s.buf[at:end:end]
		at = end
	}
	return s.entries, nil
}

// scratch takes a tailScratch from the drive's pool; put it back with
// release.
func (l *Local) scratch() *tailScratch {
	if s, ok := l.tailScratch.Get().(*tailScratch); ok {
		return s
	}
	return new(tailScratch)
}

// release returns s to the pool, unless it grew past 1 MiB.
func (l *Local) release(s *tailScratch) {
	if cap(s.buf) <= 1<<20 {
		l.tailScratch.Put(s)
	}
}

// appendJoined appends the whole record made of head and the tail
// entries: the header counting every version, the head's versions, then
// the tail's. A head that does not decode is appended as it is (the
// reader reports it corrupt).
func appendJoined(dst, head []byte, tail []tailEntry) []byte {
	if len(tail) == 0 {
		return append(dst, head...)
	}
	size := len(head) + binary.MaxVarintLen64
	for _, e := range tail {
		size += len(e.val)
	}
	dst = slices.Grow(dst, size)
	var spans [4]int
	ends, start, ok := meta.VersionSpans(spans[:0], head)
	if !ok {
		return append(dst, head...)
	}
	dst = meta.AppendJoinedHeader(dst, len(ends)+len(tail))
	dst = append(dst, head[start:]...)
	for _, e := range tail {
		dst = append(dst, e.val...)
	}
	return dst
}

// getJoined reads the head and, when it is marked as having one, the
// tail of the record key, from one snapshot of the store so both are of
// one moment, and joins them. The head is a point read (bloom filters
// answer it for a missing key); the tail, read by an iterator bounded to
// the record's tail keys, is looked for only behind a marked head, so a
// record without older versions costs one point read.
//
// What the head read finds is kept as a hint (head_hint.go) for the
// write that usually follows.
func (l *Local) getJoined(key string) ([]byte, error) {
	epoch := l.hints.begin(key)
	v, err := l.get(dbKey(NSObject, key))
	head, hasTail := storedHead(v)
	if err != nil || !hasTail {
		// Not found, no older versions, or written before tails.
		l.sawHead(key, epoch, v, err)
		return head, err
	}
	return l.getWithTail(key, epoch)
}

// getWithTail is getJoined of a record whose head was found marked: head
// and tail read again from one snapshot (kept apart so the common read,
// of a head alone, runs on a small stack frame).
func (l *Local) getWithTail(key string, epoch uint64) ([]byte, error) {
	snap := l.db.NewSnapshot()
	defer snap.Close()
	v, err := l.getFrom(snap, dbKey(NSObject, key))
	head, hasTail := storedHead(v)
	if err != nil || !hasTail {
		l.sawHead(key, epoch, v, err) // its older versions went meanwhile
		return head, err
	}
	sc := l.scratch()
	defer l.release(sc)
	tail, err := l.readStoredTail(snap, sc, key)
	if err != nil {
		return nil, err
	}
	if ferr := l.faultErr(); ferr != nil {
		return nil, ferr
	}
	l.hints.saw(key, epoch, true, v, tail)
	return appendJoined(nil, head, tail), nil
}

// sawHead keeps as a hint what a read of key's head without a tail
// found: the stored value v, or no record.
func (l *Local) sawHead(key string, epoch uint64, v []byte, err error) {
	switch {
	case err == nil:
		l.hints.saw(key, epoch, true, v, nil)
	case errors.Is(err, ErrNotFound):
		l.hints.saw(key, epoch, false, nil, nil)
	}
}

// getFrom reads one value from r as get does from the store.
func (l *Local) getFrom(r pebble.Reader, key []byte) ([]byte, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		if ferr := l.faultErr(); ferr != nil {
			return nil, ferr
		}
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, l.metaErr("read metadata", err)
	}
	out := append([]byte(nil), v...)
	// A value kept in a blob file is fetched lazily: a failure to read it
	// leaves v empty and is returned only by the closer.
	if err := closer.Close(); err != nil {
		return nil, l.metaErr("read metadata value", err)
	}
	if ferr := l.faultErr(); ferr != nil {
		return nil, ferr
	}
	return out, nil
}

// hashSeed hashes tail entries in keptIndexes: made once, never changed.
var hashSeed = maphash.MakeSeed()

// writeRecord adds to batch what makes the stored record of m.Key equal
// m: its head and only the tail entries that differ, reading what is
// stored from r (the store, or batch itself when it is indexed because an
// earlier mutation of the commit wrote the same key). hinted says r is the
// store, so a hint of what is stored may stand for the read of a head
// without older versions. A push (Mutation.Push) adds one version in front
// of what is stored, reading none of the tail (the head names where it
// starts; tail_push.go). It returns the bytes it adds and whether it writes a
// tail entry or a head that names one, which only drive format version 3
// reads.
func (l *Local) writeRecord(batch *pebble.Batch, r pebble.Reader, hinted bool, m Mutation) (need uint64, wrote bool, left leftState, err error) {
	st := storedRecord{key: m.Key}
	defer st.release(l)
	if hinted {
		st.useHint(l.hints.lookup(m.Key))
	}
	if !st.hinted {
		st.cur, err = l.getFrom(r, dbKey(NSObject, m.Key))
		if err != nil && !errors.Is(err, ErrNotFound) {
			return 0, false, left, err
		}
		st.found, err = err == nil, nil
	}
	var (
		head []byte
		p    tailPlan
		done bool
	)
	if m.Push {
		if head, p, done, err = l.planPush(r, &st, &m); err != nil {
			return 0, false, left, err
		}
	}
	if !done {
		if err := st.readTail(l, r); err != nil {
			return 0, false, left, err
		}
		var want [][]byte
		head, want = cutRecord(m)
		p = planTail(st.tail, want)
		if len(want) > 0 {
			head = appendMarkedHead(make([]byte, 0, 1+posLen+len(head)), firstAfter(st.tail, p), head)
		}
	}
	need, wrote, err = l.addRecordWrites(batch, &st, m, head, p)
	wrote = wrote || (!m.Delete && len(head) > 0 && head[0] == tailMarkerAt)
	return need, wrote, leftState{key: m.Key, found: !m.Delete, head: head}, err
}

// firstAfter is the first position of the tail old once the plan p
// has changed it (0: none). p.del is in ascending order, as planTail
// makes it.
func firstAfter(old []tailEntry, p tailPlan) uint64 {
	first := uint64(math.MaxUint64)
	for _, e := range p.set {
		first = min(first, e.pos)
	}
	d := 0
	for _, e := range old {
		if e.pos >= first {
			break
		}
		for d < len(p.del) && p.del[d] < e.pos {
			d++
		}
		if d < len(p.del) && p.del[d] == e.pos {
			continue
		}
		return e.pos
	}
	if first == math.MaxUint64 {
		return 0
	}
	return first
}

// addRecordWrites adds to batch the head write (or delete) of m and the
// tail plan p, and returns the bytes added and whether a tail entry is
// among them.
func (l *Local) addRecordWrites(batch *pebble.Batch, st *storedRecord, m Mutation, head []byte, p tailPlan) (need uint64, wrote bool, err error) {
	headKey := dbKey(NSObject, m.Key)
	writes := int64(0)
	switch {
	case m.Delete && st.found:
		err, writes = batch.Delete(headKey, nil), 1
	case !m.Delete && (!st.found || !bytes.Equal(st.cur, head)):
		err, writes, need = batch.Set(headKey, head, nil), 1, uint64(len(headKey)+len(head))
	}
	if err != nil {
		return 0, false, fmt.Errorf("drive: batch record: %w", err)
	}
	var k []byte
	for _, pos := range p.del {
		k = appendTailKey(k[:0], m.Key, pos)
		if err := batch.Delete(k, nil); err != nil {
			return 0, false, fmt.Errorf("drive: batch version delete: %w", err)
		}
	}
	for _, e := range p.set {
		k = appendTailKey(k[:0], m.Key, e.pos)
		need += uint64(len(k) + len(e.val))
		if err := batch.Set(k, e.val, nil); err != nil {
			return 0, false, fmt.Errorf("drive: batch version: %w", err)
		}
	}
	l.recordWrites.Add(writes + int64(len(p.del)+len(p.set)))
	return need, len(p.set) > 0, nil
}

// storedRecord is what a write found stored for its key: the head value
// (marker included) and, once read, the tail entries behind it.
type storedRecord struct {
	key      string
	cur      []byte
	found    bool
	tail     []tailEntry
	tailRead bool // tail holds the whole tail (none behind an unmarked head)
	hinted   bool // cur and found come from a hint
	sc       *tailScratch
}

// useHint takes what hint h (if ok) says is stored.
func (s *storedRecord) useHint(h headHint, ok bool) {
	if !ok {
		return
	}
	s.hinted, s.cur, s.found = true, h.stored, h.found
	if !h.partial {
		s.tail, s.tailRead = h.tail, true
	}
}

// readTail reads the tail behind a marked head, once. Only a marked head
// has a tail: no head means no record, and a head of several versions
// was written before tails existed.
func (s *storedRecord) readTail(l *Local, r pebble.Reader) (err error) {
	if s.tailRead {
		return nil
	}
	s.tailRead = true
	if _, hasTail := storedHead(s.cur); s.found && hasTail {
		s.tail, err = l.readStoredTail(r, s.scratch(l), s.key)
	}
	return err
}

// scratch returns the buffers of s's tail reads, taken from l's pool.
func (s *storedRecord) scratch(l *Local) *tailScratch {
	if s.sc == nil {
		s.sc = l.scratch()
	}
	return s.sc
}

// release returns s's buffers to l's pool.
func (s *storedRecord) release(l *Local) {
	if s.sc != nil {
		l.release(s.sc)
	}
}

// readStoredTail reads the tail entries of the record key from r into sc.
func (l *Local) readStoredTail(r pebble.Reader, sc *tailScratch, key string) ([]tailEntry, error) {
	it, err := tailIter(r, key)
	if err != nil {
		return nil, l.metaErr("read versions", err)
	}
	old, err := sc.read(it, appendTailPrefix(nil, key), 0)
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, l.metaErr("read versions", err)
	}
	return old, nil
}

// cutRecord returns the head to store for m and the older versions for
// its tail, newest first. A record of one version, of none, or that does
// not decode is stored whole, as before tails, with no tail.
func cutRecord(m Mutation) (head []byte, want [][]byte) {
	if m.Delete {
		return nil, nil
	}
	if meta.SingleVersion(m.Value) {
		return m.Value, nil // stored whole whether or not it decodes: no need to look
	}
	ends, start, ok := meta.VersionSpans(nil, m.Value)
	if !ok || len(ends) < 2 {
		return m.Value, nil
	}
	head = append(meta.AppendJoinedHeader(make([]byte, 0, 4+ends[0]-start), 1), m.Value[start:ends[0]]...)
	want = make([][]byte, len(ends)-1)
	for i := range want {
		want[i] = m.Value[ends[i]:ends[i+1]]
	}
	return head, want
}

// sameRecordTwice reports whether muts changes one object record twice:
// the commit then reads through its own batch.
func sameRecordTwice(muts []Mutation) bool {
	seen := map[string]bool{}
	for _, m := range muts {
		if m.NS != NSObject {
			continue
		}
		if seen[m.Key] {
			return true
		}
		seen[m.Key] = true
	}
	return false
}

// markLayout raises the drive's format version to FormatVersion before
// the first tail is stored, so an older binary, which would read only the
// newest version of every object cut in two, refuses the drive instead.
// A drive without a format yet gets the new version when formatted.
func (l *Local) markLayout() error {
	l.layoutMu.Lock()
	defer l.layoutMu.Unlock()
	if l.layoutMarked.Load() {
		return nil
	}
	f, err := l.ReadFormat(context.Background())
	switch {
	case errors.Is(err, ErrUnformatted):
	case err != nil:
		return fmt.Errorf("drive: raise format version: %w", err)
	case f.Version < FormatVersion:
		f.Version = FormatVersion
		if err := l.WriteFormat(context.Background(), f); err != nil {
			return fmt.Errorf("drive: raise format version: %w", err)
		}
	}
	l.layoutMarked.Store(true)
	return nil
}

package drive

import (
	"bytes"
	"context"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hoardstore/hoard/internal/meta"
)

// Walk reads a sorted page of records, rolling names up at the delimiter
// and seeking past each roll-up, so a page costs the same wherever it
// starts in the keyspace. A page allocates a fixed handful of times
// whatever its length: names are gathered into one string and values
// into shared chunks.
func (l *Local) Walk(ctx context.Context, o WalkOptions) (_ WalkResult, err error) {
	if err := l.usable(); err != nil {
		return WalkResult{}, err
	}
	defer l.guard("walk", &err)
	if o.Limit < 1 {
		o.Limit = 1
	}
	base := string(dbKey(o.NS, o.Scope))
	lower := base + o.Prefix
	if o.Start > o.Prefix {
		lower = base + o.Start
	}
	upper := Successor(base + o.Prefix)
	it, err := l.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: []byte(lower), UpperBound: []byte(upper)})
	if err != nil {
		return WalkResult{}, l.metaErr("walk", err)
	}
	defer it.Close()
	n := min(o.Limit, 1024)
	res := WalkResult{Entries: make([]WalkEntry, 0, n)}
	names := make([]byte, 0, 32*n) // every name of the page, made one string at the end
	ends := make([]int, 0, n)      // where each entry's name ends in names
	var arena []byte               // values are copied into shared chunks, not one allocation each
	var seek []byte
	prefix, delimiter := []byte(o.Prefix), []byte(o.Delimiter)
	tails := tailReader{scope: o.Scope, span: o.Scope + o.Prefix}
	defer tails.close()
	valid := it.First()
	for valid {
		if len(res.Entries) == o.Limit {
			res.Truncated = true
			break
		}
		name := it.Key()[len(base):]
		if cp, ok := rollUp(name, prefix, delimiter); ok {
			names = append(names, name[:cp]...)
			ends = append(ends, len(names))
			res.Entries = append(res.Entries, WalkEntry{IsPrefix: true})
			if seek, ok = appendSuccessor(append(seek[:0], base...), name[:cp]); !ok {
				break
			}
			valid = it.SeekGE(seek)
			continue
		}
		names = append(names, name...)
		ends = append(ends, len(names))
		var e WalkEntry
		if !o.KeysOnly {
			v, err := it.ValueAndErr()
			if err != nil {
				return WalkResult{}, l.metaErr("walk value", err)
			}
			whole := true // v holds every version of its record
			if o.NS == NSObject {
				var hasTail bool
				v, hasTail = storedHead(v)
				if hasTail && !o.Newest {
					if v, err = tails.join(l, it, name, v); err != nil {
						return WalkResult{}, err
					}
				}
				whole = !hasTail
			}
			if cap(arena)-len(arena) < len(v) {
				arena = make([]byte, 0, max(64<<10, len(v)))
			}
			at := len(arena)
			cut := false
			if o.Newest && o.NS == NSObject && whole && !meta.SingleVersion(v) {
				arena, cut = meta.AppendNewest(arena, v) // written before tails
			}
			if !cut {
				arena = append(arena[:at], v...)
			}
			e.Value = arena[at:len(arena):len(arena)]
		}
		res.Entries = append(res.Entries, e)
		valid = it.Next()
	}
	if err := l.metaErr("walk", it.Error()); err != nil {
		return WalkResult{}, err
	}
	all, start := string(names), 0
	for i, end := range ends {
		res.Entries[i].Name = all[start:end]
		start = end
	}
	return res, nil
}

// rollUp returns the length of the common prefix name belongs to under
// delimiter, if any. The delimiter is searched after prefix and before
// the first NUL byte.
func rollUp(name, prefix, delimiter []byte) (int, bool) {
	if len(delimiter) == 0 || len(name) < len(prefix) {
		return 0, false
	}
	rest := name[len(prefix):]
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		rest = rest[:i]
	}
	i := bytes.Index(rest, delimiter)
	if i < 0 {
		return 0, false
	}
	return len(prefix) + i + len(delimiter), true
}

// appendSuccessor appends Successor(p) to b; ok is false when p has none.
func appendSuccessor(b, p []byte) ([]byte, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] < 0xff {
			b = append(b, p[:i]...)
			return append(b, p[i]+1), true
		}
	}
	return b, false
}

// tailReader joins the heads of a walk over object records with their
// tails (tail.go), with one iterator over the tails of the walked range.
type tailReader struct {
	scope  string // the walk's scope, that names are relative to
	span   string // every walked key starts with it
	it     *pebble.Iterator
	prefix []byte
	tail   tailScratch
	joined []byte
}

// join returns the whole record of the head v of the object named name:
// v itself when it has no tail, else head and tail joined in a buffer
// valid until the next call.
func (t *tailReader) join(l *Local, heads *pebble.Iterator, name, v []byte) (_ []byte, err error) {
	if t.it == nil {
		// A clone sees the store as of the heads' iterator, so every
		// head is joined with the tail written with it.
		lower := dbKey(nsTail, t.span)
		o := &pebble.IterOptions{LowerBound: lower, UpperBound: []byte(Successor(string(lower)))}
		if t.it, err = heads.Clone(pebble.CloneOptions{IterOptions: o}); err != nil {
			return nil, l.metaErr("walk versions", err)
		}
	}
	t.prefix = append(append(append(t.prefix[:0], byte(nsTail), '/'), t.scope...), name...)
	t.prefix = append(t.prefix, 0)
	tail, err := t.tail.read(t.it, t.prefix, 0)
	if err != nil {
		return nil, l.metaErr("walk versions", err)
	}
	if len(tail) == 0 {
		return v, nil
	}
	t.joined = appendJoined(t.joined[:0], v, tail)
	return t.joined, nil
}

// close releases the iterator.
func (t *tailReader) close() {
	if t.it != nil {
		t.it.Close()
	}
}

package drive

import (
	"bytes"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hoardstore/hoard/internal/meta"
)

// A push (Mutation.Push) adds a version in front of a record without the
// record: the stored head becomes the newest tail entry, at a position
// before the first one (which the head names), and the pushed version
// becomes the head. So the drive reads the head alone, not the older
// versions, and the caller sends one version, not all of them.

// planPush plans the push m onto the stored record st: the head to store
// and the tail entry to add. It checks first that the newest version
// stored is what the caller read (m.Expect). done is false when the push
// cannot be made that way (a record written before tails, or no room
// before the first tail position): m.Value is then the whole record the
// push makes, for the ordinary write.
func (l *Local) planPush(r pebble.Reader, st *storedRecord, m *Mutation) (head []byte, p tailPlan, done bool, err error) {
	var spans [2]int
	if ends, _, ok := meta.VersionSpans(spans[:0], m.Value); !ok || len(ends) != 1 || m.Delete {
		return nil, p, false, fmt.Errorf("%w: a push of %q is not a record of one version", ErrInvalidArgument, m.Key)
	}
	stored, hasTail := storedHead(st.cur)
	if !st.found {
		stored = nil
	} else if !hasTail && !meta.SingleVersion(stored) {
		stored, _ = meta.AppendNewest(nil, stored) // written before tails
	}
	if st.found != (m.Expect != nil) || !bytes.Equal(stored, m.Expect) {
		return nil, p, false, fmt.Errorf("%w: %q", ErrRecordChanged, m.Key)
	}
	if !st.found {
		return m.Value, p, true, nil // the first version of a new record
	}
	oldHead, start, ok := headVersion(st.cur)
	var pos uint64
	if ok {
		if pos, ok, err = l.pushPosition(r, st, hasTail); err != nil {
			return nil, p, false, err
		}
	}
	if !ok {
		if err := st.readTail(l, r); err != nil {
			return nil, p, false, err
		}
		whole, _ := storedHead(st.cur)
		if hasTail {
			whole = appendJoined(nil, whole, st.tail)
		}
		joined, ok := meta.AppendPushed(nil, m.Value, whole)
		if !ok {
			return nil, p, false, fmt.Errorf("%w: stored record of %q does not decode", ErrRecordChanged, m.Key)
		}
		m.Value = joined
		return nil, p, false, nil
	}
	head = appendMarkedHead(make([]byte, 0, 1+posLen+len(m.Value)), pos, m.Value)
	p.set = []tailEntry{{pos: pos, val: oldHead[start:]}}
	return head, p, true, nil
}

// headVersion returns the stored head of st's value as a record of one
// version and where that version starts in it; ok is false for a head of
// several versions (written before tails) or one that does not decode.
func headVersion(cur []byte) (head []byte, start int, ok bool) {
	head, _ = storedHead(cur)
	var spans [2]int
	ends, start, ok := meta.VersionSpans(spans[:0], head)
	return head, start, ok && len(ends) == 1
}

// pushPosition returns the position for the version a push moves from
// the head to the tail: the first of a new tail, or tailStep before the
// first entry of the stored one, which the stored head names (a head of
// drive format version 2 does not: its tail is then sought). room is
// false when the first entry is too close to position 0: the push is then
// made by an ordinary write, which places the version inside the gap left
// before the first entry, or renumbers the tail once that gap is full.
func (l *Local) pushPosition(r pebble.Reader, st *storedRecord, hasTail bool) (pos uint64, room bool, err error) {
	if !hasTail {
		return tailFirst, true, nil
	}
	first := st.tail
	if at, ok := storedFirst(st.cur); ok && !st.tailRead {
		first = []tailEntry{{pos: at}}
	} else if !st.tailRead {
		it, err := tailIter(r, st.key)
		if err != nil {
			return 0, false, l.metaErr("read versions", err)
		}
		first, err = st.scratch(l).read(it, appendTailPrefix(nil, st.key), 1)
		if cerr := it.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, false, l.metaErr("read versions", err)
		}
	}
	if len(first) == 0 || first[0].pos <= 2*tailStep {
		return 0, false, nil
	}
	return first[0].pos - tailStep, true, nil
}

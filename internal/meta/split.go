package meta

import "bytes"

// VersionSpans appends to dst where each version of the object record b
// lies: version i is b[ends[i-1]:ends[i]], the first starting at the
// returned start, newest first, each checked as the decoders check it.
// It allocates nothing beyond growing dst, so a drive can store each
// version of a record under its own key and join them again byte for
// byte (AppendJoinedHeader). ok is false when b is not a whole object record
// (bad header, a version that does not decode, or bytes after the last
// version).
func VersionSpans(dst []int, b []byte) (ends []int, start int, ok bool) {
	c := cursor{b: b}
	if v := c.byte1("format version"); c.bad || v != FormatVersion {
		return dst, 0, false
	}
	if k := c.byte1("record kind"); c.bad || k != kindObject {
		return dst, 0, false
	}
	n := c.int("version count", maxCount)
	if c.bad || n > len(b) {
		return dst, 0, false
	}
	start = c.i
	for i := 0; i < n; i++ {
		c.skipVersion()
		if c.bad {
			return dst, 0, false
		}
		dst = append(dst, c.i)
	}
	return dst, start, c.i == len(b)
}

// AppendJoinedHeader appends the header of an object record holding n
// versions; the encoded versions, newest first, follow it to make the
// whole record.
func AppendJoinedHeader(dst []byte, n int) []byte {
	dst = append(dst, FormatVersion, kindObject)
	return appendUvarint(dst, uint64(n))
}

// SingleVersion reports whether b looks like an object record of exactly
// one version (its header says so; the version itself is not checked).
func SingleVersion(b []byte) bool {
	return len(b) > 3 && b[0] == FormatVersion && b[1] == kindObject && b[2] == 1
}

// SameRecordEncoding reports whether the object record b holds byte for
// byte what a holds, but for each version's erasure index (the one field
// in which drives' copies of the same writes differ): a decodes as a
// whole record of at least one version, and b equals it field for field
// with a valid index in each place. Then b decodes to a's versions, its
// indexes aside, so a listing's vote need not decode every drive's copy.
// False says nothing: decode both to compare. It allocates nothing.
func SameRecordEncoding(a, b []byte) bool {
	c := cursor{b: a}
	if v := c.byte1("format version"); c.bad || v != FormatVersion {
		return false
	}
	if k := c.byte1("record kind"); c.bad || k != kindObject {
		return false
	}
	n := c.int("version count", maxCount)
	if c.bad || n == 0 || n > len(a) {
		return false
	}
	ai, bi := 0, 0 // a[:ai] and b[:bi] are known to match
	for i := 0; i < n; i++ {
		at, end := c.skipVersion()
		if c.bad {
			return false
		}
		seg := a[ai:at]
		if len(b)-bi < len(seg) || !bytes.Equal(b[bi:bi+len(seg)], seg) {
			return false
		}
		cb := cursor{b: b, i: bi + len(seg)}
		cb.int("erasure index", 256)
		if cb.bad {
			return false
		}
		ai, bi = end, cb.i
	}
	return c.i == len(a) && bytes.Equal(b[bi:], a[ai:])
}

// AppendPushed appends the object record whose versions are the one
// version of newest (a record of exactly one version) followed by every
// version of whole (a whole record, possibly of none): what adding a
// version with a fresh ID to whole makes (Record.Add), byte for byte,
// without decoding either. ok is false when either is not such a record;
// dst is then returned unchanged.
func AppendPushed(dst, newest, whole []byte) ([]byte, bool) {
	var spans [2]int
	nEnds, nStart, ok := VersionSpans(spans[:0], newest)
	if !ok || len(nEnds) != 1 {
		return dst, false
	}
	c := cursor{b: whole}
	if v := c.byte1("format version"); c.bad || v != FormatVersion {
		return dst, false
	}
	if k := c.byte1("record kind"); c.bad || k != kindObject {
		return dst, false
	}
	n := c.int("version count", maxCount-1)
	if c.bad {
		return dst, false
	}
	start := c.i
	for i := 0; i < n; i++ {
		c.skipVersion()
		if c.bad {
			return dst, false
		}
	}
	if c.i != len(whole) {
		return dst, false
	}
	dst = AppendJoinedHeader(dst, n+1)
	dst = append(dst, newest[nStart:]...)
	return append(dst, whole[start:]...), true
}

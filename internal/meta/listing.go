package meta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Listed is what a listing shows of an object's newest version, read in
// place: its byte fields alias the encoded record, so they are valid only
// while the record's bytes are, and decoding one allocates nothing. A
// listing decodes one per drive and key, and converts to strings only
// what it answers.
type Listed struct {
	ID           []byte
	ETag         []byte
	StorageClass []byte
	// ChecksumAlgorithm, ChecksumType and ChecksumValue are the whole-object
	// checksum, empty when the object has none.
	ChecksumAlgorithm []byte
	ChecksumType      []byte
	ChecksumValue     []byte
	DataDir           DataDir
	ModTime           time.Time
	Size              int64
	DeleteMarker      bool

	// indexAt and indexEnd bound the erasure index in the record (the one
	// field that differs between drives' copies of a write) and end is
	// where decoding stopped; SameEncoding uses them.
	indexAt, indexEnd, end int
}

// DecodeListed decodes the listing fields of an object record's newest
// version, checking the rest of that version as DecodeLatest does (its
// metadata, tags and erasure layout are skipped, later versions not
// read): it fails exactly where DecodeLatest fails. ok is false when the
// record has no versions. It never panics; bad input gives an error
// wrapping ErrCorrupt.
func DecodeListed(b []byte) (l Listed, ok bool, err error) {
	c := cursor{b: b}
	if v := c.byte1("format version"); !c.bad && v != FormatVersion {
		return Listed{}, false, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, v)
	}
	if k := c.byte1("record kind"); !c.bad && k != kindObject {
		return Listed{}, false, fmt.Errorf("%w: record kind %q, want %q", ErrCorrupt, k, kindObject)
	}
	if n := c.int("version count", maxCount); n == 0 || c.bad {
		return Listed{}, false, c.err()
	}
	flags := c.byte1("version flags")
	l.DeleteMarker = flags&flagDeleteMarker != 0
	l.ID = c.bytes("version id")
	if !c.bad && len(b)-c.i < DataDirLen {
		c.fail("data dir")
	}
	if !c.bad {
		copy(l.DataDir[:], b[c.i:])
		c.i += DataDirLen
	}
	if t := c.varint("mod time"); !c.bad && t != math.MinInt64 {
		l.ModTime = time.Unix(0, t).UTC()
	}
	if l.Size = c.varint("size"); l.Size < 0 {
		c.fail("size")
	}
	l.ETag = c.bytes("etag")
	l.ChecksumAlgorithm = c.bytes("checksum algorithm")
	l.ChecksumType = c.bytes("checksum type")
	l.ChecksumValue = c.bytes("checksum value")
	if flags&flagLock != 0 {
		c.skipLock()
	}
	c.skipMap("metadata")
	c.skipMap("tags")
	l.StorageClass = c.bytes("storage class")
	c.int("erasure data", 256)
	c.int("erasure parity", 256)
	c.int("erasure block size", 1<<40)
	l.indexAt = c.i
	c.int("erasure index", 256)
	l.indexEnd = c.i
	c.bytes("erasure distribution")
	c.byte1("bitrot algorithm")
	c.int("part count", maxCount)
	if c.bad {
		return Listed{}, false, c.err()
	}
	l.end = c.i
	return l, true, nil
}

// AppendNewest appends to dst a record holding only the newest version
// of the object record b, byte for byte as b holds it, and reports
// whether b could be read that far; a record without versions is
// appended as it is. It allocates nothing beyond growing dst, so a drive
// can cut every record of a listing page down to what the listing reads
// (DecodeListed gives the same fields for the cut record as for b),
// whatever the number of older versions.
func AppendNewest(dst, b []byte) ([]byte, bool) {
	c := cursor{b: b}
	if v := c.byte1("format version"); c.bad || v != FormatVersion {
		return dst, false
	}
	if k := c.byte1("record kind"); c.bad || k != kindObject {
		return dst, false
	}
	n := c.int("version count", maxCount)
	if c.bad {
		return dst, false
	}
	if n == 0 {
		return append(dst, b...), true
	}
	start := c.i
	c.skipVersion()
	if c.bad {
		return dst, false
	}
	dst = append(dst, FormatVersion, kindObject)
	dst = appendUvarint(dst, 1)
	return append(dst, b[start:c.i]...), true
}

// skipVersion moves past one encoded version, checking each field as the
// decoders do, without allocating. It returns where the version's erasure
// index lies (b[indexAt:indexEnd]). It must accept exactly what
// reader.version accepts: SameRecordEncoding, and the votes that trust it
// instead of decoding, rely on that (FuzzSameRecordEncoding checks it).
func (c *cursor) skipVersion() (indexAt, indexEnd int) {
	flags := c.byte1("version flags")
	c.bytes("version id")
	if !c.bad && len(c.b)-c.i < DataDirLen {
		c.fail("data dir")
	}
	if !c.bad {
		c.i += DataDirLen
	}
	c.varint("mod time")
	if c.varint("size") < 0 {
		c.fail("size")
	}
	c.bytes("etag")
	c.bytes("checksum algorithm")
	c.bytes("checksum type")
	c.bytes("checksum value")
	if flags&flagLock != 0 {
		c.skipLock()
	}
	c.skipMap("metadata")
	c.skipMap("tags")
	c.bytes("storage class")
	c.int("erasure data", 256)
	c.int("erasure parity", 256)
	c.int("erasure block size", 1<<40)
	indexAt = c.i
	c.int("erasure index", 256)
	indexEnd = c.i
	c.bytes("erasure distribution")
	c.byte1("bitrot algorithm")
	parts := c.int("part count", maxCount)
	for i := 1; i < parts && !c.bad; i++ {
		c.int("part number", 1<<31)
		c.int("part nonce", 1<<32-1)
		if c.varint("part size") < 0 || c.varint("part actual size") < 0 {
			c.fail("part size")
		}
		c.bytes("part etag")
		c.bytes("checksum algorithm")
		c.bytes("checksum type")
		c.bytes("checksum value")
	}
	return indexAt, indexEnd
}

// skipLock moves past a version's object lock state (see appendLock).
func (c *cursor) skipLock() {
	c.bytes("lock mode")
	c.varint("lock retain until")
	c.bytes("lock legal hold")
}

// SameEncoding reports, without decoding, that b is another drive's copy
// of the record a that l was decoded from, holding the same newest
// version: b equals a up to the erasure index, has a valid index, and
// equals a after it as far as DecodeListed reads. Then DecodeListed(b)
// succeeds with the fields of l and SameWrite holds. False says nothing:
// decode b to compare.
func (l *Listed) SameEncoding(a, b []byte) bool {
	if l.end == 0 || l.end > len(a) || l.indexAt > len(b) || !bytes.Equal(a[:l.indexAt], b[:l.indexAt]) {
		return false
	}
	c := cursor{b: b, i: l.indexAt}
	c.int("erasure index", 256)
	rest := a[l.indexEnd:l.end]
	return !c.bad && len(b)-c.i >= len(rest) && bytes.Equal(b[c.i:c.i+len(rest)], rest)
}

// SameWrite reports whether two drives' copies of a newest version
// describe one write: the same version ID, data directory, modification
// time, delete marker and ETag.
func (l *Listed) SameWrite(o *Listed) bool {
	return l.DataDir == o.DataDir && l.ModTime.Equal(o.ModTime) && l.DeleteMarker == o.DeleteMarker &&
		string(l.ID) == string(o.ID) && string(l.ETag) == string(o.ETag)
}

// cursor reads the primitives of an encoding as reader does, but moves an
// offset instead of re-slicing: a listing decodes thousands of records per
// page, and an offset costs no pointer writes (so no GC write barriers).
// After the first failure bad is set and every read returns a zero value.
type cursor struct {
	b    []byte
	i    int
	bad  bool
	what string
}

func (c *cursor) fail(what string) {
	if !c.bad {
		c.bad, c.what = true, what
	}
}

func (c *cursor) err() error {
	if !c.bad {
		return nil
	}
	return fmt.Errorf("%w: bad %s", ErrCorrupt, c.what)
}

func (c *cursor) byte1(what string) byte {
	if c.bad || c.i >= len(c.b) {
		c.fail(what)
		return 0
	}
	c.i++
	return c.b[c.i-1]
}

func (c *cursor) uvarint(what string) uint64 {
	if c.bad {
		return 0
	}
	if c.i < len(c.b) && c.b[c.i] < 0x80 { // one byte: most counts and lengths
		c.i++
		return uint64(c.b[c.i-1])
	}
	v, n := binary.Uvarint(c.b[c.i:])
	if n <= 0 {
		c.fail(what)
		return 0
	}
	c.i += n
	return v
}

func (c *cursor) varint(what string) int64 {
	if c.bad {
		return 0
	}
	v, n := binary.Varint(c.b[c.i:])
	if n <= 0 {
		c.fail(what)
		return 0
	}
	c.i += n
	return v
}

// int reads a count or size that must not exceed limit.
func (c *cursor) int(what string, limit uint64) int {
	v := c.uvarint(what)
	if v > limit {
		c.fail(what)
		return 0
	}
	return int(v)
}

func (c *cursor) bytes(what string) []byte {
	n := c.uvarint(what)
	if c.bad || n > uint64(len(c.b)-c.i) {
		c.fail(what)
		return nil
	}
	c.i += int(n)
	return c.b[c.i-int(n) : c.i : c.i]
}

func (c *cursor) skipMap(what string) {
	n := c.int(what, maxCount)
	for i := 1; i < n && !c.bad; i++ {
		c.bytes(what)
		c.bytes(what)
	}
}

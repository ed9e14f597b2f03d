package meta

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// ErrCorrupt marks a record that cannot be decoded; it wraps storage.ErrCorrupt.
var ErrCorrupt = fmt.Errorf("meta: corrupt record: %w", storage.ErrCorrupt)

// maxCount bounds every decoded element count so corrupt input cannot make
// the decoder allocate unbounded memory.
const maxCount = 1 << 20

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
func appendVarint(b []byte, v int64) []byte   { return binary.AppendVarint(b, v) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, math.MinInt64)
	}
	return binary.AppendVarint(b, t.UnixNano())
}

// appendMap writes a map in sorted key order so equal maps encode equally.
func appendMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(m))+1)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

func appendChecksum(b []byte, c storage.Checksum) []byte {
	b = appendString(b, string(c.Algorithm))
	b = appendString(b, string(c.Type))
	return appendString(b, c.Value)
}

// appendLock writes object lock state: mode, retain-until, legal hold.
func appendLock(b []byte, o storage.ObjectLock) []byte {
	b = appendString(b, o.Mode)
	b = appendTime(b, o.RetainUntil)
	return appendString(b, o.LegalHold)
}

func appendErasure(b []byte, e Erasure) []byte {
	b = appendUvarint(b, uint64(e.Data))
	b = appendUvarint(b, uint64(e.Parity))
	b = appendUvarint(b, uint64(e.BlockSize))
	b = appendUvarint(b, uint64(e.Index))
	b = appendUvarint(b, uint64(len(e.Distribution)))
	return append(b, e.Distribution...)
}

// reader decodes the primitives; the first failure sticks in err and every
// later read returns a zero value, so callers check err once at the end.
type reader struct {
	b   []byte
	err error
	// light skips maps and part lists (DecodeLatest, DecodeVersions).
	light bool
	// every reads past the skipped part lists, so that later versions
	// can be read too (DecodeVersions).
	every bool
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: bad %s", ErrCorrupt, what)
	}
	r.b = nil
}

func (r *reader) byte1(what string) byte {
	if len(r.b) < 1 {
		r.fail(what)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint(what string) int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// int reads a non-negative count or size that must fit in an int and limit.
func (r *reader) int(what string, limit uint64) int {
	v := r.uvarint(what)
	if v > limit {
		r.fail(what)
		return 0
	}
	return int(v)
}

func (r *reader) size(what string) int64 {
	v := r.varint(what)
	if v < 0 {
		r.fail(what)
		return 0
	}
	return v
}

func (r *reader) bytes(what string) []byte {
	n := r.uvarint(what)
	if n > uint64(len(r.b)) {
		r.fail(what)
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) string(what string) string { return string(r.bytes(what)) }

func (r *reader) time(what string) time.Time {
	v := r.varint(what)
	if v == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

func (r *reader) stringMap(what string) map[string]string {
	n := r.int(what, maxCount)
	if n == 0 || r.err != nil {
		return nil
	}
	n--
	if n > len(r.b)/2 {
		r.fail(what)
		return nil
	}
	m := make(map[string]string, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.string(what)
		m[k] = r.string(what)
	}
	return m
}

func (r *reader) skipMap(what string) {
	n := r.int(what, maxCount)
	for i := 1; i < n && r.err == nil; i++ {
		r.bytes(what)
		r.bytes(what)
	}
}

func (r *reader) checksum() storage.Checksum {
	return storage.Checksum{
		Algorithm: storage.ChecksumAlgorithm(r.string("checksum algorithm")),
		Type:      storage.ChecksumType(r.string("checksum type")),
		Value:     r.string("checksum value"),
	}
}

func (r *reader) lock() storage.ObjectLock {
	return storage.ObjectLock{
		Mode:        r.string("lock mode"),
		RetainUntil: r.time("lock retain until"),
		LegalHold:   r.string("lock legal hold"),
	}
}

func (r *reader) erasure() Erasure {
	e := Erasure{
		Data:      r.int("erasure data", 256),
		Parity:    r.int("erasure parity", 256),
		BlockSize: int64(r.int("erasure block size", 1<<40)),
		Index:     r.int("erasure index", 256),
	}
	if d := r.bytes("erasure distribution"); len(d) > 0 {
		e.Distribution = append([]uint8(nil), d...)
	}
	return e
}

func (r *reader) dataDir() DataDir {
	var d DataDir
	if len(r.b) < DataDirLen {
		r.fail("data dir")
		return d
	}
	copy(d[:], r.b)
	r.b = r.b[DataDirLen:]
	return d
}

// header checks the format version byte and the record kind.
func (r *reader) header(kind byte) {
	if v := r.byte1("format version"); r.err == nil && v != FormatVersion {
		r.err = fmt.Errorf("%w: unknown format version %d", ErrCorrupt, v)
		return
	}
	if k := r.byte1("record kind"); r.err == nil && k != kind {
		r.err = fmt.Errorf("%w: record kind %q, want %q", ErrCorrupt, k, kind)
	}
}

func (r *reader) finish() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	return nil
}

func storageAlgo(s string) storage.ChecksumAlgorithm { return storage.ChecksumAlgorithm(s) }
func storageType(s string) storage.ChecksumType      { return storage.ChecksumType(s) }

package cluster

import (
	"encoding/binary"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// The bodies of metadata RPCs use a compact binary encoding: unsigned
// varints for lengths and counts, raw bytes for strings. Decoders check
// every length against the bytes left, so a hostile body cannot make them
// allocate more than it is long.

// encoder appends values to a byte slice.
type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) bytes(v []byte) {
	e.uvarint(uint64(len(v)))
	e.b = append(e.b, v...)
}

func (e *encoder) string(v string) {
	e.uvarint(uint64(len(v)))
	e.b = append(e.b, v...)
}

// optBytes encodes a byte slice keeping nil apart from empty.
func (e *encoder) optBytes(v []byte) {
	e.bool(v != nil)
	if v != nil {
		e.bytes(v)
	}
}

func (e *encoder) dataDir(d meta.DataDir) { e.b = append(e.b, d[:]...) }

func (e *encoder) dataDirs(ds []meta.DataDir) {
	e.uvarint(uint64(len(ds)))
	for _, d := range ds {
		e.dataDir(d)
	}
}

// decoder reads values from a byte slice; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or malformed %s", ErrProtocol, what)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of items each at least minSize bytes long.
func (d *decoder) count(minSize int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64(len(d.b)/max(minSize, 1)) {
		d.fail("count")
		return 0
	}
	return int(v)
}

func (d *decoder) bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) < 1 || d.b[0] > 1 {
		d.fail("flag")
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

func (d *decoder) raw() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("bytes")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	v := d.raw()
	if v == nil {
		return nil
	}
	return append([]byte{}, v...)
}

func (d *decoder) string() string { return string(d.raw()) }

func (d *decoder) optBytes() []byte {
	if !d.bool() {
		return nil
	}
	v := d.bytes()
	if v == nil && d.err == nil {
		v = []byte{}
	}
	return v
}

func (d *decoder) dataDir() meta.DataDir {
	var dd meta.DataDir
	if d.err != nil {
		return dd
	}
	if len(d.b) < meta.DataDirLen {
		d.fail("data directory")
		return dd
	}
	copy(dd[:], d.b)
	d.b = d.b[meta.DataDirLen:]
	return dd
}

func (d *decoder) dataDirs() []meta.DataDir {
	n := d.count(meta.DataDirLen)
	if n == 0 {
		return nil
	}
	out := make([]meta.DataDir, n)
	for i := range out {
		out[i] = d.dataDir()
	}
	return out
}

// finish reports the first error, or trailing bytes.
func (d *decoder) finish(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.fail(what + " (trailing bytes)")
	}
	return d.err
}

// encodeBatch encodes a drive batch.
func encodeBatch(b drive.Batch) []byte {
	size := 64
	for _, m := range b.Mutations {
		size += len(m.Key) + len(m.Value) + 12
	}
	e := encoder{b: make([]byte, 0, size)}
	e.string(b.Stage)
	e.dataDir(b.DataDir)
	e.uvarint(uint64(len(b.Mutations)))
	for _, m := range b.Mutations {
		e.b = append(e.b, byte(m.NS))
		e.string(m.Key)
		e.bool(m.Delete)
		e.optBytes(m.Value)
	}
	e.dataDirs(b.Ref)
	e.dataDirs(b.Unref)
	return appendPushes(e, b.Mutations)
}

// appendPushes appends, after everything else of a batch, the pushes
// among muts (drive.Mutation.Push): their count, then each one's index
// and Expect. A batch without pushes ends before, so it reads as it did
// before pushes existed, and a node older than pushes refuses a batch
// with them (trailing bytes) instead of storing a pushed version as a
// whole record.
func appendPushes(e encoder, muts []drive.Mutation) []byte {
	n := 0
	for _, m := range muts {
		if m.Push {
			n++
		}
	}
	if n == 0 {
		return e.b
	}
	e.uvarint(uint64(n))
	for i, m := range muts {
		if m.Push {
			e.uvarint(uint64(i))
			e.optBytes(m.Expect)
		}
	}
	return e.b
}

// pushes is the inverse of appendPushes: it marks the pushes of muts.
func (d *decoder) pushes(muts []drive.Mutation) {
	if d.err != nil || len(d.b) == 0 {
		return
	}
	n := d.count(2)
	if n == 0 {
		d.fail("push count") // an encoder writes no count for no push
	}
	next := uint64(0) // indexes increase, as an encoder writes them
	for range n {
		i := d.uvarint()
		if d.err == nil && (i < next || i >= uint64(len(muts)) || muts[i].NS != drive.NSObject || muts[i].Delete) {
			d.fail("push index") // out of order or range, or not a write of an object record
		}
		next = i + 1
		expect := d.optBytes()
		if d.err != nil {
			return
		}
		muts[i].Push, muts[i].Expect = true, expect
	}
}

// decodeBatch is the inverse of encodeBatch.
func decodeBatch(p []byte) (drive.Batch, error) {
	d := decoder{b: p}
	var b drive.Batch
	b.Stage = d.string()
	b.DataDir = d.dataDir()
	if n := d.count(4); n > 0 {
		b.Mutations = make([]drive.Mutation, n)
		for i := range b.Mutations {
			m := &b.Mutations[i]
			if d.err == nil && len(d.b) > 0 {
				m.NS = drive.Namespace(d.b[0])
				d.b = d.b[1:]
			} else {
				d.fail("namespace")
			}
			m.Key = d.string()
			m.Delete = d.bool()
			m.Value = d.optBytes()
		}
	}
	b.Ref = d.dataDirs()
	b.Unref = d.dataDirs()
	d.pushes(b.Mutations)
	return b, d.finish("batch")
}

// encodeWalkOptions encodes walk options.
func encodeWalkOptions(o drive.WalkOptions) []byte {
	e := encoder{b: make([]byte, 0, 32+len(o.Scope)+len(o.Prefix)+len(o.Start)+len(o.Delimiter))}
	e.b = append(e.b, byte(o.NS))
	e.string(o.Scope)
	e.string(o.Prefix)
	e.string(o.Delimiter)
	e.string(o.Start)
	e.uvarint(uint64(max(o.Limit, 0)))
	e.bool(o.KeysOnly)
	e.bool(o.Newest)
	return e.b
}

// maxWalkLimit bounds the page size a peer may ask for.
const maxWalkLimit = 100_000

// decodeWalkOptions is the inverse of encodeWalkOptions.
func decodeWalkOptions(p []byte) (drive.WalkOptions, error) {
	var o drive.WalkOptions
	if len(p) < 1 {
		return o, fmt.Errorf("%w: empty walk options", ErrProtocol)
	}
	o.NS = drive.Namespace(p[0])
	d := decoder{b: p[1:]}
	o.Scope = d.string()
	o.Prefix = d.string()
	o.Delimiter = d.string()
	o.Start = d.string()
	limit := d.uvarint()
	if limit > maxWalkLimit {
		limit = maxWalkLimit
	}
	o.Limit = int(limit)
	o.KeysOnly = d.bool()
	o.Newest = d.bool()
	return o, d.finish("walk options")
}

// encodeWalkResult encodes a walk page.
func encodeWalkResult(r drive.WalkResult) []byte {
	size := 16
	for _, en := range r.Entries {
		size += len(en.Name) + len(en.Value) + 8
	}
	e := encoder{b: make([]byte, 0, size)}
	e.bool(r.Truncated)
	e.uvarint(uint64(len(r.Entries)))
	for _, en := range r.Entries {
		e.string(en.Name)
		e.bool(en.IsPrefix)
		e.optBytes(en.Value)
	}
	return e.b
}

// decodeWalkResult is the inverse of encodeWalkResult.
func decodeWalkResult(p []byte) (drive.WalkResult, error) {
	d := decoder{b: p}
	var r drive.WalkResult
	r.Truncated = d.bool()
	if n := d.count(3); n > 0 {
		r.Entries = make([]drive.WalkEntry, n)
		for i := range r.Entries {
			r.Entries[i].Name = d.string()
			r.Entries[i].IsPrefix = d.bool()
			r.Entries[i].Value = d.optBytes()
		}
	}
	return r, d.finish("walk result")
}

// encodeNames encodes a list of shard names.
func encodeNames(names []string) []byte {
	e := encoder{}
	e.uvarint(uint64(len(names)))
	for _, n := range names {
		e.string(n)
	}
	return e.b
}

// decodeNames is the inverse of encodeNames.
func decodeNames(p []byte) ([]string, error) {
	d := decoder{b: p}
	n := d.count(1)
	out := make([]string, 0, n)
	for range n {
		out = append(out, d.string())
	}
	return out, d.finish("names")
}

// encodeReleases encodes a batch of lock releases.
func encodeReleases(rs []lockRelease) []byte {
	e := encoder{}
	e.uvarint(uint64(len(rs)))
	for _, r := range rs {
		e.string(r.op)
		e.string(r.resource)
		e.string(r.uid)
	}
	return e.b
}

// decodeReleases is the inverse of encodeReleases.
func decodeReleases(p []byte) ([]lockRelease, error) {
	d := decoder{b: p}
	n := d.count(3)
	out := make([]lockRelease, 0, n)
	for range n {
		out = append(out, lockRelease{op: d.string(), resource: d.string(), uid: d.string()})
	}
	return out, d.finish("lock releases")
}

package meta

import "time"

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
}

// DecodeListed decodes the listing fields of an object record's newest
// version, checking the rest of that version as DecodeLatest does (its
// metadata, tags and erasure layout are skipped, later versions not
// read). ok is false when the record has no versions. It never panics;
// bad input gives an error wrapping ErrCorrupt.
func DecodeListed(b []byte) (l Listed, ok bool, err error) {
	r := reader{b: b, light: true}
	r.header(kindObject)
	n := r.int("version count", maxCount)
	if n == 0 || r.err != nil {
		return Listed{}, false, r.err
	}
	flags := r.byte1("version flags")
	l.DeleteMarker = flags&flagDeleteMarker != 0
	l.ID = r.bytes("version id")
	l.DataDir = r.dataDir()
	l.ModTime = r.time("mod time")
	l.Size = r.size("size")
	l.ETag = r.bytes("etag")
	l.ChecksumAlgorithm = r.bytes("checksum algorithm")
	l.ChecksumType = r.bytes("checksum type")
	l.ChecksumValue = r.bytes("checksum value")
	r.skipMap("metadata")
	r.skipMap("tags")
	l.StorageClass = r.bytes("storage class")
	r.skipErasure()
	r.byte1("bitrot algorithm")
	r.int("part count", maxCount)
	if r.err != nil {
		return Listed{}, false, r.err
	}
	return l, true, nil
}

// SameWrite reports whether two drives' copies of a newest version
// describe one write: the same version ID, data directory, modification
// time, delete marker and ETag.
func (l *Listed) SameWrite(o *Listed) bool {
	return l.DataDir == o.DataDir && l.ModTime.Equal(o.ModTime) && l.DeleteMarker == o.DeleteMarker &&
		string(l.ID) == string(o.ID) && string(l.ETag) == string(o.ETag)
}

// skipErasure reads past an erasure layout, checking it as erasure does,
// without copying its distribution.
func (r *reader) skipErasure() {
	r.int("erasure data", 256)
	r.int("erasure parity", 256)
	r.int("erasure block size", 1<<40)
	r.int("erasure index", 256)
	r.bytes("erasure distribution")
}

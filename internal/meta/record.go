package meta

// Record kinds, the second byte of every encoding.
const (
	kindObject byte = 'O'
	kindUpload byte = 'U'
	kindPart   byte = 'P'
)

const (
	flagDeleteMarker = 1 << iota
	flagInline
	// flagLock says the version carries object lock state, encoded right
	// after its checksum; records without the flag (all those written
	// before object lock existed) decode with none.
	flagLock
)

// AppendRecord appends the encoding of r to b and returns the extended slice.
func AppendRecord(b []byte, r *Record) []byte {
	b = append(b, FormatVersion, kindObject)
	b = appendUvarint(b, uint64(len(r.Versions)))
	for i := range r.Versions {
		b = appendVersion(b, &r.Versions[i])
	}
	return b
}

// EncodeRecord returns the encoding of r.
func EncodeRecord(r *Record) []byte { return AppendRecord(make([]byte, 0, 256), r) }

func appendVersion(b []byte, v *Version) []byte {
	var flags byte
	if v.DeleteMarker {
		flags |= flagDeleteMarker
	}
	if v.Inline {
		flags |= flagInline
	}
	if !v.Lock.IsZero() {
		flags |= flagLock
	}
	b = append(b, flags)
	b = appendString(b, v.ID)
	b = append(b, v.DataDir[:]...)
	b = appendTime(b, v.ModTime)
	b = appendVarint(b, v.Size)
	b = appendString(b, v.ETag)
	b = appendChecksum(b, v.Checksum)
	if flags&flagLock != 0 {
		b = appendLock(b, v.Lock)
	}
	b = appendMap(b, v.Metadata)
	b = appendMap(b, v.Tags)
	b = appendString(b, v.StorageClass)
	b = appendErasure(b, v.Erasure)
	b = append(b, byte(v.Bitrot))
	if v.Parts == nil {
		b = append(b, 0)
	} else {
		b = appendUvarint(b, uint64(len(v.Parts))+1)
	}
	for _, p := range v.Parts {
		b = appendUvarint(b, uint64(p.Number))
		b = appendUvarint(b, uint64(p.Nonce))
		b = appendVarint(b, p.Size)
		b = appendVarint(b, p.ActualSize)
		b = appendString(b, p.ETag)
		b = appendChecksum(b, p.Checksum)
	}
	return b
}

// DecodeRecord decodes an object record. It never panics; bad input gives
// an error wrapping ErrCorrupt.
func DecodeRecord(b []byte) (*Record, error) {
	r := reader{b: b}
	r.header(kindObject)
	n := r.int("version count", maxCount)
	if n > len(r.b) {
		r.fail("version count")
	}
	rec := &Record{}
	if n > 0 && r.err == nil {
		rec.Versions = make([]Version, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		r.version(&rec.Versions[i])
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return rec, nil
}

// DecodeLatest decodes only what a listing shows of an object's newest
// version: everything but its metadata, tags and part list, which it skips
// without allocating. ok is false when the record has no versions.
func DecodeLatest(b []byte) (v Version, ok bool, err error) {
	r := reader{b: b, light: true}
	r.header(kindObject)
	n := r.int("version count", maxCount)
	if n > 0 && r.err == nil {
		r.version(&v)
	}
	if r.err != nil {
		return Version{}, false, r.err
	}
	return v, n > 0, nil
}

// DecodeVersions decodes what a version listing shows of every version of
// an object record, newest first: everything but metadata, tags and part
// lists. It never panics; bad input gives an error wrapping ErrCorrupt.
func DecodeVersions(b []byte) ([]Version, error) {
	r := reader{b: b, light: true, every: true}
	r.header(kindObject)
	n := r.int("version count", maxCount)
	if n > len(r.b) {
		r.fail("version count")
	}
	var out []Version
	if n > 0 && r.err == nil {
		out = make([]Version, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		r.version(&out[i])
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *reader) version(v *Version) {
	flags := r.byte1("version flags")
	v.DeleteMarker = flags&flagDeleteMarker != 0
	v.Inline = flags&flagInline != 0
	v.ID = r.string("version id")
	v.DataDir = r.dataDir()
	v.ModTime = r.time("mod time")
	v.Size = r.size("size")
	v.ETag = r.string("etag")
	v.Checksum = r.checksum()
	if flags&flagLock != 0 {
		v.Lock = r.lock()
	}
	if r.light {
		r.skipMap("metadata")
		r.skipMap("tags")
	} else {
		v.Metadata = r.stringMap("metadata")
		v.Tags = r.stringMap("tags")
	}
	v.StorageClass = r.string("storage class")
	v.Erasure = r.erasure()
	v.Bitrot = BitrotAlgo(r.byte1("bitrot algorithm"))
	n := r.int("part count", maxCount)
	if n == 0 || r.err != nil || (r.light && !r.every) {
		return // a light decode of the newest version stops here
	}
	n--
	if n > len(r.b) {
		r.fail("part count")
		return
	}
	if r.light {
		for i := 0; i < n && r.err == nil; i++ {
			r.int("part number", 1<<31)
			r.int("part nonce", 1<<32-1)
			r.size("part size")
			r.size("part actual size")
			r.bytes("part etag")
			r.bytes("checksum algorithm")
			r.bytes("checksum type")
			r.bytes("checksum value")
		}
		return
	}
	v.Parts = make([]Part, n)
	for i := 0; i < n && r.err == nil; i++ {
		p := &v.Parts[i]
		p.Number = r.int("part number", 1<<31)
		p.Nonce = uint32(r.int("part nonce", 1<<32-1))
		p.Size = r.size("part size")
		p.ActualSize = r.size("part actual size")
		p.ETag = r.string("part etag")
		p.Checksum = r.checksum()
	}
}

// EncodeUpload returns the encoding of a multipart upload record.
func EncodeUpload(u *Upload) []byte {
	b := make([]byte, 0, 128)
	b = append(b, FormatVersion, kindUpload)
	b = appendString(b, u.ID)
	b = appendTime(b, u.Initiated)
	b = appendMap(b, u.Metadata)
	b = appendMap(b, u.Tags)
	b = appendString(b, u.StorageClass)
	b = appendString(b, string(u.ChecksumAlgorithm))
	b = appendString(b, string(u.ChecksumType))
	b = appendErasure(b, u.Erasure)
	b = append(b, u.DataDir[:]...)
	if !u.Lock.IsZero() {
		b = appendLock(b, u.Lock)
	}
	return b
}

// DecodeUpload decodes a multipart upload record.
func DecodeUpload(b []byte) (*Upload, error) {
	r := reader{b: b}
	r.header(kindUpload)
	u := &Upload{
		ID:                r.string("upload id"),
		Initiated:         r.time("initiated"),
		Metadata:          r.stringMap("metadata"),
		Tags:              r.stringMap("tags"),
		StorageClass:      r.string("storage class"),
		ChecksumAlgorithm: storageAlgo(r.string("checksum algorithm")),
		ChecksumType:      storageType(r.string("checksum type")),
		Erasure:           r.erasure(),
		DataDir:           r.dataDir(),
	}
	if len(r.b) > 0 && r.err == nil { // written with a lock (see EncodeUpload)
		u.Lock = r.lock()
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return u, nil
}

// EncodePart returns the encoding of a part record.
func EncodePart(p *PartRecord) []byte {
	b := make([]byte, 0, 96)
	b = append(b, FormatVersion, kindPart)
	b = appendUvarint(b, uint64(p.Number))
	b = appendUvarint(b, uint64(p.Nonce))
	b = appendVarint(b, p.Size)
	b = appendVarint(b, p.ActualSize)
	b = appendString(b, p.ETag)
	b = appendTime(b, p.ModTime)
	return appendChecksum(b, p.Checksum)
}

// DecodePart decodes a part record.
func DecodePart(b []byte) (*PartRecord, error) {
	r := reader{b: b}
	r.header(kindPart)
	p := &PartRecord{
		Number:     r.int("part number", 1<<31),
		Nonce:      uint32(r.int("part nonce", 1<<32-1)),
		Size:       r.size("part size"),
		ActualSize: r.size("part actual size"),
		ETag:       r.string("part etag"),
		ModTime:    r.time("part mod time"),
		Checksum:   r.checksum(),
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return p, nil
}

package meta

import (
	"bytes"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// kindCompletion is the record kind of a Completion.
const kindCompletion byte = 'C'

// Completion is the trace a completed multipart upload leaves behind for a
// while: what CompleteMultipartUpload answered, so that the same request
// repeated (an SDK's retry after a lost response) gets the same answer
// instead of NoSuchUpload, and the fingerprint of the part list it
// completed with, so that only the same request does.
type Completion struct {
	// Completed is when the upload was completed.
	Completed time.Time
	// VersionID is the version the upload became ("" for the null
	// version); Versioned says the bucket was versioned or suspended, so
	// the answer carried x-amz-version-id.
	VersionID string
	Versioned bool
	// ETag, Checksum, ModTime, Size and Tags are the object's (what the
	// answer, its x-amz-expiration included, was made of).
	ETag     string
	Checksum storage.Checksum
	ModTime  time.Time
	Size     int64
	Tags     map[string]string
	// Parts is the fingerprint of the completed part list.
	Parts []byte
}

// EncodeCompletion returns the encoding of a completion trace.
func EncodeCompletion(c *Completion) []byte {
	b := make([]byte, 0, 128)
	b = append(b, FormatVersion, kindCompletion)
	b = appendTime(b, c.Completed)
	b = appendString(b, c.VersionID)
	versioned := byte(0)
	if c.Versioned {
		versioned = 1
	}
	b = append(b, versioned)
	b = appendString(b, c.ETag)
	b = appendChecksum(b, c.Checksum)
	b = appendTime(b, c.ModTime)
	b = appendVarint(b, c.Size)
	b = appendMap(b, c.Tags)
	return appendString(b, string(c.Parts))
}

// DecodeCompletion decodes a completion trace.
func DecodeCompletion(b []byte) (*Completion, error) {
	r := reader{b: b}
	r.header(kindCompletion)
	c := &Completion{
		Completed: r.time("completed"),
		VersionID: r.string("version id"),
	}
	switch r.byte1("versioned") {
	case 0:
	case 1:
		c.Versioned = true
	default:
		r.fail("versioned")
	}
	c.ETag = r.string("etag")
	c.Checksum = r.checksum()
	c.ModTime = r.time("mod time")
	c.Size = r.size("size")
	c.Tags = r.stringMap("tags")
	c.Parts = bytes.Clone(r.bytes("parts fingerprint"))
	if err := r.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

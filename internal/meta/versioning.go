package meta

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// Versioning is a bucket's versioning state, as S3 defines it. A bucket
// starts Unversioned and, once versioning was enabled, is Enabled or
// Suspended for ever.
type Versioning uint8

// The versioning states of a bucket.
const (
	// Unversioned: every key has only its null version, which a write
	// replaces and a delete removes.
	Unversioned Versioning = iota
	// VersioningEnabled: every write adds a version with a new ID and a
	// delete without a version ID adds a delete marker.
	VersioningEnabled
	// VersioningSuspended: writes and deletes make the null version (a
	// delete a null delete marker), replacing the previous null version
	// and keeping every other version.
	VersioningSuspended
)

// The S3 spellings of the versioning states, as stored in the bucket
// record and answered by GetBucketVersioning.
const (
	StatusEnabled   = storage.VersioningEnabled
	StatusSuspended = storage.VersioningSuspended
)

// ParseVersioning reads the stored versioning status of a bucket (nil or
// empty for a bucket that was never versioned); unknown values are an error.
func ParseVersioning(doc []byte) (Versioning, error) {
	switch string(doc) {
	case "":
		return Unversioned, nil
	case StatusEnabled:
		return VersioningEnabled, nil
	case StatusSuspended:
		return VersioningSuspended, nil
	}
	return Unversioned, fmt.Errorf("%w: versioning status %q", ErrCorrupt, doc)
}

// Status is the S3 spelling of s: "" for an unversioned bucket.
func (s Versioning) Status() string {
	switch s {
	case VersioningEnabled:
		return StatusEnabled
	case VersioningSuspended:
		return StatusSuspended
	}
	return ""
}

// NullVersionID is how S3 names the version whose ID is empty.
const NullVersionID = "null"

// NewVersionID returns a version ID made of the time now (milliseconds
// since 1970, big-endian, so IDs sort by creation time) and 80 bits read
// from random, of which the UUIDv7 layout (its 36-character text form)
// keeps 74. Two nodes creating versions in the same millisecond differ in
// the random bits; a clock alone never makes an ID.
func NewVersionID(now time.Time, random io.Reader) (string, error) {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	if _, err := io.ReadFull(random, b[6:]); err != nil {
		return "", fmt.Errorf("meta: version id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x70 // version 7
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:]), nil
}

// WriteID is the ID a write (PUT, copy, Complete, POST, or a delete
// marker) gets in a bucket in state s: fresh (a new ID the caller made
// with NewVersionID) when versioning is enabled, else "" (the null
// version).
func WriteID(s Versioning, fresh string) string {
	if s == VersioningEnabled {
		return fresh
	}
	return ""
}

// Add puts v (its ID set by WriteID) in front of r, as the newest
// version, and returns the version it replaces: the version with the
// same ID (the null version, in an unversioned or suspended bucket), or
// nil. Every other version stays, in order.
func (r *Record) Add(v Version) (replaced *Version) {
	if i := r.Find(v.ID); i >= 0 {
		old := r.Versions[i]
		replaced = &old
		r.Versions = append(r.Versions[:i], r.Versions[i+1:]...)
	}
	r.Versions = append([]Version{v}, r.Versions...)
	return replaced
}

// DeleteAction is what a delete request does to a record.
type DeleteAction uint8

// The outcomes of a delete request.
const (
	// RemoveVersion removes one version permanently.
	RemoveVersion DeleteAction = iota
	// AddMarker adds a delete marker as the newest version (replacing the
	// null version when the marker is itself the null version).
	AddMarker
)

// PlanDelete says what a delete request does in a bucket in state s:
// one naming a version (versionNamed, "null" included) removes that
// version; one naming none removes the null version of an unversioned
// bucket, and adds a delete marker (its ID from WriteID) otherwise.
func PlanDelete(s Versioning, versionNamed bool) DeleteAction {
	if versionNamed || s == Unversioned {
		return RemoveVersion
	}
	return AddMarker
}

// Remove takes the version with ID id out of r and returns it; ok is
// false when r has no such version.
func (r *Record) Remove(id string) (gone Version, ok bool) {
	i := r.Find(id)
	if i < 0 {
		return Version{}, false
	}
	gone = r.Versions[i]
	r.Versions = append(r.Versions[:i], r.Versions[i+1:]...)
	return gone, true
}

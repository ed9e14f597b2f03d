package drive

import (
	"encoding/binary"
	"strings"

	"github.com/hoardstore/hoard/internal/meta"
)

// Object keys never contain NUL (storage.ValidObjectName), bucket names
// never do either, so NUL separates the components of a key and byte order
// of the encoded keys equals listing order.

// ObjectScope is the key prefix of every object record of bucket.
func ObjectScope(bucket string) string { return bucket + "\x00" }

// ObjectKey is the NSObject key of an object.
func ObjectKey(bucket, key string) string { return bucket + "\x00" + key }

// UploadScope is the key prefix of every upload record of bucket.
func UploadScope(bucket string) string { return bucket + "\x00" }

// UploadName is the name, relative to UploadScope, of an upload record.
func UploadName(key, uploadID string) string { return key + "\x00" + uploadID }

// SplitUploadName is the inverse of UploadName; ok is false for a name
// without the separator.
func SplitUploadName(name string) (key, uploadID string, ok bool) {
	key, uploadID, ok = strings.Cut(name, "\x00")
	return key, uploadID, ok
}

// UploadKey is the NSUpload key of an upload.
func UploadKey(bucket, key, uploadID string) string {
	return UploadScope(bucket) + UploadName(key, uploadID)
}

// PartScope is the key prefix of every part record of an upload.
func PartScope(uploadID string) string { return uploadID + "\x00" }

// PartName is the name, relative to PartScope, of a part: its number as
// four big-endian bytes, so parts sort by number.
func PartName(number int) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(number))
	return string(b[:])
}

// ParsePartName is the inverse of PartName; ok is false for a bad name.
func ParsePartName(name string) (number int, ok bool) {
	if len(name) != 4 {
		return 0, false
	}
	return int(binary.BigEndian.Uint32([]byte(name))), true
}

// PartKey is the NSPart key of one part of an upload.
func PartKey(uploadID string, number int) string { return PartScope(uploadID) + PartName(number) }

// InlineKey is the NSInline key of a version's inline shard data.
func InlineKey(dir meta.DataDir) string { return string(dir[:]) }

// dbKey builds the pebble key of a record: namespace byte, '/', key.
func dbKey(ns Namespace, key string) []byte {
	b := make([]byte, 0, 2+len(key))
	b = append(b, byte(ns), '/')
	return append(b, key...)
}

// refKey is the pebble key marking a data directory as referenced.
func refKey(dir meta.DataDir) []byte {
	b := make([]byte, 0, 2+meta.DataDirLen)
	b = append(b, 'r', '/')
	return append(b, dir[:]...)
}

// Successor returns the smallest string greater than every string that has
// p as a prefix, or "" if there is none (p is empty or all 0xff).
func Successor(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// NSSystem holds the engine's own records about the deployment (not about
// objects); keys are built by the helpers below.
const NSSystem Namespace = 's'

// StaleScope is the NSSystem key prefix of every stale-drive record.
const StaleScope = "stale/"

// StaleKey is the NSSystem key of the record saying the drive with ID
// driveID missed writes (or was replaced) and must be rebuilt before it
// counts again.
func StaleKey(driveID string) string { return StaleScope + driveID }

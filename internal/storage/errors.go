package storage

import (
	"errors"
	"time"
)

// Sentinel errors returned by every ObjectLayer. Implementations wrap them
// with %w to add context; callers test them with errors.Is. The S3 front end
// maps each to exactly one S3 error code and HTTP status.
var (
	// ErrBucketNotFound: the bucket does not exist (NoSuchBucket, 404).
	ErrBucketNotFound = errors.New("storage: bucket not found")
	// ErrBucketExists: the bucket already exists and is ours (BucketAlreadyOwnedByYou, 409).
	ErrBucketExists = errors.New("storage: bucket already exists")
	// ErrBucketNotEmpty: a delete found objects or uploads left (BucketNotEmpty, 409).
	ErrBucketNotEmpty = errors.New("storage: bucket not empty")
	// ErrInvalidBucketName: the name breaks S3's bucket naming rules (InvalidBucketName, 400).
	ErrInvalidBucketName = errors.New("storage: invalid bucket name")
	// ErrInvalidObjectName: the key is empty, too long or not UTF-8 (KeyTooLongError or InvalidArgument).
	ErrInvalidObjectName = errors.New("storage: invalid object name")
	// ErrObjectNotFound: no current version of the key (NoSuchKey, 404).
	ErrObjectNotFound = errors.New("storage: object not found")
	// ErrVersionNotFound: the requested version does not exist (NoSuchVersion, 404).
	ErrVersionNotFound = errors.New("storage: version not found")
	// ErrMethodNotAllowed: the version a read or update names is a delete
	// marker (MethodNotAllowed, 405).
	ErrMethodNotAllowed = errors.New("storage: version is a delete marker")
	// ErrUploadNotFound: the multipart upload ID is unknown (NoSuchUpload, 404).
	ErrUploadNotFound = errors.New("storage: multipart upload not found")
	// ErrInvalidPart: a part listed in Complete is missing or its ETag differs (InvalidPart, 400).
	ErrInvalidPart = errors.New("storage: invalid part")
	// ErrInvalidPartOrder: parts in Complete are not in ascending order (InvalidPartOrder, 400).
	ErrInvalidPartOrder = errors.New("storage: parts not in ascending order")
	// ErrPartTooSmall: a part other than the last is under MinPartSize (EntityTooSmall, 400).
	ErrPartTooSmall = errors.New("storage: part too small")
	// ErrPreconditionFailed: a conditional write's If-Match/If-None-Match failed (PreconditionFailed, 412).
	ErrPreconditionFailed = errors.New("storage: precondition failed")
	// ErrConflict: a concurrent operation on the same key won (ConditionalRequestConflict, 409).
	ErrConflict = errors.New("storage: conflicting concurrent operation")
	// ErrInvalidRange: the requested range lies outside the object (InvalidRange, 416).
	ErrInvalidRange = errors.New("storage: invalid range")
	// ErrStorageFull: no drive has room for the write (XHoardStorageFull, 507).
	ErrStorageFull = errors.New("storage: drives are full")
	// ErrReadQuorum: too few drives answered to read safely (SlowDownRead / 503).
	ErrReadQuorum = errors.New("storage: read quorum not reached")
	// ErrWriteQuorum: too few drives accepted the write (SlowDownWrite / 503).
	ErrWriteQuorum = errors.New("storage: write quorum not reached")
	// ErrCorrupt: data failed verification and could not be reconstructed (500).
	ErrCorrupt = errors.New("storage: data corrupt")
	// ErrChecksumMismatch marks a payload whose content disagreed with a digest
	// the client sent; the payload reader returns errors wrapping it.
	ErrChecksumMismatch = errors.New("storage: checksum mismatch")
	// ErrIncompleteBody marks a payload shorter than its declared size (IncompleteBody, 400).
	ErrIncompleteBody = errors.New("storage: incomplete body")
)

// DeleteMarkerError reports that a read met a delete marker: the current
// version of the key (it wraps ErrObjectNotFound) or the version the
// request named (it wraps ErrMethodNotAllowed). S3 answers both with the
// marker's version ID and x-amz-delete-marker.
type DeleteMarkerError struct {
	// VersionID is the marker's ID ("" for the null version).
	VersionID string
	ModTime   time.Time
	// Named says the request named the marker by its version ID.
	Named bool
}

// Error describes the marker met.
func (e *DeleteMarkerError) Error() string {
	if e.Named {
		return "storage: version " + e.VersionID + " is a delete marker"
	}
	return "storage: the current version is a delete marker"
}

// Unwrap makes errors.Is see ErrMethodNotAllowed or ErrObjectNotFound.
func (e *DeleteMarkerError) Unwrap() error {
	if e.Named {
		return ErrMethodNotAllowed
	}
	return ErrObjectNotFound
}

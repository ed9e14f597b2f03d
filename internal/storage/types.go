package storage

import (
	"io"
	"time"
)

// Limits that S3 defines and every engine enforces.
const (
	// MaxObjectSize is the largest object S3 accepts (5 TiB).
	MaxObjectSize = 5 << 40
	// MaxPutSize is the largest single PUT or part (5 GiB).
	MaxPutSize = 5 << 30
	// MinPartSize is the smallest part other than the last (5 MiB).
	MinPartSize = 5 << 20
	// MaxParts is the most parts a multipart upload may have.
	MaxParts = 10000
	// MaxKeyLength is the longest object key, in bytes of UTF-8.
	MaxKeyLength = 1024
)

// ChecksumAlgorithm names one of S3's additional checksums.
type ChecksumAlgorithm string

// The additional checksum algorithms S3 supports.
const (
	ChecksumNone      ChecksumAlgorithm = ""
	ChecksumCRC32     ChecksumAlgorithm = "CRC32"
	ChecksumCRC32C    ChecksumAlgorithm = "CRC32C"
	ChecksumCRC64NVME ChecksumAlgorithm = "CRC64NVME"
	ChecksumSHA1      ChecksumAlgorithm = "SHA1"
	ChecksumSHA256    ChecksumAlgorithm = "SHA256"
)

// ChecksumType says whether a checksum covers the whole object or is a
// checksum of the parts' checksums.
type ChecksumType string

// The checksum types S3 reports.
const (
	ChecksumFullObject ChecksumType = "FULL_OBJECT"
	ChecksumComposite  ChecksumType = "COMPOSITE"
)

// Checksum is an additional checksum as S3 reports it: the algorithm, its
// type, and the base64 value (composite values end in "-N", N parts).
type Checksum struct {
	Algorithm ChecksumAlgorithm
	Type      ChecksumType
	Value     string
}

// IsZero reports whether no checksum is set.
func (c Checksum) IsZero() bool { return c.Algorithm == ChecksumNone }

// Payload is the body of a write: a reader of exactly Size bytes that
// verifies what it reads. Engines read it until io.EOF; any other error
// (a digest mismatch, a short body, a broken connection) aborts the write and
// leaves nothing visible. ETag and Checksum are final once Read returned
// io.EOF.
type Payload interface {
	io.Reader
	// Size is the exact number of bytes the reader yields.
	Size() int64
	// ETag is the hex MD5 of the bytes read.
	ETag() string
	// Checksum is the additional checksum of the bytes read, if one was asked for.
	Checksum() Checksum
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
	// Configs holds the bucket's configuration documents by name (see
	// ConfigCORS), opaque to storage; nil when there are none.
	Configs map[string][]byte
}

// Names of bucket configuration documents.
const (
	// ConfigCORS is the CORS configuration (S3 XML).
	ConfigCORS = "cors"
	// ConfigPolicy is the bucket policy (JSON, as sent).
	ConfigPolicy = "policy"
	// ConfigTagging is the bucket's tag set (S3 XML, a Tagging document).
	ConfigTagging = "tagging"
	// ConfigVersioning is the versioning status, "Enabled" or
	// "Suspended"; absent while versioning was never enabled. The engine
	// reads it under the bucket's lock at every write and delete.
	ConfigVersioning = "versioning"
	// ConfigObjectLock is the bucket's object lock configuration (S3's
	// ObjectLockConfiguration XML, as normalised by the front end);
	// present only in buckets with object lock enabled.
	ConfigObjectLock = "object-lock"
	// ConfigACL is the bucket's access control list (the front end's
	// stored grant list); absent for a private bucket.
	ConfigACL = "acl"
	// ConfigOwnership is the bucket's object ownership setting, as the
	// front end stores it; absent for the default.
	ConfigOwnership = "ownership"
	// ConfigPublicAccessBlock is the bucket's public access block (S3
	// XML); absent when it has none.
	ConfigPublicAccessBlock = "public-access-block"
)

// The values of the ConfigVersioning document, as S3 spells them.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// ObjectLock is the object lock state of one version: its retention and
// legal hold, spelled as S3 spells them. Storage keeps it opaque; the
// front end decides what it allows.
type ObjectLock struct {
	// Mode is "GOVERNANCE", "COMPLIANCE" or "" (no retention).
	Mode string
	// RetainUntil is the end of the retention; zero without one.
	RetainUntil time.Time
	// LegalHold is "ON", "OFF" or "" (never set).
	LegalHold string
}

// IsZero reports whether no retention or legal hold was ever set.
func (o ObjectLock) IsZero() bool { return o == ObjectLock{} }

// ObjectPart describes one part of an object made by multipart upload.
type ObjectPart struct {
	Number   int
	Size     int64
	ETag     string
	Checksum Checksum
}

// ObjectInfo describes one version of an object.
type ObjectInfo struct {
	Bucket string
	Key    string
	// VersionID is empty for the unversioned ("null") version.
	VersionID    string
	IsLatest     bool
	DeleteMarker bool
	// Versioned says the bucket's versioning is enabled or suspended, so
	// S3 reports the null version's ID as "null" (set by writes and
	// deletes, and by reads of keys that hold more than a null version).
	Versioned bool
	Size      int64
	ModTime   time.Time
	// ETag is the entity tag without quotes: the hex MD5 for a single-part
	// object, "<md5 of part md5s>-N" for a multipart one.
	ETag string
	// Metadata holds the stored HTTP headers with lower-case names:
	// content-type, content-encoding, content-disposition, content-language,
	// cache-control, expires and every x-amz-meta-* user header.
	Metadata     map[string]string
	Tags         map[string]string
	StorageClass string
	Checksum     Checksum
	// Parts lists the parts of a multipart object; nil for a single PUT.
	Parts []ObjectPart
	// Lock is the version's retention and legal hold.
	Lock ObjectLock
}

// ObjectRef names one object version.
type ObjectRef struct {
	Key       string
	VersionID string
	// IfMatch, when set, deletes only if the version's ETag is this one
	// ("*": if it exists); otherwise ErrPreconditionFailed.
	IfMatch string
	// Guard, when set, is called under the object's lock with the version
	// a delete would remove (never for a delete marker it adds); an error
	// refuses that delete and is returned as the key's outcome.
	Guard func(ObjectInfo) error
}

// PutOptions carry what a write stores beside the data, and its conditions.
type PutOptions struct {
	Metadata     map[string]string
	Tags         map[string]string
	StorageClass string
	// IfNoneMatch "*" makes the write fail with ErrPreconditionFailed if the
	// key exists. IfMatch, when set, makes it fail unless the current
	// version's ETag equals it (quotes stripped). Both are checked atomically
	// with the commit.
	IfNoneMatch string
	IfMatch     string
	// ChecksumAlgorithm and ChecksumType are recorded on a multipart upload
	// so parts and Complete can be verified against them.
	ChecksumAlgorithm ChecksumAlgorithm
	ChecksumType      ChecksumType
	// Lock is the retention and legal hold the write asks for (recorded
	// on a multipart upload and given to the object at Complete).
	Lock ObjectLock
	// LockFor, when set, decides the new version's lock state at the
	// commit, under the bucket's lock: it gets the bucket's record and
	// Lock, and returns the state the version gets, or an error that
	// refuses the write (nothing is stored). The front end applies a
	// bucket's default retention with it, without another read.
	LockFor LockDecider
}

// LockDecider decides a new version's lock state from its bucket's record
// and the state the write asked for (see PutOptions.LockFor).
type LockDecider func(bucket BucketInfo, asked ObjectLock) (ObjectLock, error)

// GetOptions select which version to read.
type GetOptions struct {
	VersionID string
}

// Object is an open object version: its description, fixed at open, and
// its data. Data read through it belongs to that version even if the key is
// overwritten meanwhile. Close releases it.
type Object interface {
	Info() ObjectInfo
	// Reader returns length bytes starting at offset; the range must lie
	// within the object (callers resolve ranges against Info().Size first).
	Reader(offset, length int64) (io.ReadCloser, error)
	Close() error
}

// UpdateOptions change an object's metadata or tags in place, without
// rewriting its data. A nil map leaves that part unchanged.
type UpdateOptions struct {
	VersionID string
	Metadata  map[string]string
	// SetMetadata changes single metadata entries of the version, under
	// the object's lock, after Metadata: an empty value removes the entry,
	// others are left as they are.
	SetMetadata map[string]string
	Tags        map[string]string
	// Lock, when set, is called under the object's lock with the
	// version's lock state and returns the new one; an error refuses the
	// whole update and changes nothing.
	Lock func(ObjectInfo) (ObjectLock, error)
}

// DeleteOptions select which version to delete.
type DeleteOptions struct {
	VersionID string
	// IfMatch, when set, deletes only if the version's ETag is this one
	// ("*": if it exists): otherwise ErrPreconditionFailed, and
	// ErrObjectNotFound for a missing object. It is checked under the
	// object's lock, so no write can slip between the check and the delete.
	IfMatch string
	// Guard, when set, is called under the object's lock with the version
	// the delete would remove (never when it adds a delete marker); an
	// error refuses the delete, changes nothing and is returned.
	Guard func(ObjectInfo) error
}

// DeleteResult reports the outcome of one key of a batch delete.
type DeleteResult struct {
	Ref ObjectRef
	Err error
	// Info describes what the delete did when Err is nil: the version
	// removed, or the delete marker it added (Info.DeleteMarker).
	Info ObjectInfo
}

// ListOptions select a page of a bucket listing.
type ListOptions struct {
	Prefix    string
	Delimiter string
	// Marker is exclusive: the page starts after it.
	Marker  string
	MaxKeys int
}

// ListResult is a page of a bucket listing, in byte order of UTF-8 keys,
// with keys under a delimiter rolled up into CommonPrefixes.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextMarker is the last key or common prefix in the page, to pass as
	// Marker for the next page when IsTruncated.
	NextMarker string
}

// ListVersionsOptions select a page of a version listing.
type ListVersionsOptions struct {
	Prefix    string
	Delimiter string
	// KeyMarker and VersionIDMarker are exclusive: the page starts after
	// that version of that key ("null" names the null version), or after
	// every version of KeyMarker when VersionIDMarker is empty.
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int
}

// ListVersionsResult is a page of versions and delete markers, by key in
// byte order and, within a key, newest first.
type ListVersionsResult struct {
	// Versions holds versions and delete markers (DeleteMarker set); the
	// newest version of each key has IsLatest set.
	Versions       []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextKeyMarker and NextVersionIDMarker name the last version or
	// common prefix of the page, to pass as markers for the next page.
	NextKeyMarker       string
	NextVersionIDMarker string
}

// MultipartUpload describes an upload in progress.
type MultipartUpload struct {
	Bucket            string
	Key               string
	UploadID          string
	Initiated         time.Time
	StorageClass      string
	ChecksumAlgorithm ChecksumAlgorithm
	ChecksumType      ChecksumType
	// Lock is the retention and legal hold the object gets at Complete.
	Lock ObjectLock
}

// PartInfo describes an uploaded part.
type PartInfo struct {
	Number   int
	Size     int64
	ETag     string
	ModTime  time.Time
	Checksum Checksum
}

// CompletePart is one entry of a CompleteMultipartUpload request.
type CompletePart struct {
	Number int
	ETag   string
	// Checksum, when set, must equal the part's stored checksum.
	Checksum Checksum
}

// CompleteOptions carry the conditions of a Complete request.
type CompleteOptions struct {
	IfNoneMatch string
	IfMatch     string
	// Checksum, when set, is the whole upload's checksum the client expects.
	Checksum Checksum
	// LockFor, when set, decides the object's lock state from the bucket's
	// record and the upload's asked state, as PutOptions.LockFor does.
	LockFor LockDecider
}

// ListPartsOptions select a page of parts.
type ListPartsOptions struct {
	PartNumberMarker int
	MaxParts         int
}

// ListPartsResult is a page of parts of one upload.
type ListPartsResult struct {
	Upload               MultipartUpload
	Parts                []PartInfo
	IsTruncated          bool
	NextPartNumberMarker int
}

// ListUploadsOptions select a page of multipart uploads.
type ListUploadsOptions struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// ListUploadsResult is a page of uploads, ordered by key then initiation.
type ListUploadsResult struct {
	Uploads            []MultipartUpload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// DriveInfo describes one drive as the engine sees it.
type DriveInfo struct {
	Endpoint string `json:"endpoint"`
	// State is "online", "offline", "healing" or "corrupt".
	State string `json:"state"`
	// Reason says why a drive is not online (empty when it is).
	Reason string `json:"reason,omitempty"`
	// Since is when the drive entered its state, when known.
	Since      time.Time `json:"since,omitzero"`
	TotalBytes uint64    `json:"totalBytes"`
	FreeBytes  uint64    `json:"freeBytes"`
	UsedBytes  uint64    `json:"usedBytes"`
}

// BucketUsage is the logical size of one bucket.
type BucketUsage struct {
	Name    string `json:"name"`
	Objects uint64 `json:"objects"`
	Bytes   uint64 `json:"bytes"`
}

// StorageInfo summarises capacity: raw across drives and usable after parity.
type StorageInfo struct {
	Drives      []DriveInfo
	RawBytes    uint64
	RawFree     uint64
	UsableBytes uint64
	UsableFree  uint64
	// DataShards and ParityShards give the default layout of an erasure set.
	DataShards   int
	ParityShards int
}

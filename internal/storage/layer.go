package storage

import (
	"context"
	"time"
)

// ObjectLayer is what the S3 front end needs from storage. Every method is
// safe for concurrent use; every write is durable (fsynced) before it
// returns nil, and a failed or interrupted write leaves nothing visible.
type ObjectLayer interface {
	BucketStore
	ObjectStore
	MultipartStore

	// StorageInfo reports drives and capacity.
	StorageInfo(ctx context.Context) (StorageInfo, error)
	// Close flushes and releases the drives.
	Close() error
}

// BucketStore manages buckets.
type BucketStore interface {
	MakeBucket(ctx context.Context, bucket string) error
	// MakeBucketWithConfigs creates a bucket whose record holds configs
	// (see SetBucketConfig) from the start, in one atomic write.
	MakeBucketWithConfigs(ctx context.Context, bucket string, configs map[string][]byte) error
	GetBucketInfo(ctx context.Context, bucket string) (BucketInfo, error)
	// ListBuckets returns every bucket in name order.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// DeleteBucket removes a bucket without objects, aborting its
	// unfinished multipart uploads (ErrBucketNotEmpty when it holds an
	// object version or delete marker); with force it first removes every
	// object too.
	DeleteBucket(ctx context.Context, bucket string, force bool) error
	// BucketUsage counts the objects and bytes of one bucket.
	BucketUsage(ctx context.Context, bucket string) (BucketUsage, error)
	// SetBucketConfig stores the configuration document name of a bucket,
	// replacing any earlier one; a nil doc removes it. GetBucketInfo
	// returns the documents in BucketInfo.Configs.
	SetBucketConfig(ctx context.Context, bucket, name string, doc []byte) error
	// UpdateBucketConfigs changes a bucket's configuration documents under
	// the bucket's lock: change gets a copy of the current ones and returns
	// the new set, or an error that leaves them unchanged and is returned.
	UpdateBucketConfigs(ctx context.Context, bucket string, change func(configs map[string][]byte) (map[string][]byte, error)) error
}

// ObjectStore reads and writes objects.
type ObjectStore interface {
	// PutObject stores data under key, replacing the current version.
	PutObject(ctx context.Context, bucket, key string, data Payload, opts PutOptions) (ObjectInfo, error)
	// OpenObject opens a version for reading; the caller must Close it.
	OpenObject(ctx context.Context, bucket, key string, opts GetOptions) (Object, error)
	// StatObject describes a version without opening its data.
	StatObject(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, error)
	// UpdateObject replaces metadata and/or tags of a version in place.
	UpdateObject(ctx context.Context, bucket, key string, opts UpdateOptions) (ObjectInfo, error)
	// DeleteObject removes the version opts names or, when it names none,
	// the null version of an unversioned bucket (a missing key returns
	// ErrObjectNotFound); in a versioned or suspended bucket a delete
	// naming no version adds a delete marker, which it returns.
	DeleteObject(ctx context.Context, bucket, key string, opts DeleteOptions) (ObjectInfo, error)
	// DeleteObjects removes many keys, reporting each outcome in order.
	DeleteObjects(ctx context.Context, bucket string, refs []ObjectRef) []DeleteResult
	// ListObjects returns one page of a bucket listing: keys whose current
	// version is a delete marker are left out.
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
	// ListObjectVersions returns one page of every version and delete
	// marker of a bucket.
	ListObjectVersions(ctx context.Context, bucket string, opts ListVersionsOptions) (ListVersionsResult, error)
}

// MultipartStore runs multipart uploads.
type MultipartStore interface {
	NewMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (MultipartUpload, error)
	// GetMultipartUpload describes an upload in progress.
	GetMultipartUpload(ctx context.Context, bucket, key, uploadID string) (MultipartUpload, error)
	// PutObjectPart stores one part, replacing any earlier part with its number.
	PutObjectPart(ctx context.Context, bucket, key, uploadID string, partNumber int, data Payload) (PartInfo, error)
	ListParts(ctx context.Context, bucket, key, uploadID string, opts ListPartsOptions) (ListPartsResult, error)
	// CompleteMultipartUpload assembles the listed parts into the object,
	// without copying their data, and ends the upload. Repeated with the
	// same parts soon after, it returns the first answer again.
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletePart, opts CompleteOptions) (ObjectInfo, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	ListMultipartUploads(ctx context.Context, bucket string, opts ListUploadsOptions) (ListUploadsResult, error)
	// CleanupStaleUploads aborts every upload initiated before cutoff (none
	// for a zero cutoff) and returns how many it removed; it also forgets
	// uploads completed long enough ago that a repeated
	// CompleteMultipartUpload no longer gets the first answer.
	CleanupStaleUploads(ctx context.Context, cutoff time.Time) (int, error)
}

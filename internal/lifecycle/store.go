package lifecycle

import (
	"context"

	"github.com/hoardstore/hoard/internal/storage"
)

// Store is what the Worker needs from the object layer. The server backs
// it with the erasure engine; every deletion goes through DeleteObject,
// the path S3 clients use, so whatever protects a version from a client
// (object lock, a concurrent writer's lock) protects it from lifecycle.
type Store interface {
	// ListBuckets returns every bucket with its configuration documents.
	ListBuckets(ctx context.Context) ([]storage.BucketInfo, error)
	// Sets is the number of erasure sets: the units of work the nodes of
	// a cluster share.
	Sets() int
	// ListSetVersions is ListObjectVersions restricted to the keys that
	// erasure set set holds.
	ListSetVersions(ctx context.Context, set int, bucket string, opts storage.ListVersionsOptions) (storage.ListVersionsResult, error)
	// EachSetUpload calls fn for every multipart upload of bucket that
	// erasure set set holds.
	EachSetUpload(ctx context.Context, set int, bucket string, fn func(storage.MultipartUpload) error) error
	// StatObject describes a version (its tags, for tag filters).
	StatObject(ctx context.Context, bucket, key string, opts storage.GetOptions) (storage.ObjectInfo, error)
	// DeleteObject deletes a version, or the key when opts names none.
	DeleteObject(ctx context.Context, bucket, key string, opts storage.DeleteOptions) (storage.ObjectInfo, error)
	// AbortMultipartUpload aborts an upload.
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
}

// ConfigName is the name of the bucket configuration document that holds
// a bucket's lifecycle configuration (see storage.BucketStore.SetBucketConfig).
const ConfigName = "lifecycle"

// nullVersionID is how S3 names the version whose ID is empty.
const nullVersionID = "null"

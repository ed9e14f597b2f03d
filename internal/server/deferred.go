package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// deferredLayer stands in for the object layer of a cluster node until the
// cluster has formed: every call fails with a quorum error (503 SlowDown
// to S3 clients) until set hands it the real layer, then it delegates.
type deferredLayer struct {
	l atomic.Pointer[storage.ObjectLayer]
}

var _ storage.ObjectLayer = (*deferredLayer)(nil)

func (d *deferredLayer) set(l storage.ObjectLayer) { d.l.Store(&l) }

// ready reports whether the real layer is set.
func (d *deferredLayer) ready() bool { return d.l.Load() != nil }

var (
	errStartingRead  = fmt.Errorf("server: this node is waiting for the cluster to form: %w", storage.ErrReadQuorum)
	errStartingWrite = fmt.Errorf("server: this node is waiting for the cluster to form: %w", storage.ErrWriteQuorum)
)

// get returns the real layer or nil.
func (d *deferredLayer) get() storage.ObjectLayer {
	if p := d.l.Load(); p != nil {
		return *p
	}
	return nil
}

func (d *deferredLayer) MakeBucket(ctx context.Context, bucket string) error {
	if l := d.get(); l != nil {
		return l.MakeBucket(ctx, bucket)
	}
	return errStartingWrite
}

func (d *deferredLayer) MakeBucketWithConfigs(ctx context.Context, bucket string, configs map[string][]byte) error {
	if l := d.get(); l != nil {
		return l.MakeBucketWithConfigs(ctx, bucket, configs)
	}
	return errStartingWrite
}

func (d *deferredLayer) UpdateBucketConfigs(ctx context.Context, bucket string, change func(map[string][]byte) (map[string][]byte, error)) error {
	if l := d.get(); l != nil {
		return l.UpdateBucketConfigs(ctx, bucket, change)
	}
	return errStartingWrite
}

func (d *deferredLayer) GetBucketInfo(ctx context.Context, bucket string) (storage.BucketInfo, error) {
	if l := d.get(); l != nil {
		return l.GetBucketInfo(ctx, bucket)
	}
	return storage.BucketInfo{}, errStartingRead
}

func (d *deferredLayer) ListBuckets(ctx context.Context) ([]storage.BucketInfo, error) {
	if l := d.get(); l != nil {
		return l.ListBuckets(ctx)
	}
	return nil, errStartingRead
}

func (d *deferredLayer) DeleteBucket(ctx context.Context, bucket string, force bool) error {
	if l := d.get(); l != nil {
		return l.DeleteBucket(ctx, bucket, force)
	}
	return errStartingWrite
}

func (d *deferredLayer) BucketUsage(ctx context.Context, bucket string) (storage.BucketUsage, error) {
	if l := d.get(); l != nil {
		return l.BucketUsage(ctx, bucket)
	}
	return storage.BucketUsage{}, errStartingRead
}

func (d *deferredLayer) SetBucketConfig(ctx context.Context, bucket, name string, doc []byte) error {
	if l := d.get(); l != nil {
		return l.SetBucketConfig(ctx, bucket, name, doc)
	}
	return errStartingWrite
}

func (d *deferredLayer) PutObject(ctx context.Context, bucket, key string, data storage.Payload, opts storage.PutOptions) (storage.ObjectInfo, error) {
	if l := d.get(); l != nil {
		return l.PutObject(ctx, bucket, key, data, opts)
	}
	return storage.ObjectInfo{}, errStartingWrite
}

func (d *deferredLayer) OpenObject(ctx context.Context, bucket, key string, opts storage.GetOptions) (storage.Object, error) {
	if l := d.get(); l != nil {
		return l.OpenObject(ctx, bucket, key, opts)
	}
	return nil, errStartingRead
}

func (d *deferredLayer) StatObject(ctx context.Context, bucket, key string, opts storage.GetOptions) (storage.ObjectInfo, error) {
	if l := d.get(); l != nil {
		return l.StatObject(ctx, bucket, key, opts)
	}
	return storage.ObjectInfo{}, errStartingRead
}

func (d *deferredLayer) UpdateObject(ctx context.Context, bucket, key string, opts storage.UpdateOptions) (storage.ObjectInfo, error) {
	if l := d.get(); l != nil {
		return l.UpdateObject(ctx, bucket, key, opts)
	}
	return storage.ObjectInfo{}, errStartingWrite
}

func (d *deferredLayer) DeleteObject(ctx context.Context, bucket, key string, opts storage.DeleteOptions) (storage.ObjectInfo, error) {
	if l := d.get(); l != nil {
		return l.DeleteObject(ctx, bucket, key, opts)
	}
	return storage.ObjectInfo{}, errStartingWrite
}

func (d *deferredLayer) DeleteObjects(ctx context.Context, bucket string, refs []storage.ObjectRef) []storage.DeleteResult {
	if l := d.get(); l != nil {
		return l.DeleteObjects(ctx, bucket, refs)
	}
	out := make([]storage.DeleteResult, len(refs))
	for i, r := range refs {
		out[i] = storage.DeleteResult{Ref: r, Err: errStartingWrite}
	}
	return out
}

func (d *deferredLayer) ListObjects(ctx context.Context, bucket string, opts storage.ListOptions) (storage.ListResult, error) {
	if l := d.get(); l != nil {
		return l.ListObjects(ctx, bucket, opts)
	}
	return storage.ListResult{}, errStartingRead
}

func (d *deferredLayer) ListObjectVersions(ctx context.Context, bucket string, opts storage.ListVersionsOptions) (storage.ListVersionsResult, error) {
	if l := d.get(); l != nil {
		return l.ListObjectVersions(ctx, bucket, opts)
	}
	return storage.ListVersionsResult{}, errStartingRead
}

func (d *deferredLayer) NewMultipartUpload(ctx context.Context, bucket, key string, opts storage.PutOptions) (storage.MultipartUpload, error) {
	if l := d.get(); l != nil {
		return l.NewMultipartUpload(ctx, bucket, key, opts)
	}
	return storage.MultipartUpload{}, errStartingWrite
}

func (d *deferredLayer) GetMultipartUpload(ctx context.Context, bucket, key, uploadID string) (storage.MultipartUpload, error) {
	if l := d.get(); l != nil {
		return l.GetMultipartUpload(ctx, bucket, key, uploadID)
	}
	return storage.MultipartUpload{}, errStartingRead
}

func (d *deferredLayer) PutObjectPart(ctx context.Context, bucket, key, uploadID string, partNumber int, data storage.Payload) (storage.PartInfo, error) {
	if l := d.get(); l != nil {
		return l.PutObjectPart(ctx, bucket, key, uploadID, partNumber, data)
	}
	return storage.PartInfo{}, errStartingWrite
}

func (d *deferredLayer) ListParts(ctx context.Context, bucket, key, uploadID string, opts storage.ListPartsOptions) (storage.ListPartsResult, error) {
	if l := d.get(); l != nil {
		return l.ListParts(ctx, bucket, key, uploadID, opts)
	}
	return storage.ListPartsResult{}, errStartingRead
}

func (d *deferredLayer) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []storage.CompletePart, opts storage.CompleteOptions) (storage.ObjectInfo, error) {
	if l := d.get(); l != nil {
		return l.CompleteMultipartUpload(ctx, bucket, key, uploadID, parts, opts)
	}
	return storage.ObjectInfo{}, errStartingWrite
}

func (d *deferredLayer) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if l := d.get(); l != nil {
		return l.AbortMultipartUpload(ctx, bucket, key, uploadID)
	}
	return errStartingWrite
}

func (d *deferredLayer) ListMultipartUploads(ctx context.Context, bucket string, opts storage.ListUploadsOptions) (storage.ListUploadsResult, error) {
	if l := d.get(); l != nil {
		return l.ListMultipartUploads(ctx, bucket, opts)
	}
	return storage.ListUploadsResult{}, errStartingRead
}

func (d *deferredLayer) CleanupStaleUploads(ctx context.Context, cutoff time.Time) (int, error) {
	if l := d.get(); l != nil {
		return l.CleanupStaleUploads(ctx, cutoff)
	}
	return 0, errStartingWrite
}

func (d *deferredLayer) StorageInfo(ctx context.Context) (storage.StorageInfo, error) {
	if l := d.get(); l != nil {
		return l.StorageInfo(ctx)
	}
	return storage.StorageInfo{}, errStartingRead
}

// Close closes the real layer, if it was set.
func (d *deferredLayer) Close() error {
	if l := d.get(); l != nil {
		return l.Close()
	}
	return nil
}

package objectlock

import (
	"context"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// Enforce wraps an object layer so that object lock binds every caller,
// not only the S3 front end: a delete of a version whose caller set no
// guard of its own is checked with CheckDelete without bypass (so a
// background worker, such as lifecycle expiration, can never remove a
// locked version), and a forced bucket deletion is refused for a bucket
// with object lock. Callers that may bypass GOVERNANCE retention (the S3
// front end, for a principal allowed to) set their own guard. now is the
// clock; nil means time.Now.
func Enforce(l storage.ObjectLayer, now func() time.Time) storage.ObjectLayer {
	if now == nil {
		now = time.Now
	}
	return &enforced{ObjectLayer: l, now: now}
}

// enforced is the layer Enforce returns.
type enforced struct {
	storage.ObjectLayer
	now func() time.Time
}

// guard is the check of a caller that set none.
func (e *enforced) guard(info storage.ObjectInfo) error {
	return CheckDelete(info.Lock, false, e.now())
}

// DeleteObject deletes as the wrapped layer does, under the default guard
// when opts has none.
func (e *enforced) DeleteObject(ctx context.Context, bucket, key string, opts storage.DeleteOptions) (storage.ObjectInfo, error) {
	if opts.Guard == nil {
		opts.Guard = e.guard
	}
	return e.ObjectLayer.DeleteObject(ctx, bucket, key, opts)
}

// DeleteObjects deletes as the wrapped layer does, under the default guard
// for every reference that has none.
func (e *enforced) DeleteObjects(ctx context.Context, bucket string, refs []storage.ObjectRef) []storage.DeleteResult {
	guarded := make([]storage.ObjectRef, len(refs))
	for i, r := range refs {
		if r.Guard == nil {
			r.Guard = e.guard
		}
		guarded[i] = r
	}
	out := e.ObjectLayer.DeleteObjects(ctx, bucket, guarded)
	for i := range out {
		if i < len(refs) {
			out[i].Ref = refs[i]
		}
	}
	return out
}

// DeleteBucket refuses to force the deletion of a bucket with object lock,
// which would remove its versions without asking their locks.
func (e *enforced) DeleteBucket(ctx context.Context, bucket string, force bool) error {
	if force {
		info, err := e.ObjectLayer.GetBucketInfo(ctx, bucket)
		if err != nil {
			return err
		}
		if _, locked := info.Configs[storage.ConfigObjectLock]; locked {
			return fmt.Errorf("objectlock: bucket %q has object lock; empty it version by version: %w", bucket, ErrLocked)
		}
	}
	return e.ObjectLayer.DeleteBucket(ctx, bucket, force)
}

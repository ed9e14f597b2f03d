package objectlock

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// recorder is an object layer that runs the guards it is given against
// one locked version and records what it was asked.
type recorder struct {
	storage.ObjectLayer
	version storage.ObjectInfo
	forced  bool
}

func (r *recorder) DeleteObject(_ context.Context, _, _ string, opts storage.DeleteOptions) (storage.ObjectInfo, error) {
	if opts.Guard == nil {
		return r.version, nil
	}
	return r.version, opts.Guard(r.version)
}

func (r *recorder) DeleteObjects(_ context.Context, _ string, refs []storage.ObjectRef) []storage.DeleteResult {
	out := make([]storage.DeleteResult, len(refs))
	for i, ref := range refs {
		out[i].Ref = ref
		if ref.Guard != nil {
			out[i].Err = ref.Guard(r.version)
		}
	}
	return out
}

func (r *recorder) GetBucketInfo(_ context.Context, bucket string) (storage.BucketInfo, error) {
	return storage.BucketInfo{Name: bucket, Configs: map[string][]byte{storage.ConfigObjectLock: Config{}.Marshal()}}, nil
}

func (r *recorder) DeleteBucket(context.Context, string, bool) error { r.forced = true; return nil }

func TestEnforce(t *testing.T) {
	rec := &recorder{version: storage.ObjectInfo{Lock: storage.ObjectLock{Mode: Governance, RetainUntil: future}}}
	l := Enforce(rec, func() time.Time { return now })
	ctx := context.Background()
	if _, err := l.DeleteObject(ctx, "b", "k", storage.DeleteOptions{VersionID: "v"}); !IsLocked(err) {
		t.Errorf("unguarded delete of a locked version: got %v, want ErrLocked", err)
	}
	allow := func(storage.ObjectInfo) error { return nil }
	if _, err := l.DeleteObject(ctx, "b", "k", storage.DeleteOptions{VersionID: "v", Guard: allow}); err != nil {
		t.Errorf("a caller's own guard: got %v, want it to decide", err)
	}
	res := l.DeleteObjects(ctx, "b", []storage.ObjectRef{{Key: "a"}, {Key: "b", Guard: allow}})
	if !IsLocked(res[0].Err) || res[1].Err != nil || res[0].Ref.Guard != nil {
		t.Errorf("batch: got %v, %v (ref guard kept %v); want locked, allowed, refs as given", res[0].Err, res[1].Err, res[0].Ref.Guard != nil)
	}
	if err := l.DeleteBucket(ctx, "b", true); !errors.Is(err, ErrLocked) || rec.forced {
		t.Errorf("forced delete of a locked bucket: got %v (reached the layer: %v)", err, rec.forced)
	}
	if err := l.DeleteBucket(ctx, "b", false); err != nil || !rec.forced {
		t.Errorf("plain bucket delete: got %v", err)
	}
}

package erasure

import (
	"context"
	"io"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/meta"
)

// The engine's heal entry points: every repair path (decisions, shard
// rebuilds, records, buckets, uploads) lives in internal/heal/repair,
// which works on the view of the engine below.

// HealObject heals one object deeply: it reads the record from every
// drive of its set, decides which one is authoritative, verifies every
// shard (or inline blob) block by block, rebuilds what is missing, stale
// or corrupt from the good shards with Reed-Solomon, and commits it to the
// damaged drives through the normal durable path under the key's lock.
// Copies of an object deleted on a quorum, and dangling objects, are
// removed.
func (l *Layer) HealObject(ctx context.Context, bucket, key string) (repair.Result, error) {
	return l.HealObjectWith(ctx, bucket, key, repair.Options{Deep: true})
}

// HealObjectWith is HealObject with options.
func (l *Layer) HealObjectWith(ctx context.Context, bucket, key string, opts repair.Options) (repair.Result, error) {
	if err := checkObject(bucket, key); err != nil {
		return repair.Result{Bucket: bucket, Key: key}, err
	}
	return l.repair.Object(ctx, bucket, key, opts)
}

// HealBucket heals a bucket's record on every drive and every multipart
// upload of the bucket with its parts (repair.Repairer.Bucket).
func (l *Layer) HealBucket(ctx context.Context, bucket string) (repair.BucketResult, error) {
	return l.repair.Bucket(ctx, bucket)
}

// HealKeys returns a page of the keys of a bucket that any drive holds (a
// union over the drives, so stray copies of deleted objects are reached
// too), in order, and whether more follow.
func (l *Layer) HealKeys(ctx context.Context, o repair.Walk) ([]string, bool, error) {
	return l.repair.Keys(ctx, o)
}

// HealBuckets returns the name of every bucket any drive holds a record
// of, so a heal reaches buckets a minority still holds after a delete.
func (l *Layer) HealBuckets(ctx context.Context) ([]string, error) {
	return l.repair.Buckets(ctx)
}

// repairView is the engine as repair sees it.
type repairView struct{ l *Layer }

var _ repair.Engine = repairView{}

func (v repairView) Sets() []repair.Set {
	out := make([]repair.Set, len(v.l.sets))
	for i, s := range v.l.sets {
		out[i] = repairSet{l: v.l, s: s}
	}
	return out
}

func (v repairView) SetFor(bucket, key string) repair.Set {
	return repairSet{l: v.l, s: v.l.setFor(bucket, key)}
}

func (v repairView) LockObject(ctx context.Context, bucket, key string) (func(), error) {
	return v.lockUnder(ctx, bucket, objectLock(bucket, key))
}

func (v repairView) LockUpload(ctx context.Context, bucket, id string) (func(), error) {
	return v.lockUnder(ctx, bucket, uploadLock(id))
}

// lockUnder takes bucket's lock shared and resource's exclusively.
func (v repairView) lockUnder(ctx context.Context, bucket, resource string) (func(), error) {
	unlockB, err := v.l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return nil, err
	}
	unlock, err := v.l.locker.Lock(ctx, resource)
	if err != nil {
		unlockB()
		return nil, err
	}
	return func() {
		unlock()
		unlockB()
	}, nil
}

func (v repairView) LockBucket(ctx context.Context, bucket string) (func(), error) {
	return v.l.locker.Lock(ctx, bucketLock(bucket))
}

func (v repairView) Pin(dir meta.DataDir)   { v.l.pins.pin(dir) }
func (v repairView) Unpin(dir meta.DataDir) { v.l.pins.unpin(dir) }

func (v repairView) RemoveDirs(ctx context.Context, dirs map[meta.DataDir][]drive.Drive) {
	v.l.removeDirs(ctx, dirs)
}

// repairSet is one erasure set as repair sees it.
type repairSet struct {
	l *Layer
	s *set
}

func (r repairSet) Drives() []drive.Drive { return r.s.drives }
func (r repairSet) ReadQuorum() int       { return r.s.readQuorum() }
func (r repairSet) Stale() []bool         { return r.s.staleMask() }

func (r repairSet) ReadRecord(ctx context.Context, bucket, key string) (*meta.Record, error) {
	return r.s.readRecord(ctx, bucket, key)
}

func (r repairSet) Codec(e meta.Erasure) (repair.Codec, error) {
	c, err := r.l.codecFor(e)
	if err != nil {
		return nil, err
	}
	return repairCodec{c}, nil
}

// repairCodec gives repair the codec's shard-stream primitives.
type repairCodec struct{ c *codec }

func (r repairCodec) Data() int                      { return r.c.data }
func (r repairCodec) Shards() int                    { return r.c.shards() }
func (r repairCodec) ShardFileSize(size int64) int64 { return r.c.shardFileSize(size) }

func (r repairCodec) VerifyFrames(ctx context.Context, rd io.Reader, size int64, t repair.Throttle) error {
	return r.c.verifyFrames(ctx, rd, size, throttleFunc(t))
}

func (r repairCodec) RebuildStream(ctx context.Context, size int64, srcs []repair.ShardSource, order []int, sinks []io.Writer, t repair.Throttle) ([]error, error) {
	in := make([]shardSource, len(srcs))
	for i, s := range srcs {
		in[i] = shardSource(s)
	}
	return r.c.rebuildStream(ctx, size, in, order, sinks, throttleFunc(t))
}

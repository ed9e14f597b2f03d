package repair

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// Engine is what repair needs from the storage engine, which implements
// it (internal/erasure): its erasure sets, and the locks and data
// directory pins its writers share, so a repair and a write never
// interleave and a repair never loses a reader's data.
type Engine interface {
	// Sets lists the erasure sets in order: a set's index is its number.
	Sets() []Set
	// SetFor returns the set that holds bucket/key.
	SetFor(bucket, key string) Set
	// LockObject takes bucket's lock shared and key's exclusively, as
	// writers of the key do; the returned func releases both.
	LockObject(ctx context.Context, bucket, key string) (unlock func(), err error)
	// LockBucket takes bucket's lock exclusively.
	LockBucket(ctx context.Context, bucket string) (unlock func(), err error)
	// LockUpload takes bucket's lock shared and the upload's exclusively.
	LockUpload(ctx context.Context, bucket, uploadID string) (unlock func(), err error)
	// Pin keeps a data directory from being removed until Unpin.
	Pin(dir meta.DataDir)
	// Unpin releases a Pin.
	Unpin(dir meta.DataDir)
	// RemoveDirs removes data directories from the drives listed for
	// each, once no reader holds them.
	RemoveDirs(ctx context.Context, dirs map[meta.DataDir][]drive.Drive)
}

// Set is one erasure set of the engine.
type Set interface {
	// Drives lists the set's drives by position.
	Drives() []drive.Drive
	// ReadQuorum is how many drives must agree on a record.
	ReadQuorum() int
	// Stale says, by position, which drives are stale (being rebuilt
	// after missing writes): they do not vote. Nil if none is.
	Stale() []bool
	// Codec returns the coder of a stored erasure layout.
	Codec(e meta.Erasure) (Codec, error)
	// ReadRecord reads the object record a read quorum of the set agrees
	// on; drive.ErrNotFound if a quorum holds none.
	ReadRecord(ctx context.Context, bucket, key string) (*meta.Record, error)
}

// Codec holds the shard-stream primitives of one erasure layout: every
// shard file is a sequence of frames [bitrot hash][shard block].
type Codec interface {
	// Data is the number of data shards; Shards the number of all shards.
	Data() int
	Shards() int
	// ShardFileSize is the size of one framed shard of a stream of size bytes.
	ShardFileSize(size int64) int64
	// VerifyFrames reads one framed shard of a stream of size bytes from r
	// and checks every frame's bitrot hash; it fails on a mismatch
	// (storage.ErrCorrupt) or a short read.
	VerifyFrames(ctx context.Context, r io.Reader, size int64, throttle Throttle) error
	// RebuildStream reconstructs, block by block, the shards of a stream
	// of size bytes for every shard index that has a sink, from srcs (by
	// shard index, nil when unavailable) read in the given order. It
	// reports a failing sink in the returned slice, and an error when a
	// block cannot be reconstructed.
	RebuildStream(ctx context.Context, size int64, srcs []ShardSource, order []int, sinks []io.Writer, throttle Throttle) ([]error, error)
}

// ShardSource opens the framed shard stream of one shard number at a byte
// offset.
type ShardSource func(offset, length int64) (io.ReadCloser, error)

// Throttle paces repair reads: it is called with the size of each frame
// before it is read and may sleep; an error stops the repair.
type Throttle func(ctx context.Context, n int64) error

// Repairer heals the objects, buckets and multipart uploads of one engine.
type Repairer struct {
	e   Engine
	log *slog.Logger
}

// New returns a Repairer over e; log receives what cannot be reported to
// the caller (a drive that refused a write), nil discards it.
func New(e Engine, log *slog.Logger) *Repairer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Repairer{e: e, log: log}
}

// Bounds of walks over a range of names.
const (
	// pageSize is the number of names asked from a drive at once.
	pageSize = 1000
	// maxPages bounds every walk over a range.
	maxPages = 1 << 30
)

// each runs fn for every drive, in parallel when there are several, and
// returns the per-drive errors in drive order.
func each(drives []drive.Drive, fn func(pos int, d drive.Drive) error) []error {
	errs := make([]error, len(drives))
	if len(drives) == 1 {
		errs[0] = fn(0, drives[0])
		return errs
	}
	var wg sync.WaitGroup
	for i, d := range drives {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, d)
		}()
	}
	wg.Wait()
	return errs
}

// readAll reads one record from every drive of s, by drive position.
func readAll(ctx context.Context, s Set, ns drive.Namespace, key string) ([][]byte, []error) {
	drives := s.Drives()
	vals := make([][]byte, len(drives))
	errs := each(drives, func(pos int, d drive.Drive) error {
		v, err := d.Get(ctx, ns, key)
		vals[pos] = v
		return err
	})
	return vals, errs
}

package drive

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// Errors a Drive returns; test them with errors.Is.
var (
	// ErrNotFound marks a missing record, shard file or bucket record.
	ErrNotFound = errors.New("drive: not found")
	// ErrExists marks a bucket record that already exists.
	ErrExists = errors.New("drive: already exists")
	// ErrUnformatted marks a drive without a format file.
	ErrUnformatted = errors.New("drive: unformatted")
	// ErrFull marks a write refused for lack of space; it wraps storage.ErrStorageFull.
	ErrFull = fmt.Errorf("drive: no space left: %w", storage.ErrStorageFull)
	// ErrInvalidArgument marks a malformed request (bad stage or shard name).
	ErrInvalidArgument = errors.New("drive: invalid argument")
	// ErrClosed marks a call on a closed drive.
	ErrClosed = errors.New("drive: closed")
	// ErrRecordChanged marks a push (Mutation.Push) refused because the
	// drive's record is no longer what the caller read; none of the
	// batch's records was written.
	ErrRecordChanged = errors.New("drive: record changed since it was read")
)

// Namespace selects one keyspace of the metadata store.
type Namespace byte

// The metadata namespaces. Keys inside each are built by the helpers in
// keys.go so that byte order of keys is listing order.
const (
	// NSBucket holds bucket records keyed by bucket name.
	NSBucket Namespace = 'b'
	// NSObject holds object records keyed by ObjectKey(bucket, key).
	NSObject Namespace = 'o'
	// NSUpload holds multipart upload records keyed by UploadKey(bucket, key, id).
	NSUpload Namespace = 'u'
	// NSPart holds part records keyed by PartKey(uploadID, number).
	NSPart Namespace = 'p'
	// NSInline holds inline shard data keyed by InlineKey(dataDir).
	NSInline Namespace = 'i'
	// NSCompleted holds the traces completed multipart uploads leave for
	// a while (meta.Completion), keyed by UploadKey(bucket, key, id).
	NSCompleted Namespace = 'c'
)

// Mutation sets or deletes one metadata record.
type Mutation struct {
	NS     Namespace
	Key    string
	Value  []byte
	Delete bool
	// Push, for an object record (NSObject), makes Value a record of one
	// version to put in front of every version the drive stores for Key,
	// as meta.Record.Add does with a fresh version ID: the caller neither
	// reads nor sends the older versions, so a new version of a key with
	// many costs what one of a key with one does. Expect is the record
	// GetNewest returned from this drive when the caller read it (nil: no
	// record); the drive refuses the batch with ErrRecordChanged unless
	// the newest version it stores is still exactly that.
	Push   bool
	Expect []byte
}

// Batch is one atomic, durable commit. Apply first moves the staged shard
// files of Stage (if any) into the data directory DataDir and makes that
// durable, then writes Mutations together with the reference changes in one
// synced metadata write. Either every mutation is visible afterwards or
// none is; shard files moved in without a committed reference are orphans
// that the drive's sweep removes.
type Batch struct {
	// Stage names staged shard files written with CreateShard; empty for a
	// metadata-only commit.
	Stage string
	// DataDir receives the staged files (merged into it if it exists).
	DataDir meta.DataDir
	// Mutations are written atomically.
	Mutations []Mutation
	// Ref lists data directories this commit starts referencing (DataDir is
	// added automatically when Stage is set).
	Ref []meta.DataDir
	// Unref lists data directories this commit stops referencing; the
	// caller removes them with RemoveDataDir once no reader needs them.
	Unref []meta.DataDir
}

// WalkOptions select a sorted range of records in one namespace.
type WalkOptions struct {
	NS Namespace
	// Scope is the key prefix every record shares (e.g. ObjectScope(bucket));
	// names returned are relative to it.
	Scope string
	// Prefix filters names.
	Prefix string
	// Delimiter, when set, rolls names up to the first occurrence of it
	// after Prefix (searching only before the first NUL byte of the name)
	// and returns each roll-up once as a prefix entry, skipping its members.
	Delimiter string
	// Start is inclusive: the walk begins at the first name >= Start.
	Start string
	// Limit bounds the entries plus prefixes returned (at least 1).
	Limit int
	// KeysOnly leaves Value nil.
	KeysOnly bool
	// Newest cuts each object record to its newest version
	// (meta.AppendNewest), for listings that show nothing else: a page
	// then costs the same however many older versions its keys hold.
	// Records that do not decode are returned whole.
	Newest bool
}

// WalkEntry is one record or common prefix of a walk.
type WalkEntry struct {
	Name     string
	Value    []byte
	IsPrefix bool
}

// WalkResult is a page of a walk.
type WalkResult struct {
	Entries []WalkEntry
	// Truncated says more names follow the last entry.
	Truncated bool
}

// DiskInfo describes a drive's capacity.
type DiskInfo struct {
	Endpoint   string
	TotalBytes uint64
	FreeBytes  uint64
	UsedBytes  uint64
	// ReserveBytes is the free space the drive keeps back from writes.
	ReserveBytes uint64
}

// Format is the identity of a drive, stored in .hoard.sys/format.json.
type Format struct {
	Version    int        `json:"version"`
	Deployment string     `json:"deployment"`
	DriveID    string     `json:"drive"`
	Sets       [][]string `json:"sets"`
}

// ShardWriter streams one staged shard file. Close makes it durable
// (fsync); Abort discards it. Exactly one of them must be called.
type ShardWriter interface {
	io.Writer
	Close() error
	Abort() error
}

// Drive is one disk as the erasure engine sees it. Every method is safe for
// concurrent use and honours ctx where it can block.
type Drive interface {
	// Endpoint names the drive (its folder, or a remote URL).
	Endpoint() string
	ReadFormat(ctx context.Context) (Format, error)
	WriteFormat(ctx context.Context, f Format) error
	DiskInfo(ctx context.Context) (DiskInfo, error)

	// MakeBucket creates a bucket record; ErrExists if present.
	MakeBucket(ctx context.Context, name string, value []byte) error
	// DeleteBucket removes a bucket record; ErrNotFound if absent.
	DeleteBucket(ctx context.Context, name string) error

	// Get reads one record; ErrNotFound if absent.
	Get(ctx context.Context, ns Namespace, key string) ([]byte, error)
	// GetNewest reads the object record (NSObject) key for a read of its
	// newest version: a record of that version alone. A drive may answer
	// with the whole record, which is as correct; ErrNotFound if absent.
	GetNewest(ctx context.Context, key string) ([]byte, error)
	// GetNewestToWrite is GetNewest for a write of key that follows under
	// the object's lock (a push, Mutation.Push): it answers the same, and
	// the drive may keep what it read for that write.
	GetNewestToWrite(ctx context.Context, key string) ([]byte, error)
	// Walk reads a sorted page of records.
	Walk(ctx context.Context, opts WalkOptions) (WalkResult, error)
	// Apply commits a batch atomically and durably.
	Apply(ctx context.Context, b Batch) error

	// CreateShard starts a staged shard file name under stage; size is the
	// number of bytes that will be written, checked against free space.
	CreateShard(ctx context.Context, stage, name string, size int64) (ShardWriter, error)
	// RemoveStage discards a stage and everything in it.
	RemoveStage(ctx context.Context, stage string) error
	// ReadShard reads length bytes at offset of a committed shard file.
	ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error)
	// ListShards names the shard files of a data directory (none if it is absent).
	ListShards(ctx context.Context, dir meta.DataDir) ([]string, error)
	// RemoveShards deletes shard files of a data directory (missing ones are ignored).
	RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error
	// RemoveDataDir deletes a data directory and its files.
	RemoveDataDir(ctx context.Context, dir meta.DataDir) error

	// Close releases the drive.
	Close() error
}

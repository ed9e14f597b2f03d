package meta

import (
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// FormatVersion is the first byte of every encoded record; decoders reject
// any other value so a future layout can be told apart.
const FormatVersion = 1

// DataDirLen is the length in bytes of a data directory identifier.
const DataDirLen = 16

// DataDir identifies the directory (or inline blob) holding a version's
// shard data; it is a random UUID, never derived from the object key.
type DataDir [DataDirLen]byte

// IsZero reports whether d is unset.
func (d DataDir) IsZero() bool { return d == DataDir{} }

// BitrotAlgo names the hash protecting each block of a shard.
type BitrotAlgo uint8

// The bitrot algorithms known to this format.
const (
	BitrotNone BitrotAlgo = iota
	// BitrotHighwayHash256 is HighwayHash-256 over every block of a shard.
	BitrotHighwayHash256
)

// Erasure is the erasure layout of one version as seen from one drive.
type Erasure struct {
	// Data and Parity are the numbers of data and parity shards.
	Data   int
	Parity int
	// BlockSize is the size of the blocks the object stream is cut into
	// before each block is split into Data shards.
	BlockSize int64
	// Index is this drive's shard number, 1-based (0 when unknown).
	Index int
	// Distribution maps drive position in the set to shard number (1-based).
	Distribution []uint8
}

// ShardBlockSize is the size of one shard block: BlockSize split into Data pieces.
func (e Erasure) ShardBlockSize() int64 {
	if e.Data <= 0 {
		return e.BlockSize
	}
	return (e.BlockSize + int64(e.Data) - 1) / int64(e.Data)
}

// ShardSize is the number of payload bytes (without bitrot hashes) of one
// shard of a stream of size bytes.
func (e Erasure) ShardSize(size int64) int64 {
	if size <= 0 {
		return 0
	}
	full := size / e.BlockSize
	last := size % e.BlockSize
	n := full * e.ShardBlockSize()
	if last > 0 {
		n += (last + int64(e.Data) - 1) / int64(e.Data)
	}
	return n
}

// Part describes one part of a multipart object.
type Part struct {
	Number int
	// Nonce tells apart files of successive uploads of one part number:
	// the part's shard file is named by PartFile(Number, Nonce).
	Nonce      uint32
	Size       int64
	ActualSize int64
	ETag       string
	Checksum   storage.Checksum
}

// Version is one version of an object.
type Version struct {
	// ID is the version ID; "" is the null version.
	ID           string
	DeleteMarker bool
	// Inline says the shard data is stored in the metadata store under
	// DataDir instead of in files.
	Inline       bool
	ModTime      time.Time
	Size         int64
	ETag         string
	Checksum     storage.Checksum
	Metadata     map[string]string
	Tags         map[string]string
	StorageClass string
	Erasure      Erasure
	Bitrot       BitrotAlgo
	// Parts is nil for an object written by a single PUT.
	Parts   []Part
	DataDir DataDir
	// Lock is the version's object lock retention and legal hold; records
	// written before object lock existed decode with none.
	Lock storage.ObjectLock
}

// Record is everything stored for one object key: its versions, newest first.
type Record struct {
	Versions []Version
}

// Find returns the index of the version with the given ID, or -1.
func (r *Record) Find(id string) int {
	for i := range r.Versions {
		if r.Versions[i].ID == id {
			return i
		}
	}
	return -1
}

// Upload is the record of a multipart upload in progress.
type Upload struct {
	ID                string
	Initiated         time.Time
	Metadata          map[string]string
	Tags              map[string]string
	StorageClass      string
	ChecksumAlgorithm storage.ChecksumAlgorithm
	ChecksumType      storage.ChecksumType
	Erasure           Erasure
	DataDir           DataDir
	// Lock is what the object gets at Complete; encoded after every other
	// field, only when set, so older records decode unchanged.
	Lock storage.ObjectLock
}

// PartRecord is the record of one uploaded part of a multipart upload.
type PartRecord struct {
	Number     int
	Nonce      uint32
	Size       int64
	ActualSize int64
	ETag       string
	ModTime    time.Time
	Checksum   storage.Checksum
}

// PartFile is the shard file name of a part of a multipart object.
func PartFile(number int, nonce uint32) string {
	return fmt.Sprintf("part.%d.%08x", number, nonce)
}

// SingleFile is the shard file name of an object written by one PUT.
const SingleFile = "part.1"

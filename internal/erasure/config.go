package erasure

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// Defaults applied by Config.withDefaults.
const (
	// DefaultCachePerDrive is what each drive adds to the metadata block
	// cache Open shares among all its drives when DriveOptions sets none.
	// At 16 MiB a version listing of a store written by PUTs (1,000 keys
	// of 20 versions, 4 drives) missed the cache on most tail blocks and
	// ran at 0.63 of the same call on an unversioned bucket; at 32 MiB it
	// runs at 0.96 (BenchmarkListVersionsWritten), for at most 16 MiB more
	// memory per drive once the cache is full.
	DefaultCachePerDrive = 32 << 20
	// DefaultInlineLimit is the largest object stored inline in metadata.
	DefaultInlineLimit = 128 << 10
	// DefaultBlockSize is the size of the blocks an object is cut into.
	DefaultBlockSize = 1 << 20
	// MaxSetSize is the largest erasure set.
	MaxSetSize = 16
	// DefaultStartTimeout bounds the wait at start for enough drives.
	DefaultStartTimeout = 5 * time.Minute
	// DefaultProbeInterval is the pause between probes of missing drives at start.
	DefaultProbeInterval = time.Second
	// DefaultBucketCacheTTL is how long an engine with its own locker
	// trusts a bucket record it read (see Config.BucketCacheTTL).
	DefaultBucketCacheTTL = time.Second
)

// Config configures a Layer.
type Config struct {
	// Drives are the drive folders (Open) or endpoints (New), in order.
	Drives []string
	// Parity is the number of parity shards per set; 0 picks the default
	// for the set size (0 for 1 drive, 1 for 2-3, 2 for 4-7, 4 for 8-16).
	Parity int
	// ReducedParity is the parity of objects of the REDUCED_REDUNDANCY
	// storage class; 0 means half of Parity, at least 1. It cannot exceed
	// Parity.
	ReducedParity int
	// SetSize is the number of drives per erasure set; 0 picks the largest
	// divisor of len(Drives) not above 16.
	SetSize int
	// InlineLimit is the largest object (per-shard size in erasure sets)
	// stored inline in its metadata record; 0 means DefaultInlineLimit,
	// negative disables inlining.
	InlineLimit int64
	// BlockSize is the erasure block size; 0 means DefaultBlockSize.
	BlockSize int64
	// Logger receives the engine's logs; nil discards them.
	Logger *slog.Logger
	// Locker serialises writers of a key; nil means an in-process MemLocker.
	Locker Locker
	// DriveOptions are passed to every local drive Open creates (its
	// Logger defaults to Logger).
	DriveOptions drive.Options
	// StartTimeout bounds how long Open and New wait for enough drives to
	// reach the write quorum of every set; 0 means DefaultStartTimeout,
	// negative means not to wait.
	StartTimeout time.Duration
	// ProbeInterval is the pause between probes of missing drives while
	// starting; 0 means DefaultProbeInterval.
	ProbeInterval time.Duration
	// MonitorInterval is how often, once started, drives that were missing
	// are probed again; 0 means DefaultMonitorInterval.
	MonitorInterval time.Duration
	// DegradedWrites lets a set whose data shards equal its parity shards
	// (2+2, 1+1 ...) accept writes on data drives instead of data+1, so
	// any parity drives may fail without stopping writes. Set it only when
	// every drive is served by this process (no cluster): one engine holds
	// every key's lock, and the drives that miss such a write are recorded
	// stale and do not count until healing rebuilds them. Two engines over
	// halves of the drives could each accept writes: never in a cluster.
	DegradedWrites bool
	// BucketCacheTTL is how long a bucket record read from the drives is
	// kept in memory; the engine drops it at once when it creates or
	// deletes the bucket itself. 0 means DefaultBucketCacheTTL when
	// Locker is nil (the engine then makes its own in-process locker, so
	// it is the only writer of its drives) and no cache when a Locker is
	// given (a cluster: other nodes create and delete buckets, and a node
	// must never accept a PUT into a bucket another node deleted).
	// Negative disables the cache.
	BucketCacheTTL time.Duration
	// DriveTimeout bounds every call to a drive (and every read or write
	// of a shard stream): a drive that does not answer in time is taken
	// out of service at once (offline, "hung: ..."), the request goes on
	// with the other drives, and the drive rejoins once it answers again
	// (drive.Watchdog). 0 means drive.DefaultCallTimeout (30 s);
	// negative disables the deadline.
	DriveTimeout time.Duration
	// DriveRejoinInterval is how often a drive out of service for a hung
	// call is probed; 0 means drive.DefaultRejoinInterval.
	DriveRejoinInterval time.Duration
	// HealQueue receives the objects to heal in the background (reads that
	// met damage, writes that missed drives); nil drops them (nobody
	// heals this engine).
	HealQueue HealQueue
	// StaleChanged, when set, is called after the engine wrote or removed
	// stale-drive records (stale.go) on the drives, so a cluster can have
	// its other nodes read them again at once (ReloadStale). It must not
	// block.
	StaleChanged func()

	// ownLocker records that withDefaults made the in-process locker.
	ownLocker bool
}

func (c Config) withDefaults() Config {
	if c.InlineLimit == 0 {
		c.InlineLimit = DefaultInlineLimit
	}
	if c.BlockSize == 0 {
		c.BlockSize = DefaultBlockSize
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.HealQueue == nil {
		c.HealQueue = noHealQueue{}
	}
	if c.Locker == nil {
		c.Locker = NewMemLocker()
		c.ownLocker = true
	}
	if c.DriveOptions.Logger == nil {
		c.DriveOptions.Logger = c.Logger
	}
	if c.SetSize == 0 {
		c.SetSize = defaultSetSize(len(c.Drives))
	}
	if c.Parity == 0 {
		c.Parity = DefaultParity(c.SetSize)
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	if c.ProbeInterval <= 0 {
		c.ProbeInterval = DefaultProbeInterval
	}
	if c.MonitorInterval <= 0 {
		c.MonitorInterval = DefaultMonitorInterval
	}
	return c
}

// bucketCacheTTL is the lifetime of a cached bucket record, 0 for none
// (see BucketCacheTTL).
func (c Config) bucketCacheTTL() time.Duration {
	switch {
	case c.BucketCacheTTL < 0:
		return 0
	case c.BucketCacheTTL > 0:
		return c.BucketCacheTTL
	case c.ownLocker:
		return DefaultBucketCacheTTL
	default:
		return 0
	}
}

// validate reports every problem of c at once.
func (c Config) validate() error {
	var errs []error
	n := len(c.Drives)
	if n == 0 {
		errs = append(errs, errors.New("erasure: no drives"))
	}
	if c.SetSize < 1 || c.SetSize > MaxSetSize || (n > 0 && n%c.SetSize != 0) {
		errs = append(errs, fmt.Errorf("erasure: set size %d does not divide %d drives into sets of 1 to %d", c.SetSize, n, MaxSetSize))
	}
	if c.Parity < 0 || (c.SetSize > 0 && c.Parity > c.SetSize/2) || (c.SetSize > 1 && c.Parity < 1) {
		errs = append(errs, fmt.Errorf("erasure: parity %d invalid for sets of %d drives", c.Parity, c.SetSize))
	}
	if c.ReducedParity < 0 || c.ReducedParity > c.Parity {
		errs = append(errs, fmt.Errorf("erasure: reduced-redundancy parity %d outside 0..%d (the parity)", c.ReducedParity, c.Parity))
	}
	if c.BlockSize < 4096 || c.BlockSize > 64<<20 {
		errs = append(errs, fmt.Errorf("erasure: block size %d outside 4 KiB..64 MiB", c.BlockSize))
	}
	seen := map[string]bool{}
	for _, d := range c.Drives {
		if seen[d] {
			errs = append(errs, fmt.Errorf("erasure: drive %q listed twice", d))
		}
		seen[d] = true
	}
	return errors.Join(errs...)
}

// defaultSetSize is the largest divisor of n in [1, MaxSetSize], 0 if none.
func defaultSetSize(n int) int {
	for s := min(n, MaxSetSize); s >= 2; s-- {
		if n%s == 0 {
			return s
		}
	}
	if n == 1 {
		return 1
	}
	return 0
}

// StorageClassReduced is the S3 storage class stored with lower parity.
const StorageClassReduced = "REDUCED_REDUNDANCY"

// reducedParity is the parity of REDUCED_REDUNDANCY objects in sets with
// parity p: configured (0 < r <= p), else p/2, at least 1; 0 without parity.
func reducedParity(configured, p int) int {
	if p == 0 {
		return 0
	}
	if configured > 0 {
		return min(configured, p)
	}
	return max(p/2, 1)
}

// DefaultParity is the parity used for sets of setSize drives.
func DefaultParity(setSize int) int {
	switch {
	case setSize <= 1:
		return 0
	case setSize <= 3:
		return 1
	case setSize <= 7:
		return 2
	default:
		return 4
	}
}

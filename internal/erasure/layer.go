package erasure

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/minio/highwayhash"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// Layer is the storage engine: a list of erasure sets of drives. It
// implements storage.ObjectLayer.
type Layer struct {
	cfg        Config
	log        *slog.Logger
	sets       []*set
	drives     []drive.Drive
	deployment string
	hashKey    [32]byte
	locker     Locker
	pins       *pins
	codecMu    sync.Mutex
	codecs     map[[3]int64]*codec
	// cache is the metadata block cache Open shares among its drives; nil
	// when the caller chose the drives' caches.
	cache *drive.Cache
	// monitor brings back drives missing at start; nil if none was.
	monitor *monitor
	// stale tracks the drives that do not count until rebuilt (stale.go).
	stale *staleState
	// healq takes the objects reads found damaged (heal_hooks.go).
	healq HealQueue
	// repair runs the heal entry points (heal.go).
	repair *repair.Repairer
	// usage caches per-bucket usage (usage.go).
	usage *usageCache
	// buckets caches bucket records (bucket_cache.go).
	buckets *bucketCache
	// versioning remembers buckets' versioning state briefly where
	// buckets is disabled (versioning_hint.go).
	versioning *versioningHints

	closeOnce sync.Once
}

var _ storage.ObjectLayer = (*Layer)(nil)

// set is one erasure set: its drives in format order and its layout.
type set struct {
	index  int
	drives []drive.Drive
	data   int
	parity int
	codec  *codec
	// reduced is the codec of the REDUCED_REDUNDANCY storage class.
	reduced *codec
	// ids are the drive IDs of the positions (from the format layout).
	ids []string
	// degraded allows writes on data drives when data equals parity
	// (Config.DegradedWrites).
	degraded bool
	// mask says, by position, which drives are stale (nil: none); see stale.go.
	mask atomic.Pointer[[]bool]
}

// writeQuorum is the number of drives that must accept a write.
func (s *set) writeQuorum() int { return s.quorumOf(s.data, s.parity) }

// quorumOf is the write quorum of a layout of data and parity shards in
// s: writeQuorumOf, or data alone when degraded writes are allowed (the
// drives that miss such a write are then made stale, see settle).
func (s *set) quorumOf(data, parity int) int {
	if s.degraded && data == parity {
		return data
	}
	return writeQuorumOf(data, parity)
}

// writeQuorumOf is the safe write quorum of a layout of data and parity
// shards: data, plus one when data equals parity so two write quorums
// always share a drive.
func writeQuorumOf(data, parity int) int {
	if data == parity {
		return data + 1
	}
	return data
}

// codecForClass returns the codec new data of storage class sc is written with.
func (s *set) codecForClass(sc string) *codec {
	if sc == StorageClassReduced && s.reduced != nil {
		return s.reduced
	}
	return s.codec
}

// readQuorum is the number of drives that must answer a read.
func (s *set) readQuorum() int { return s.data }

// Open opens (or formats) the local drive folders of cfg.Drives and
// returns the engine over them. A folder that cannot be opened counts as
// a missing drive, which start waits for as New describes.
func Open(ctx context.Context, cfg Config) (*Layer, error) {
	explicitSetSize, explicitParity := cfg.SetSize != 0, cfg.Parity != 0
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	paths := cfg.Drives
	dopts := cfg.DriveOptions
	var cache *drive.Cache
	if dopts.Cache == nil && dopts.CacheSize == 0 {
		// One cache for every drive bounds the process's cache as a whole.
		// The Layer keeps it for drives opened again in place (CheckDrives).
		cache = drive.NewCache(DefaultCachePerDrive * int64(len(paths)))
		dopts.Cache = cache
	}
	open := func(ctx context.Context, i int) (drive.Drive, error) {
		d, err := drive.OpenLocal(paths[i], dopts)
		if err != nil {
			// The metadata store's lock: another engine (this process or
			// another) has the folder open. No wait fixes that. Pebble has
			// no sentinel for the in-process case, hence the text match.
			if errors.Is(err, syscall.EAGAIN) || strings.Contains(err.Error(), "lock held") {
				return nil, fmt.Errorf("%w: %s is in use by another server or engine: %v", errDriveInUse, paths[i], err)
			}
			return nil, fmt.Errorf("erasure: open drive: %w", err)
		}
		if len(paths) == 1 {
			return d, nil
		}
		// A folder wiped while in service is opened again in place (CheckDrives).
		return newRepairable(d, paths[i], dopts), nil
	}
	l, probes, err := start(ctx, cfg, open, explicitSetSize, explicitParity)
	if err != nil {
		if cache != nil {
			defer cache.Release() // after the drives below close
		}
		for _, p := range probes {
			if p.d != nil {
				p.d.Close()
			}
		}
		return nil, err
	}
	l.cache = cache
	return l, nil
}

// New returns the engine over already opened drives (local, remote or
// wrapped); cfg.Drives is ignored. It reads every drive's format record,
// formats a new deployment when every drive is blank, places the drives
// in their sets by drive ID whatever their order, formats blank drives in
// place of lost ones, and waits (up to cfg.StartTimeout, logging why)
// until every set has the drives its write quorum needs. Drives still
// missing then are probed in the background and join when they answer.
// It refuses drives of another deployment, two drives with one drive ID,
// and a layout that does not match the drives. The Layer owns the drives
// and closes them on Close; on error the caller keeps them.
func New(ctx context.Context, cfg Config, drives []drive.Drive) (*Layer, error) {
	cfg.Drives = make([]string, len(drives))
	for i, d := range drives {
		cfg.Drives[i] = d.Endpoint()
	}
	explicitSetSize, explicitParity := cfg.SetSize != 0, cfg.Parity != 0
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	open := func(ctx context.Context, i int) (drive.Drive, error) { return drives[i], nil }
	l, _, err := start(ctx, cfg, open, explicitSetSize, explicitParity)
	return l, err
}

// start waits for a start plan, formats the drives it says to, and
// builds the engine with a place holder for every drive still missing.
func start(ctx context.Context, cfg Config, open opener, explicitSetSize, explicitParity bool) (*Layer, []*probe, error) {
	probes := make([]*probe, len(cfg.Drives))
	for i, ep := range cfg.Drives {
		probes[i] = &probe{pos: i, endpoint: ep}
	}
	parity := cfg.Parity
	if !explicitParity {
		parity = 0
	}
	open = watched(cfg, open)
	sp, err := waitForPlan(ctx, cfg, probes, open, explicitSetSize, parity)
	if err != nil {
		return nil, probes, err
	}
	if err := formatFresh(ctx, sp, cfg.Logger); err != nil {
		return nil, probes, err
	}
	cfg.SetSize = len(sp.ref.Sets[0])
	if !explicitParity {
		cfg.Parity = DefaultParity(cfg.SetSize)
	}
	l := &Layer{
		cfg: cfg, log: cfg.Logger, deployment: sp.ref.Deployment,
		locker: cfg.Locker, pins: newPins(), codecs: map[[3]int64]*codec{},
		healq: cfg.HealQueue, usage: newUsageCache(), buckets: newBucketCache(cfg.bucketCacheTTL(), nil),
		versioning: newVersioningHints(versioningHintTTL, nil),
	}
	l.repair = repair.New(repairView{l}, cfg.Logger)
	l.hashKey = sha256.Sum256([]byte("hoard-placement:" + sp.ref.Deployment))
	l.stale = newStaleState(len(sp.ref.Sets))
	l.drives = l.placeDrives(sp, open)
	start := 0
	for i, ids := range sp.ref.Sets {
		s := &set{index: i, drives: l.drives[start : start+len(ids)], ids: ids, parity: cfg.Parity, data: len(ids) - cfg.Parity, degraded: cfg.DegradedWrites}
		start += len(ids)
		c, err := l.codecFor(meta.Erasure{Data: s.data, Parity: s.parity, BlockSize: cfg.BlockSize})
		if err == nil {
			rp := reducedParity(cfg.ReducedParity, s.parity)
			s.codec = c
			s.reduced, err = l.codecFor(meta.Erasure{Data: len(ids) - rp, Parity: rp, BlockSize: cfg.BlockSize})
		}
		if err != nil {
			l.Close()
			return nil, nil, err
		}
		l.sets = append(l.sets, s)
	}
	if l.monitor != nil {
		go l.monitor.run(l.cfg.MonitorInterval)
	}
	l.loadStale(ctx)
	if !sp.created {
		for _, at := range sp.fresh {
			l.markRebuilding(sp.slots[at].endpoint)
		}
	}
	return l, nil, nil
}

// placeDrives returns the drives in set order: each placed drive, or a
// place holder for a missing one (then a monitor probes the spare drives
// until each place is filled). Drives listed out of order are logged.
func (l *Layer) placeDrives(sp *startPlan, open opener) []drive.Drive {
	per := len(sp.ref.Sets[0])
	ordered := make([]drive.Drive, len(sp.slots))
	flat := make([]string, 0, len(sp.slots))
	for _, ids := range sp.ref.Sets {
		flat = append(flat, ids...)
	}
	var holders []*slotDrive
	pos := map[*slotDrive]int{}
	used := map[*probe]bool{}
	for at, p := range sp.slots {
		if p != nil {
			ordered[at] = p.d
			if p.pos != at {
				l.log.Warn("drive is listed out of order: placed by its drive ID", "drive", p.endpoint,
					"listed_position", p.pos+1, "set", at/per+1, "position", at%per+1)
			}
			continue
		}
		h := &slotDrive{id: flat[at], endpoint: fmt.Sprintf("missing drive %s", flat[at]), since: time.Now().UTC()}
		if e := expectedSpare(sp.spare, at, used); e != nil {
			h.endpoint = e.endpoint
			h.corrupt.Store(e.state == probeCorrupt)
			used[e] = true
		}
		l.log.Warn("drive missing at start: its place stays offline until it answers", "drive", h.endpoint, "set", at/per+1, "position", at%per+1)
		ordered[at] = h
		holders = append(holders, h)
		pos[h] = at
	}
	if len(holders) > 0 || len(sp.spare) > 0 {
		l.monitor = newMonitor(l, sp, open, holders, pos) // started by start once the sets exist
	}
	return ordered
}

// expectedSpare picks the missing drive expected at position at: the one
// listed there, else the first missing drive not yet expected elsewhere.
func expectedSpare(spare []*probe, at int, used map[*probe]bool) *probe {
	var first *probe
	for _, p := range spare {
		if used[p] || p.state == probeBlank {
			continue
		}
		if p.pos == at {
			return p
		}
		if first == nil {
			first = p
		}
	}
	return first
}

// setFor picks the erasure set of an object by a keyed hash of its name.
func (l *Layer) setFor(bucket, key string) *set {
	if len(l.sets) == 1 {
		return l.sets[0]
	}
	return l.sets[l.placement(bucket, key)%uint64(len(l.sets))]
}

// placement is the keyed hash of an object name used for set choice and
// shard rotation.
func (l *Layer) placement(bucket, key string) uint64 {
	h, _ := highwayhash.New64(l.hashKey[:])
	h.Write([]byte(bucket))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return h.Sum64()
}

// distribution maps each drive position of s to the shard it holds for an
// object: a rotation by the object's placement hash, so data shards of
// different objects land on different drives.
func (l *Layer) distribution(s *set, bucket, key string) []uint8 {
	n := len(s.drives)
	d := make([]uint8, n)
	r := 0
	if n > 1 {
		r = int(l.placement(bucket, key)>>32) % n
	}
	for i := range d {
		d[i] = uint8((i+r)%n) + 1
	}
	return d
}

// Close releases every drive after pending deferred removals are dropped
// (the drives' sweep removes them at the next start).
func (l *Layer) Close() error {
	var errs []error
	l.closeOnce.Do(func() {
		if l.monitor != nil {
			l.monitor.close()
		}
		for _, d := range l.drives {
			if err := d.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		if l.cache != nil {
			l.cache.Release()
		}
	})
	return errors.Join(errs...)
}

// codecFor returns the codec of a stored layout (it may differ from the
// set's current one if the configuration changed since the write).
func (l *Layer) codecFor(e meta.Erasure) (*codec, error) {
	l.codecMu.Lock()
	defer l.codecMu.Unlock()
	k := [3]int64{int64(e.Data), int64(e.Parity), e.BlockSize}
	if c := l.codecs[k]; c != nil {
		return c, nil
	}
	if e.Data < 1 || e.Parity < 0 || e.Data+e.Parity > 256 || e.BlockSize < 1 || e.BlockSize > 1<<30 {
		return nil, fmt.Errorf("erasure: stored layout %d+%d/%d: %w", e.Data, e.Parity, e.BlockSize, storage.ErrCorrupt)
	}
	c, err := newCodec(e.Data, e.Parity, e.BlockSize)
	if err != nil {
		return nil, err
	}
	l.codecs[k] = c
	return c, nil
}

package erasure

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/google/uuid"
	"github.com/minio/highwayhash"

	"github.com/hoardstore/hoard/internal/drive"
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
}

// writeQuorum is the number of drives that must accept a write.
func (s *set) writeQuorum() int {
	if s.data == s.parity {
		return s.data + 1
	}
	return s.data
}

// readQuorum is the number of drives that must answer a read.
func (s *set) readQuorum() int { return s.data }

// Open opens (or formats) the local drive folders of cfg.Drives and
// returns the engine over them.
func Open(ctx context.Context, cfg Config) (*Layer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	drives := make([]drive.Drive, 0, len(cfg.Drives))
	for _, path := range cfg.Drives {
		d, err := drive.OpenLocal(path, cfg.DriveOptions)
		if err != nil {
			for _, o := range drives {
				o.Close()
			}
			return nil, fmt.Errorf("erasure: open drive: %w", err)
		}
		drives = append(drives, d)
	}
	l, err := New(ctx, cfg, drives)
	if err != nil {
		for _, o := range drives {
			o.Close()
		}
		return nil, err
	}
	return l, nil
}

// New returns the engine over already opened drives (local, remote or
// wrapped), formatting them if none is formatted yet. cfg.Drives is
// ignored. The Layer owns the drives and closes them on Close.
func New(ctx context.Context, cfg Config, drives []drive.Drive) (*Layer, error) {
	cfg.Drives = make([]string, len(drives))
	for i, d := range drives {
		cfg.Drives[i] = d.Endpoint()
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	f, ordered, err := loadFormat(ctx, drives, cfg.SetSize)
	if err != nil {
		return nil, err
	}
	l := &Layer{
		cfg: cfg, log: cfg.Logger, drives: drives, deployment: f.Deployment,
		locker: cfg.Locker, pins: newPins(), codecs: map[[3]int64]*codec{},
	}
	l.hashKey = sha256.Sum256([]byte("hoard-placement:" + f.Deployment))
	start := 0
	for i, ids := range f.Sets {
		s := &set{index: i, drives: ordered[start : start+len(ids)], parity: cfg.Parity, data: len(ids) - cfg.Parity}
		start += len(ids)
		if s.data < 1 || s.parity < 0 {
			return nil, fmt.Errorf("erasure: set %d of %d drives cannot hold %d parity shards", i, len(ids), s.parity)
		}
		c, err := l.codecFor(meta.Erasure{Data: s.data, Parity: s.parity, BlockSize: cfg.BlockSize})
		if err != nil {
			return nil, err
		}
		s.codec = c
		l.sets = append(l.sets, s)
	}
	return l, nil
}

// loadFormat reads every drive's format, formats a fresh deployment if
// none has one, formats replacement drives into free slots, and returns
// the format with the drives ordered as its sets list them.
func loadFormat(ctx context.Context, drives []drive.Drive, setSize int) (drive.Format, []drive.Drive, error) {
	formats := make([]drive.Format, len(drives))
	var ref *drive.Format
	for i, d := range drives {
		f, err := d.ReadFormat(ctx)
		if errors.Is(err, drive.ErrUnformatted) {
			continue
		}
		if err != nil {
			return drive.Format{}, nil, fmt.Errorf("erasure: read format of %s: %w", d.Endpoint(), err)
		}
		formats[i] = f
		if ref == nil {
			ref = &formats[i]
		} else if f.Deployment != ref.Deployment {
			return drive.Format{}, nil, fmt.Errorf("erasure: drive %s belongs to deployment %s, want %s", d.Endpoint(), f.Deployment, ref.Deployment)
		}
	}
	if ref == nil {
		f := drive.Format{Version: 1, Deployment: uuid.NewString()}
		for i := range drives {
			id := uuid.NewString()
			formats[i] = drive.Format{Version: 1, Deployment: f.Deployment, DriveID: id}
			if i%setSize == 0 {
				f.Sets = append(f.Sets, nil)
			}
			f.Sets[len(f.Sets)-1] = append(f.Sets[len(f.Sets)-1], id)
		}
		for i, d := range drives {
			formats[i].Sets = f.Sets
			if err := d.WriteFormat(ctx, formats[i]); err != nil {
				return drive.Format{}, nil, fmt.Errorf("erasure: format %s: %w", d.Endpoint(), err)
			}
		}
		ref = &f
	}
	return placeDrives(ctx, drives, formats, *ref)
}

func placeDrives(ctx context.Context, drives []drive.Drive, formats []drive.Format, ref drive.Format) (drive.Format, []drive.Drive, error) {
	pos := map[string]int{}
	n := 0
	for _, ids := range ref.Sets {
		for _, id := range ids {
			pos[id] = n
			n++
		}
	}
	if n != len(drives) {
		return ref, nil, fmt.Errorf("erasure: format lists %d drives, %d given", n, len(drives))
	}
	ordered := make([]drive.Drive, n)
	var blank []int
	for i, f := range formats {
		if f.DriveID == "" {
			blank = append(blank, i)
			continue
		}
		p, ok := pos[f.DriveID]
		if !ok || ordered[p] != nil {
			return ref, nil, fmt.Errorf("erasure: drive %s has unknown or duplicate id %s", drives[i].Endpoint(), f.DriveID)
		}
		ordered[p] = drives[i]
	}
	ids := make([]string, 0, n)
	for _, set := range ref.Sets {
		ids = append(ids, set...)
	}
	for p := range ordered {
		if ordered[p] != nil || len(blank) == 0 {
			continue
		}
		i := blank[0]
		blank = blank[1:]
		f := drive.Format{Version: 1, Deployment: ref.Deployment, DriveID: ids[p], Sets: ref.Sets}
		if err := drives[i].WriteFormat(ctx, f); err != nil {
			return ref, nil, fmt.Errorf("erasure: format %s: %w", drives[i].Endpoint(), err)
		}
		ordered[p] = drives[i]
	}
	return ref, ordered, nil
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
		for _, d := range l.drives {
			if err := d.Close(); err != nil {
				errs = append(errs, err)
			}
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

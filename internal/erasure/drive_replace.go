package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// reopenDrive is a local drive folder the engine can open again in place:
// when the folder is wiped (or replaced by an empty disk) while the engine
// runs, the drive open on it is broken (its metadata store's files are
// gone), so CheckDrives closes it, opens the folder afresh and formats it
// with the lost drive's identity, and healing rebuilds it. Every call holds
// a read lock so the swap waits for calls in flight and none sees a closed
// drive.
type reopenDrive struct {
	mu   sync.RWMutex
	d    drive.Drive
	open func() (drive.Drive, error)
	// repair opens the folder with its damaged metadata store moved
	// aside (drive.RepairLocal); nil if the drive cannot be repaired.
	repair func() (drive.Drive, error)
}

var _ drive.Drive = (*reopenDrive)(nil)

func newReopenDrive(d drive.Drive, open, repair func() (drive.Drive, error)) *reopenDrive {
	return &reopenDrive{d: d, open: open, repair: repair}
}

// reopen closes the drive, opens its folder again and writes f to it.
func (r *reopenDrive) reopen(ctx context.Context, f drive.Format) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.d.Close() // its files are gone: errors say nothing new
	d, err := r.open()
	if err != nil {
		return fmt.Errorf("erasure: reopen %s: %w", r.d.Endpoint(), err)
	}
	if err := d.WriteFormat(ctx, f); err != nil {
		d.Close()
		return fmt.Errorf("erasure: format %s: %w", d.Endpoint(), err)
	}
	r.d = d
	return nil
}

// inner returns the current drive.
func (r *reopenDrive) inner() drive.Drive {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d
}

func (r *reopenDrive) Endpoint() string { return r.inner().Endpoint() }

func (r *reopenDrive) ReadFormat(ctx context.Context) (drive.Format, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.ReadFormat(ctx)
}

func (r *reopenDrive) WriteFormat(ctx context.Context, f drive.Format) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.WriteFormat(ctx, f)
}

func (r *reopenDrive) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.DiskInfo(ctx)
}

func (r *reopenDrive) MakeBucket(ctx context.Context, name string, value []byte) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.MakeBucket(ctx, name, value)
}

func (r *reopenDrive) DeleteBucket(ctx context.Context, name string) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.DeleteBucket(ctx, name)
}

func (r *reopenDrive) Get(ctx context.Context, ns drive.Namespace, key string) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.Get(ctx, ns, key)
}

func (r *reopenDrive) GetNewest(ctx context.Context, key string) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.GetNewest(ctx, key)
}

func (r *reopenDrive) GetNewestToWrite(ctx context.Context, key string) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.GetNewestToWrite(ctx, key)
}

func (r *reopenDrive) Walk(ctx context.Context, o drive.WalkOptions) (drive.WalkResult, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.Walk(ctx, o)
}

func (r *reopenDrive) Apply(ctx context.Context, b drive.Batch) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.Apply(ctx, b)
}

func (r *reopenDrive) CreateShard(ctx context.Context, stage, name string, size int64) (drive.ShardWriter, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.CreateShard(ctx, stage, name, size)
}

func (r *reopenDrive) RemoveStage(ctx context.Context, stage string) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.RemoveStage(ctx, stage)
}

func (r *reopenDrive) ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.ReadShard(ctx, dir, name, offset, length)
}

func (r *reopenDrive) ListShards(ctx context.Context, dir meta.DataDir) ([]string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.ListShards(ctx, dir)
}

func (r *reopenDrive) RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.RemoveShards(ctx, dir, names)
}

func (r *reopenDrive) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.d.RemoveDataDir(ctx, dir)
}

func (r *reopenDrive) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.d.Close()
}

// asReopen finds the reopenDrive behind d (possibly in a missing drive's
// place), or nil.
func asReopen(d drive.Drive) *reopenDrive {
	for range 8 { // wrappers nest a few levels at most
		switch w := d.(type) {
		case *reopenDrive:
			return w
		case *slotDrive:
			p := w.cur.Load()
			if p == nil {
				return nil
			}
			d = *p
		case drive.Wrapper:
			d = w.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// CheckDrives probes every drive's format record and replaces in place
// each local drive whose folder was wiped while the engine ran (no format
// record any more): the folder is opened afresh, formatted with the lost
// drive's identity and reported rebuilding (RebuildingDrives) for healing
// to fill. It also repairs the local drives taken out of service for a
// damaged metadata store, and opens again those out for I/O errors
// (repairDrives). It returns the endpoints it replaced or repaired.
// Drives that are not local folders (remote drives) are only probed.
func (l *Layer) CheckDrives(ctx context.Context) ([]string, error) {
	repaired, rerr := l.repairDrives(ctx)
	replaced, err := l.replaceWiped(ctx)
	return append(repaired, replaced...), errors.Join(rerr, err)
}

// replaceWiped is CheckDrives for drives whose folder was wiped.
func (l *Layer) replaceWiped(ctx context.Context) ([]string, error) {
	var wiped []int
	var ref *drive.Format
	for at, d := range l.drives {
		f, err := d.ReadFormat(ctx)
		switch {
		case errors.Is(err, drive.ErrUnformatted) && asReopen(d) != nil:
			wiped = append(wiped, at)
		case err == nil && f.Deployment == l.deployment && ref == nil:
			ref = &f
		}
	}
	if len(wiped) == 0 {
		return nil, nil
	}
	if ref == nil {
		return nil, fmt.Errorf("erasure: %d drives lost their format and no drive holds the deployment's", len(wiped))
	}
	flat := make([]string, 0, len(l.drives))
	for _, ids := range ref.Sets {
		flat = append(flat, ids...)
	}
	var replaced []string
	var errs []error
	for _, at := range wiped {
		d := l.drives[at]
		f := drive.Format{Version: drive.FormatVersion, Deployment: ref.Deployment, DriveID: flat[at], Sets: ref.Sets}
		if err := asReopen(d).reopen(ctx, f); err != nil {
			errs = append(errs, err)
			continue
		}
		l.markRebuilding(d.Endpoint())
		replaced = append(replaced, d.Endpoint())
		l.log.Warn("drive lost its contents while in service: formatted it again in its place; healing must rebuild it",
			"drive", d.Endpoint(), "drive_id", flat[at], "set", at/len(ref.Sets[0])+1, "position", at%len(ref.Sets[0])+1)
	}
	return replaced, errors.Join(errs...)
}

// DriveSet returns the erasure set (0-based) of the drive named endpoint,
// or -1 if no drive has that name.
func (l *Layer) DriveSet(endpoint string) int {
	for _, s := range l.sets {
		for _, d := range s.drives {
			if d.Endpoint() == endpoint {
				return s.index
			}
		}
	}
	return -1
}

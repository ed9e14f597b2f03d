package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// errDriveOffline is what every call to a missing drive's place returns.
// It is not drive.ErrNotFound: a missing drive never votes that a record
// is absent.
var errDriveOffline = errors.New("erasure: drive offline")

// Drive states as StorageInfo reports them.
const (
	stateOnline  = "online"
	stateOffline = "offline"
	stateHealing = "healing"
	stateCorrupt = "corrupt"
)

// slotDrive holds the place, in its set, of a drive that was missing at
// start: every call fails with errDriveOffline until the drive monitor
// attaches the drive (back, or a blank replacement formatted with this
// place's drive ID); from then on every call goes to that drive.
type slotDrive struct {
	endpoint string // the drive expected here, for logs and StorageInfo
	id       string // the drive ID of this place
	cur      atomic.Pointer[drive.Drive]
	corrupt  atomic.Bool // the expected drive answers with a bad format
	since    time.Time   // when the place was found without its drive
}

var _ drive.Drive = (*slotDrive)(nil)

func (s *slotDrive) get() (drive.Drive, error) {
	if d := s.cur.Load(); d != nil {
		return *d, nil
	}
	return nil, fmt.Errorf("%w: %s", errDriveOffline, s.endpoint)
}

func (s *slotDrive) attach(d drive.Drive) {
	s.corrupt.Store(false)
	s.cur.Store(&d)
}

func (s *slotDrive) attached() bool { return s.cur.Load() != nil }

// reason says why the place has no drive, for StorageInfo.
func (s *slotDrive) reason() string {
	if s.corrupt.Load() {
		return "format record unreadable, or of another deployment"
	}
	return "not found at start"
}

// state reports the place's state for StorageInfo while no drive is attached.
func (s *slotDrive) state() string {
	if s.corrupt.Load() {
		return stateCorrupt
	}
	return stateOffline
}

func (s *slotDrive) Endpoint() string {
	if d := s.cur.Load(); d != nil {
		return (*d).Endpoint()
	}
	return s.endpoint
}

func (s *slotDrive) ReadFormat(ctx context.Context) (drive.Format, error) {
	d, err := s.get()
	if err != nil {
		return drive.Format{}, err
	}
	return d.ReadFormat(ctx)
}

func (s *slotDrive) WriteFormat(ctx context.Context, f drive.Format) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.WriteFormat(ctx, f)
}

func (s *slotDrive) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	d, err := s.get()
	if err != nil {
		return drive.DiskInfo{Endpoint: s.endpoint}, err
	}
	return d.DiskInfo(ctx)
}

func (s *slotDrive) MakeBucket(ctx context.Context, name string, value []byte) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.MakeBucket(ctx, name, value)
}

func (s *slotDrive) DeleteBucket(ctx context.Context, name string) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.DeleteBucket(ctx, name)
}

func (s *slotDrive) Get(ctx context.Context, ns drive.Namespace, key string) ([]byte, error) {
	d, err := s.get()
	if err != nil {
		return nil, err
	}
	return d.Get(ctx, ns, key)
}

func (s *slotDrive) GetNewest(ctx context.Context, key string) ([]byte, error) {
	d, err := s.get()
	if err != nil {
		return nil, err
	}
	return d.GetNewest(ctx, key)
}

func (s *slotDrive) GetNewestToWrite(ctx context.Context, key string) ([]byte, error) {
	d, err := s.get()
	if err != nil {
		return nil, err
	}
	return d.GetNewestToWrite(ctx, key)
}

func (s *slotDrive) Walk(ctx context.Context, o drive.WalkOptions) (drive.WalkResult, error) {
	d, err := s.get()
	if err != nil {
		return drive.WalkResult{}, err
	}
	return d.Walk(ctx, o)
}

func (s *slotDrive) Apply(ctx context.Context, b drive.Batch) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.Apply(ctx, b)
}

func (s *slotDrive) CreateShard(ctx context.Context, stage, name string, size int64) (drive.ShardWriter, error) {
	d, err := s.get()
	if err != nil {
		return nil, err
	}
	return d.CreateShard(ctx, stage, name, size)
}

func (s *slotDrive) RemoveStage(ctx context.Context, stage string) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.RemoveStage(ctx, stage)
}

func (s *slotDrive) ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error) {
	d, err := s.get()
	if err != nil {
		return nil, err
	}
	return d.ReadShard(ctx, dir, name, offset, length)
}

func (s *slotDrive) ListShards(ctx context.Context, dir meta.DataDir) ([]string, error) {
	d, err := s.get()
	if err != nil {
		return nil, err
	}
	return d.ListShards(ctx, dir)
}

func (s *slotDrive) RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.RemoveShards(ctx, dir, names)
}

func (s *slotDrive) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	d, err := s.get()
	if err != nil {
		return err
	}
	return d.RemoveDataDir(ctx, dir)
}

// Close closes the attached drive, if any.
func (s *slotDrive) Close() error {
	if d := s.cur.Load(); d != nil {
		return (*d).Close()
	}
	return nil
}

package drive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/hoardstore/hoard/internal/meta"
)

// Layout of a drive folder.
const (
	sysDir     = ".hoard.sys"
	formatFile = "format.json"
	metaDir    = "meta"
	dataDir    = "data"
	tmpDir     = "tmp"
)

// Options tune a Local drive. The zero value is usable.
type Options struct {
	// Logger receives the drive's logs; nil discards them.
	Logger *slog.Logger
	// Cache, when set, is the metadata block cache this drive shares with
	// others (NewCache); CacheSize is then ignored.
	Cache *Cache
	// CacheSize is the metadata block cache size of a drive without a
	// shared Cache (default 16 MiB).
	CacheSize int64
	// MemTableSize is the metadata memtable size (default 8 MiB).
	MemTableSize uint64
	// ReserveBytes is the free space kept back from every write so the
	// metadata store is never driven out of space (default: 1% of the
	// filesystem, clamped to [64 MiB, 1 GiB]).
	ReserveBytes uint64
	// Fault, when set, is called at each step of a commit with the step's
	// name (see the Fault* constants); a non-nil return stops the commit
	// right there, without cleanup, as a crash would. For tests.
	Fault func(step string) error
	// NoSync skips every fsync: for measuring CPU cost only, never in production.
	NoSync bool
	// MetaFS is the filesystem under the metadata store; nil is the real
	// one. For tests: pebble's vfs/errorfs injects I/O errors with it.
	MetaFS vfs.FS
}

// Commit steps reported to Options.Fault.
const (
	// FaultBeforeRename: shard files are staged and fsynced.
	FaultBeforeRename = "before-rename"
	// FaultBeforeCommit: shard files are in the data directory, metadata not yet written.
	FaultBeforeCommit = "before-commit"
	// FaultAfterCommit: metadata is committed.
	FaultAfterCommit = "after-commit"
)

// Local is a Drive over a folder of the local filesystem.
type Local struct {
	root     string
	sys      string
	log      *slog.Logger
	opts     Options
	db       *pebble.DB // nil when the store could not be opened (faulty)
	bucketMu sync.Mutex
	reserve  uint64
	space    spaceGauge // the free space checks' last reading (space.go)

	// faultState is set once the drive is taken out of service (fault.go).
	faultState atomic.Pointer[Fault]

	closeOnce sync.Once
	done      chan struct{}
	swept     chan struct{}

	// fresh records data directories installed since open while the sweep
	// runs, so the sweep never takes a new directory for an orphan.
	freshMu  sync.Mutex
	fresh    map[meta.DataDir]bool
	sweeping bool
	wg       sync.WaitGroup

	dio directIO // direct-write state and buffers (direct.go)

	// records serialises the read-compare-write of one object's head
	// and tail keys (tail.go), key by key.
	records recordLocks
	// hints spares a write the read of what the engine's read just saw
	// (head_hint.go).
	hints headHints
	// layoutMu and layoutMarked guard the one-time raise of the format
	// version when the drive first stores a tail (tail.go).
	layoutMu     sync.Mutex
	layoutMarked atomic.Bool
	// formatSeen says the drive's format was read or written: from then on
	// a missing format file means the folder was wiped (formatGone).
	formatSeen atomic.Bool
	// tailScratch pools the buffers reads of tails use (tail.go).
	tailScratch sync.Pool
	// recordWrites counts the head and tail keys written or deleted for
	// object records, for tests.
	recordWrites atomic.Int64
}

var _ Drive = (*Local)(nil)

// OpenLocal opens (creating if needed) the drive in folder root: it wipes
// leftover staging files, restricts the modes of the drive's folders and
// files (once), opens the metadata store and starts a background sweep of
// orphaned data directories.
//
// A metadata store found damaged (a file of it corrupt, truncated or
// missing, or the whole store gone from a formatted drive) does not fail
// the open: the drive is returned out of service (Fault reports why;
// every call fails with ErrFaulty) so the engine keeps its place and
// serves from the other drives, and RepairLocal can rebuild it.
func OpenLocal(root string, opts Options) (*Local, error) {
	return openLocalDrive(root, opts, true)
}

// openLocalDrive is OpenLocal; sweep false skips the sweep and creates an
// empty metadata store on a formatted drive (RepairLocal).
func openLocalDrive(root string, opts Options, sweep bool) (*Local, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("drive: resolve %q: %w", root, err)
	}
	l := &Local{root: root, sys: filepath.Join(root, sysDir), opts: opts, log: opts.Logger, done: make(chan struct{}), swept: make(chan struct{}), fresh: map[meta.DataDir]bool{}, sweeping: sweep}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	l.log = l.log.With("drive", root)
	if err := l.prepareDirs(); err != nil {
		return nil, err
	}
	if err := l.computeReserve(); err != nil {
		return nil, err
	}
	if sweep && l.metaLost() {
		l.markFaulty(true, "metadata store missing from a formatted drive")
		close(l.swept)
		return l, nil
	}
	if err := l.openDB(); err != nil {
		if !isOpenDamage(err) {
			return nil, err
		}
		l.markFaulty(true, fmt.Sprintf("metadata store damaged (open): %v", err))
		close(l.swept)
		return l, nil
	}
	if !sweep {
		l.sweeping = false
		close(l.swept)
		return l, nil
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer close(l.swept)
		defer func() {
			// The sweep reads the metadata store: damage it meets takes
			// the drive out of service, never the process down.
			if r := recover(); r != nil {
				l.markFaulty(true, fmt.Sprintf("metadata store failed (sweep): %v", r))
			}
		}()
		l.sweep()
	}()
	return l, nil
}

// modesMarker, in .hoard.sys, records that restrictModes ran on the drive.
const modesMarker = "modes.v1"

func (l *Local) prepareDirs() error {
	if err := os.MkdirAll(l.sys, DirMode); err != nil {
		return fmt.Errorf("drive: create %s: %w", l.sys, err)
	}
	tmp := filepath.Join(l.sys, tmpDir)
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("drive: clean %s: %w", tmp, err)
	}
	if err := os.MkdirAll(tmp, DirMode); err != nil {
		return fmt.Errorf("drive: create %s: %w", tmp, err)
	}
	for i := 0; i < 256; i++ {
		d := filepath.Join(l.sys, dataDir, fmt.Sprintf("%02x", i))
		if err := os.MkdirAll(d, DirMode); err != nil {
			return fmt.Errorf("drive: create %s: %w", d, err)
		}
	}
	if err := syncDir(filepath.Join(l.sys, dataDir)); err != nil {
		return err
	}
	marker := filepath.Join(l.sys, modesMarker)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	// Folders made by earlier versions were 0755 and files 0644: fixed
	// once, then the marker skips the walk at later starts.
	if err := restrictModes(l.sys); err != nil {
		return err
	}
	return writeFileSync(marker, []byte("drive folders 0700, files 0600\n"))
}

func (l *Local) computeReserve() error {
	if l.opts.ReserveBytes > 0 {
		l.reserve = l.opts.ReserveBytes
		return nil
	}
	total, _, err := statfs(l.sys)
	if err != nil {
		return err
	}
	l.reserve = min(max(total/100, 64<<20), 1<<30)
	return nil
}

// Swept is closed when the sweep started at open has finished.
func (l *Local) Swept() <-chan struct{} { return l.swept }

// Endpoint returns the drive's folder.
func (l *Local) Endpoint() string { return l.root }

// Root returns the drive's folder (same as Endpoint).
func (l *Local) Root() string { return l.root }

// Close waits for background work and closes the metadata store.
func (l *Local) Close() error {
	var err error
	l.closeOnce.Do(func() {
		close(l.done)
		l.wg.Wait()
		err = l.closeDB()
	})
	return err
}

// DiskInfo reports the filesystem's capacity.
func (l *Local) DiskInfo(ctx context.Context) (DiskInfo, error) {
	if err := l.usable(); err != nil {
		return DiskInfo{Endpoint: l.root}, err
	}
	total, free, err := statfs(l.sys)
	if err != nil {
		return DiskInfo{}, err
	}
	if err := l.formatGone(); err != nil {
		return DiskInfo{Endpoint: l.root}, err
	}
	return DiskInfo{Endpoint: l.root, TotalBytes: total, FreeBytes: free, UsedBytes: total - free, ReserveBytes: l.reserve}, nil
}

// formatGone fails with ErrUnformatted when the drive was formatted and
// its format file is gone: the folder was wiped while in service, and a
// write since may have made its folders again, so the filesystem answers
// while everything the drive held is lost. Such a drive must not answer
// as in service (the watchdog's probe would put it back) until the engine
// formats it again in place.
func (l *Local) formatGone() error {
	if !l.formatSeen.Load() {
		return nil
	}
	if _, err := os.Stat(filepath.Join(l.sys, formatFile)); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s: its format file is gone (the folder was wiped while in service)", ErrUnformatted, l.root)
	}
	return nil
}

func statfs(path string) (total, free uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, fmt.Errorf("drive: statfs %s: %w", path, err)
	}
	return st.Blocks * uint64(st.Bsize), st.Bavail * uint64(st.Bsize), nil
}

// syncDir fsyncs a directory so entries created or renamed in it are durable.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("drive: open dir %s: %w", path, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("drive: sync dir %s: %w", path, mapErr(err))
	}
	return nil
}

// mapErr turns ENOSPC and EDQUOT into ErrFull.
func mapErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %v", ErrFull, err)
	}
	return err
}

// closeDBTimeout bounds the close of a damaged metadata store.
const closeDBTimeout = 10 * time.Second

// closeDB closes the metadata store. A damaged store may panic or wait on
// background work that failed: its close is recovered and bounded by
// closeDBTimeout (after which it is left to finish on its own).
func (l *Local) closeDB() error {
	if l.db == nil {
		return nil
	}
	if l.Fault() == nil {
		if err := l.db.Close(); err != nil {
			return fmt.Errorf("drive: close metadata: %w", err)
		}
		return nil
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("drive: close damaged metadata: %v", r)
			}
		}()
		done <- l.db.Close()
	}()
	t := time.NewTimer(closeDBTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("drive: close damaged metadata %s: %w", l.root, err)
		}
		return nil
	case <-t.C:
		return fmt.Errorf("drive: close damaged metadata %s: still closing after %v", l.root, closeDBTimeout)
	}
}

// step calls Options.Fault with a commit step.
func (l *Local) step(step string) error {
	if l.opts.Fault == nil {
		return nil
	}
	return l.opts.Fault(step)
}

func (l *Local) closed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

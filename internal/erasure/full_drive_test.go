package erasure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// mountTmpfs mounts a tmpfs of mib MiB on a fresh folder, unmounted when
// the test ends. It skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, mib int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%dm,mode=0700", mib)); err != nil {
		t.Skipf("needs a real small filesystem to fill: mounting a tmpfs is not allowed here (run as root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// ballast fills the filesystem of dir with a file until leave bytes are
// free, and returns its path (removing it gives the space back).
func ballast(t *testing.T, dir string, leave uint64) string {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := st.Bavail * uint64(st.Bsize)
	if free <= leave {
		t.Fatalf("%s: %d bytes free, cannot leave %d", dir, free, leave)
	}
	path := filepath.Join(dir, "ballast")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Fallocate(int(f.Fd()), 0, fi.Size(), int64(free-leave)); err != nil {
		t.Fatalf("fill %s: %v", dir, err)
	}
	return path
}

// TestFullDrive runs a 4-drive set (2+2, as the single-node server:
// degraded writes) whose drives are small tmpfs mounts. One drive fills
// under writes: the writes go on (that drive is skipped), and once space
// returns healing puts the missing shards there. Every drive fills: a
// write answers ErrStorageFull (507) and leaves nothing, and once space
// returns writes succeed again without a restart.
func TestFullDrive(t *testing.T) {
	t.Parallel()
	const reserve = 1 << 20
	mounts := make([]string, 4)
	dirs := make([]string, 4)
	for i := range mounts {
		mounts[i] = mountTmpfs(t, 32)
		dirs[i] = filepath.Join(mounts[i], "drive")
	}
	l, err := Open(context.Background(), Config{Drives: dirs, DegradedWrites: true, DriveOptions: drive.Options{ReserveBytes: reserve}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	model := map[string][]byte{}
	put := func(key string, b []byte) error {
		_, err := l.PutObject(ctx, "bkt", key, newPayload(b), storage.PutOptions{})
		if err == nil {
			model[key] = b
		}
		return err
	}

	// One drive fills: room for one 2 MiB shard above its reserve.
	full := ballast(t, mounts[0], reserve+3<<20)
	for i := range 6 {
		key := fmt.Sprintf("one-full/%d", i)
		if err := put(key, randBytes(4<<20, uint64(i))); err != nil {
			t.Fatalf("PUT %s with one drive of four full: got %v, want nil (the write quorum holds)", key, err)
		}
		if err := put(key+"-small", []byte(key)); err != nil {
			t.Fatalf("PUT %s-small with one drive of four full: got %v, want nil", key, err)
		}
	}
	skipped := 0
	for k := range model {
		for _, p := range verifyRedundancy(t, l, "bkt", k) {
			if l.sets[0].drives[p.Pos].Endpoint() != dirs[0] {
				t.Errorf("%s: %v; only the full drive may miss shards", k, p)
			}
			skipped++
		}
	}
	if skipped == 0 {
		t.Fatal("no object lacks its shard on the full drive: the drive never filled")
	}
	for k, b := range model {
		healMustRead(t, l, "bkt", k, b)
	}

	// Space returns: healing puts the missing shards on the drive.
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	allOnline(t, l)
	for k := range model {
		if _, err := l.HealObject(ctx, "bkt", k); err != nil {
			t.Errorf("heal %s: got %v, want nil", k, err)
		}
		if p := verifyRedundancy(t, l, "bkt", k); len(p) != 0 {
			t.Errorf("after heal, %s: %v; want full redundancy", k, p)
		}
	}

	// Every drive fills: room for less than a shard of the next object.
	var ballasts []string
	for _, m := range mounts {
		ballasts = append(ballasts, ballast(t, m, reserve+1<<20))
	}
	err = put("all-full", randBytes(4<<20, 99))
	if !errors.Is(err, storage.ErrStorageFull) {
		t.Fatalf("PUT with every drive full: got %v, want ErrStorageFull (507)", err)
	}
	if _, err := l.StatObject(ctx, "bkt", "all-full", storage.GetOptions{}); !errors.Is(err, storage.ErrObjectNotFound) {
		t.Errorf("stat of the refused object: got %v, want not found", err)
	}
	keys, _, err := listAllErr(l, "bkt", storage.ListOptions{})
	if want := slices.Sorted(slices.Values(keysOf(model))); err != nil || !slices.Equal(keys, want) {
		t.Errorf("listing after the refused PUT: got %q, %v; want %q", keys, err, want)
	}
	for _, d := range dirs {
		if n := tmpEntries(t, d); n != 0 {
			t.Errorf("%s: %d staged entries after the refused PUT, want 0", d, n)
		}
	}

	// Space returns: writes succeed again, without a restart.
	for _, b := range ballasts {
		if err := os.Remove(b); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for err = put("all-full", randBytes(4<<20, 99)); err != nil; err = put("all-full", randBytes(4<<20, 99)) {
		if time.Now().After(deadline) {
			t.Fatalf("PUT once space returned: got %v, want nil", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	allOnline(t, l)
	for k, b := range model {
		healMustRead(t, l, "bkt", k, b)
		if _, err := l.HealObject(ctx, "bkt", k); err != nil {
			t.Errorf("heal %s: got %v, want nil", k, err)
		}
		if p := verifyRedundancy(t, l, "bkt", k); len(p) != 0 {
			t.Errorf("%s after space returned: %v; want full redundancy", k, p)
		}
	}
}

// allOnline runs the drive check healing runs every few seconds until
// every drive is online (for at most 10 s): a drive whose metadata store
// failed for lack of space (pebble could not preallocate its log) is
// opened again as soon as space returns.
func allOnline(t *testing.T, l *Layer) {
	t.Helper()
	ctx := context.Background()
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if _, err := l.CheckDrives(ctx); err != nil {
			t.Logf("check drives: %v", err)
		}
		info, err := l.StorageInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range info.Drives {
			if d.State != stateOnline {
				out = append(out, fmt.Sprintf("%s: %s (%s)", d.Endpoint, d.State, d.Reason))
			}
		}
		if len(out) == 0 {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("drives not online 10 s after space returned: %v", out)
		}
	}
}

// TestFullMetadataStore: the metadata store of one drive of four cannot
// create or preallocate its next log for lack of space (errorfs ENOSPC,
// as pebble meets a full disk below the reserve). Writes go on with the
// others, the drive shows offline with the reason, and the first drive
// check after space returns opens it again (not a minute later), after
// which healing gives it what it missed.
func TestFullMetadataStore(t *testing.T) {
	t.Parallel()
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
	var on errorfs.Toggle
	on.Injector = errorfs.InjectorFunc(func(op errorfs.Op) error {
		if strings.HasPrefix(op.Path, dirs[0]+string(filepath.Separator)) && strings.HasSuffix(op.Path, ".log") &&
			(op.Kind == errorfs.OpCreate || op.Kind == errorfs.OpReuseForWrite || op.Kind == errorfs.OpFilePreallocate) {
			return syscall.ENOSPC
		}
		return nil
	})
	dopts := drive.Options{MemTableSize: 64 << 10, MetaFS: errorfs.Wrap(vfs.Default, &on)}
	l, err := Open(context.Background(), Config{Drives: dirs, DegradedWrites: true, DriveOptions: dopts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	on.On()
	model := map[string][]byte{}
	var out storage.DriveInfo
	for i := range 200 {
		k := fmt.Sprintf("k%03d", i)
		model[k] = randBytes(8<<10, uint64(i))
		mustPut(t, l, "bkt", k, model[k])
		info, err := l.StorageInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := info.Drives[0]; d.Endpoint == dirs[0] && d.State != stateOnline {
			out = d
			break
		}
	}
	if out.State != stateOffline || !strings.Contains(out.Reason, "no space left") {
		t.Fatalf("drive whose store cannot grow its log: %s (%s), want offline for lack of space", out.State, out.Reason)
	}
	mustPut(t, l, "bkt", "while-out", []byte("while the drive is out"))
	model["while-out"] = []byte("while the drive is out")

	on.Off()
	if _, err := l.CheckDrives(ctx); err != nil {
		t.Fatalf("CheckDrives once space returned: %v", err)
	}
	info, err := l.StorageInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := info.Drives[0]; d.State != stateOnline {
		t.Fatalf("drive after the first check once space returned: %s (%s), want online", d.State, d.Reason)
	}
	for k, b := range model {
		if _, err := l.HealObject(ctx, "bkt", k); err != nil {
			t.Errorf("heal %s: got %v, want nil", k, err)
		}
		healMustRead(t, l, "bkt", k, b)
		if p := verifyRedundancy(t, l, "bkt", k); len(p) != 0 {
			t.Errorf("after heal, %s: %v; want full redundancy", k, p)
		}
	}
}

package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

var errCrash = errors.New("simulated crash")

// dataDirs counts the data directories on a drive folder.
func dataDirs(t *testing.T, root string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(root, ".hoard.sys", "data", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func tmpEntries(t *testing.T, root string) int {
	t.Helper()
	e, err := os.ReadDir(filepath.Join(root, ".hoard.sys", "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return len(e)
}

// reopen opens the folder again and waits for its orphan sweep.
func reopen(t *testing.T, dir string) *Layer {
	t.Helper()
	l, err := Open(context.Background(), Config{Drives: []string{dir}})
	if err != nil {
		t.Fatalf("reopen: got %v", err)
	}
	t.Cleanup(func() { l.Close() })
	<-localOf(t, l.drives[0]).Swept()
	return l
}

// localOf returns the local drive behind d's wrappers (the watchdog).
func localOf(t *testing.T, d drive.Drive) *drive.Local {
	t.Helper()
	for range 8 {
		switch w := d.(type) {
		case *drive.Local:
			return w
		case drive.Wrapper:
			d = w.Unwrap()
		default:
			t.Fatalf("drive %T is not a local drive", d)
		}
	}
	t.Fatalf("drive %T: too many wrappers", d)
	return nil
}

func TestCrashDuringCommit(t *testing.T) {
	oldBody := randBytes(1<<20+3, 1)
	newBody := randBytes(2<<20+5, 2)
	tests := []struct {
		step    string
		wantNew bool
	}{
		{drive.FaultBeforeRename, false},
		{drive.FaultBeforeCommit, false},
		{drive.FaultAfterCommit, true},
	}
	for _, tt := range tests {
		for _, size := range []string{"large", "inline"} {
			t.Run(tt.step+"/"+size, func(t *testing.T) {
				oldB, newB := oldBody, newBody
				if size == "inline" {
					oldB, newB = oldBody[:100], newBody[:200]
				}
				dir := t.TempDir()
				var armed sync.Mutex
				crash := false
				fault := func(step string) error {
					armed.Lock()
					defer armed.Unlock()
					if crash && step == tt.step {
						crash = false
						return errCrash
					}
					return nil
				}
				l, err := Open(context.Background(), Config{Drives: []string{dir}, DriveOptions: drive.Options{Fault: fault}})
				if err != nil {
					t.Fatal(err)
				}
				mustBucket(t, l, "bkt")
				mustPut(t, l, "bkt", "k", oldB)
				armed.Lock()
				crash = true
				armed.Unlock()
				_, perr := l.PutObject(context.Background(), "bkt", "k", newPayload(newB), storage.PutOptions{})
				l.Close() // the "crash": no cleanup beyond what already happened
				fired := perr != nil
				l2 := reopen(t, dir)
				got, err := readAll(l2, "bkt", "k")
				if err != nil {
					t.Fatalf("read after crash: got %v", err)
				}
				want := oldB
				if tt.wantNew || !fired {
					want = newB
				}
				if !bytes.Equal(got, want) {
					t.Errorf("after crash at %s: got %d bytes (old %v, new %v), want %d", tt.step, len(got), bytes.Equal(got, oldB), bytes.Equal(got, newB), len(want))
				}
				wantDirs := 0
				if size == "large" {
					wantDirs = 1
				}
				if n := dataDirs(t, dir); n != wantDirs {
					t.Errorf("data dirs after sweep: got %d, want %d", n, wantDirs)
				}
				if n := tmpEntries(t, dir); n != 0 {
					t.Errorf("tmp entries after reopen: got %d, want 0", n)
				}
			})
		}
	}
}

func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := st.Bavail * uint64(st.Bsize)
	mustBucketDir := func() *Layer {
		l, err := Open(context.Background(), Config{Drives: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := mustBucketDir()
	mustBucket(t, l, "bkt")
	mustPut(t, l, "bkt", "keep", randBytes(2<<20, 1))
	mustPut(t, l, "bkt", "small", []byte("s"))
	l.Close()

	// Reserve more than is free (with room for other processes freeing
	// space meanwhile): no write fits, reads and deletes must still work.
	l, err := Open(context.Background(), Config{Drives: []string{dir}, DriveOptions: drive.Options{ReserveBytes: free + 1<<30}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	_, err = l.PutObject(ctx, "bkt", "big", newPayload(randBytes(16<<20, 2)), storage.PutOptions{})
	wantErr(t, "put when full", err, storage.ErrStorageFull)
	_, err = l.PutObject(ctx, "bkt", "tiny", newPayload([]byte("x")), storage.PutOptions{})
	wantErr(t, "inline put when full", err, storage.ErrStorageFull)
	got, err := readAll(l, "bkt", "keep")
	if err != nil || len(got) != 2<<20 {
		t.Errorf("read when full: got %d bytes, %v", len(got), err)
	}
	if _, err := l.DeleteObject(ctx, "bkt", "small", storage.DeleteOptions{}); err != nil {
		t.Errorf("delete when full: got %v, want nil", err)
	}
	if n := tmpEntries(t, dir); n != 0 {
		t.Errorf("tmp entries after refused put: got %d, want 0", n)
	}
}

func TestInjectedENOSPC(t *testing.T) {
	dir := t.TempDir()
	fault := func(step string) error {
		if step == drive.FaultBeforeRename {
			return fmt.Errorf("rename: %w", syscall.ENOSPC)
		}
		return nil
	}
	l, err := Open(context.Background(), Config{Drives: []string{dir}, DriveOptions: drive.Options{Fault: fault}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mustBucket(t, l, "bkt")
	_, err = l.PutObject(context.Background(), "bkt", "k", newPayload(randBytes(1<<20, 3)), storage.PutOptions{})
	wantErr(t, "put with ENOSPC", err, storage.ErrStorageFull)
	if n := tmpEntries(t, dir); n != 0 {
		t.Errorf("staged data left: got %d tmp entries, want 0", n)
	}
	if _, err := l.StatObject(context.Background(), "bkt", "k", storage.GetOptions{}); !errorsIs(err, storage.ErrObjectNotFound) {
		t.Errorf("failed put visible: got %v", err)
	}
}

func TestBitrotDetected(t *testing.T) {
	l, dirs := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	body := randBytes(3<<20, 5)
	mustPut(t, l, "bkt", "k", body)
	files, _ := filepath.Glob(filepath.Join(dirs[0], ".hoard.sys", "data", "*", "*", "part.1"))
	if len(files) != 1 {
		t.Fatalf("shard files: got %d, want 1", len(files))
	}
	f, err := os.OpenFile(files[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte in the second block.
	off := int64(hashSize+DefaultBlockSize) + hashSize + 1000
	b := make([]byte, 1)
	f.ReadAt(b, off)
	b[0] ^= 0xff
	f.WriteAt(b, off)
	f.Close()
	if got, err := readRange(l, "bkt", "k", 0, 1<<20); err != nil || !bytes.Equal(got, body[:1<<20]) {
		t.Errorf("intact first block: got %d bytes, %v", len(got), err)
	}
	_, err = readAll(l, "bkt", "k")
	wantErr(t, "read corrupt block", err, storage.ErrCorrupt)
}

func TestReadWhileOverwritten(t *testing.T) {
	l, dirs := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	oldBody := randBytes(3<<20, 6)
	mustPut(t, l, "bkt", "k", oldBody)
	o, err := l.OpenObject(ctx, "bkt", "k", storage.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, l, "bkt", "k", randBytes(2<<20, 7))
	if _, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := o.Reader(0, o.Info().Size)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAllCloser(r)
	if err != nil || !bytes.Equal(got, oldBody) {
		t.Errorf("read of overwritten version: got %d bytes, %v; want the old %d", len(got), err, len(oldBody))
	}
	if n := l.pins.pending(); n != 1 {
		t.Errorf("pending removals while open: got %d, want 1", n)
	}
	o.Close()
	if n := l.pins.pending(); n != 0 {
		t.Errorf("pending removals after close: got %d, want 0", n)
	}
	if n := dataDirs(t, dirs[0]); n != 0 {
		t.Errorf("data dirs after close: got %d, want 0", n)
	}
}

func TestConcurrentWritersOneKey(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	const writers = 8
	bodies := make(map[string]bool)
	var wg sync.WaitGroup
	all := make([][]byte, writers)
	for i := range all {
		all[i] = randBytes(1000+i*40000, uint64(100+i)) // both inline and file-backed bodies
		bodies[md5hex(all[i])] = true
	}
	for i := 0; i < writers; i++ {
		body := all[i]
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := l.PutObject(context.Background(), "bkt", "k", newPayload(body), storage.PutOptions{}); err != nil {
					t.Errorf("put: got %v", err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				got, err := readAll(l, "bkt", "k")
				if errors.Is(err, storage.ErrObjectNotFound) {
					continue
				}
				if err != nil || !bodies[md5hex(got)] {
					t.Errorf("concurrent read: got %d bytes, %v; want one written body", len(got), err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := readAll(l, "bkt", "k")
	if err != nil || !bodies[md5hex(got)] {
		t.Errorf("final body: got %d bytes, %v; want one of the written bodies", len(got), err)
	}
	st, _ := l.StatObject(context.Background(), "bkt", "k", storage.GetOptions{})
	if st.ETag != md5hex(got) {
		t.Errorf("etag: got %s, want %s (md5 of body)", st.ETag, md5hex(got))
	}
}

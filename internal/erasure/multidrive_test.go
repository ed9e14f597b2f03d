package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

var errOffline = errors.New("drive offline")

// flakyDrive is a Drive that fails every call while down, like a
// disconnected disk or node.
type flakyDrive struct {
	drive.Drive
	down      atomic.Bool
	failApply atomic.Bool // only metadata commits fail
}

func (f *flakyDrive) err() error {
	if f.down.Load() {
		return errOffline
	}
	return nil
}

func (f *flakyDrive) ReadFormat(ctx context.Context) (drive.Format, error) {
	if err := f.err(); err != nil {
		return drive.Format{}, err
	}
	return f.Drive.ReadFormat(ctx)
}

func (f *flakyDrive) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	if err := f.err(); err != nil {
		return drive.DiskInfo{}, err
	}
	return f.Drive.DiskInfo(ctx)
}

func (f *flakyDrive) MakeBucket(ctx context.Context, name string, v []byte) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Drive.MakeBucket(ctx, name, v)
}

func (f *flakyDrive) DeleteBucket(ctx context.Context, name string) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Drive.DeleteBucket(ctx, name)
}

func (f *flakyDrive) Get(ctx context.Context, ns drive.Namespace, key string) ([]byte, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Drive.Get(ctx, ns, key)
}

func (f *flakyDrive) Walk(ctx context.Context, o drive.WalkOptions) (drive.WalkResult, error) {
	if err := f.err(); err != nil {
		return drive.WalkResult{}, err
	}
	return f.Drive.Walk(ctx, o)
}

func (f *flakyDrive) Apply(ctx context.Context, b drive.Batch) error {
	if err := f.err(); err != nil {
		return err
	}
	if f.failApply.Load() {
		return errOffline
	}
	return f.Drive.Apply(ctx, b)
}

func (f *flakyDrive) CreateShard(ctx context.Context, stage, name string, size int64) (drive.ShardWriter, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Drive.CreateShard(ctx, stage, name, size)
}

func (f *flakyDrive) ReadShard(ctx context.Context, dir meta.DataDir, name string, off, n int64) (io.ReadCloser, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Drive.ReadShard(ctx, dir, name, off, n)
}

// openFlaky opens n local drives wrapped in flakyDrive.
func openFlaky(t *testing.T, n int, mod func(*Config)) (*Layer, []*flakyDrive, []string) {
	t.Helper()
	var drives []drive.Drive
	var flaky []*flakyDrive
	var dirs []string
	for i := 0; i < n; i++ {
		dir := t.TempDir()
		d, err := drive.OpenLocal(dir, drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f := &flakyDrive{Drive: d}
		drives, flaky, dirs = append(drives, f), append(flaky, f), append(dirs, dir)
	}
	var cfg Config
	if mod != nil {
		mod(&cfg)
	}
	l, err := New(context.Background(), cfg, drives)
	if err != nil {
		t.Fatalf("New: got %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, flaky, dirs
}

func TestErasureLayouts(t *testing.T) {
	tests := []struct {
		drives, setSize, data, parity, sets int
	}{
		{2, 0, 1, 1, 1},
		{3, 0, 2, 1, 1},
		{4, 0, 2, 2, 1},
		{6, 0, 4, 2, 1},
		{8, 0, 4, 4, 1},
		{16, 0, 12, 4, 1},
		{4, 2, 1, 1, 2},
	}
	sizes := []int{0, 1, 1000, 200 << 10, 1<<20 + 1, 2<<20 + 12345}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d drives set %d", tt.drives, tt.setSize), func(t *testing.T) {
			l, flaky, _ := openFlaky(t, tt.drives, func(c *Config) { c.SetSize = tt.setSize })
			if len(l.sets) != tt.sets || l.sets[0].data != tt.data || l.sets[0].parity != tt.parity {
				t.Fatalf("layout: got %d sets of %d+%d, want %d of %d+%d", len(l.sets), l.sets[0].data, l.sets[0].parity, tt.sets, tt.data, tt.parity)
			}
			mustBucket(t, l, "bkt")
			bodies := map[string][]byte{}
			for i, n := range sizes {
				key := fmt.Sprintf("k%d", i)
				bodies[key] = randBytes(n, uint64(i+7))
				mustPut(t, l, "bkt", key, bodies[key])
			}
			// Every combination of `parity` drives down within the first set
			// (here: the first parity drives, then the last parity drives).
			for _, down := range [][]int{nil, seq(0, tt.parity), seq(tt.data, tt.parity)} {
				for _, i := range down {
					flaky[i].down.Store(true)
				}
				for key, body := range bodies {
					got, err := readAll(l, "bkt", key)
					if err != nil || !bytes.Equal(got, body) {
						t.Errorf("drives %v down, %s: got %d bytes, %v; want %d", down, key, len(got), err, len(body))
					}
				}
				keys, _, _ := listAll(t, l, "bkt", storage.ListOptions{})
				if len(keys) != len(sizes) {
					t.Errorf("drives %v down: listed %d keys, want %d", down, len(keys), len(sizes))
				}
				for _, i := range down {
					flaky[i].down.Store(false)
				}
			}
		})
	}
}

func seq(start, n int) []int {
	var s []int
	for i := start; i < start+n; i++ {
		s = append(s, i)
	}
	return s
}

func TestWriteQuorum(t *testing.T) {
	l, flaky, _ := openFlaky(t, 4, nil) // 2+2: write quorum 3
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	flaky[1].down.Store(true)
	big := randBytes(3<<20, 1)
	mustPut(t, l, "bkt", "one-down", big)
	mustPut(t, l, "bkt", "one-down-small", []byte("small"))
	flaky[2].down.Store(true)
	_, err := l.PutObject(ctx, "bkt", "two-down", newPayload(big), storage.PutOptions{})
	wantErr(t, "put with 2 of 4 down", err, storage.ErrWriteQuorum)
	_, err = l.PutObject(ctx, "bkt", "two-down-small", newPayload([]byte("x")), storage.PutOptions{})
	wantErr(t, "small put with 2 of 4 down", err, storage.ErrWriteQuorum)
	got, err := readAll(l, "bkt", "one-down")
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("read with 2 down: got %d bytes, %v", len(got), err)
	}
	flaky[3].down.Store(true)
	_, err = readAll(l, "bkt", "one-down")
	if !errors.Is(err, storage.ErrReadQuorum) && !errors.Is(err, storage.ErrCorrupt) {
		t.Errorf("read with 3 of 4 down: got %v, want ErrReadQuorum or ErrCorrupt", err)
	}
	for _, f := range flaky {
		f.down.Store(false)
	}
	if _, err := l.StatObject(ctx, "bkt", "two-down", storage.GetOptions{}); !errors.Is(err, storage.ErrObjectNotFound) {
		t.Errorf("failed put visible: got %v, want ErrObjectNotFound", err)
	}
}

func TestReconstructCorruptShard(t *testing.T) {
	l, _, dirs := openFlaky(t, 4, nil)
	mustBucket(t, l, "bkt")
	body := randBytes(3<<20+5, 9)
	mustPut(t, l, "bkt", "k", body)
	// Corrupt the shard files of two drives (parity 2 tolerates two).
	for _, dir := range dirs[:2] {
		files, _ := filepath.Glob(filepath.Join(dir, ".hoard.sys", "data", "*", "*", "part.1"))
		if len(files) != 1 {
			t.Fatalf("shard files on %s: got %d, want 1", dir, len(files))
		}
		if err := os.WriteFile(files[0], bytes.Repeat([]byte{0xaa}, 4096), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readAll(l, "bkt", "k")
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("read with 2 corrupt shards: got %d bytes, %v", len(got), err)
	}
	got, err = readRange(l, "bkt", "k", 1<<20-3, 1<<20+10)
	if err != nil || !bytes.Equal(got, body[1<<20-3:2<<20+7]) {
		t.Errorf("range with 2 corrupt shards: got %d bytes, %v", len(got), err)
	}
}

func TestMultiDriveReopen(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
	l, err := Open(context.Background(), Config{Drives: dirs})
	if err != nil {
		t.Fatal(err)
	}
	mustBucket(t, l, "bkt")
	body := randBytes(1<<20+3, 3)
	mustPut(t, l, "bkt", "k", body)
	l.Close()
	// Drive order does not matter: the format places each drive.
	l, err = Open(context.Background(), Config{Drives: []string{dirs[2], dirs[0], dirs[3], dirs[1]}})
	if err != nil {
		t.Fatalf("reopen shuffled: got %v", err)
	}
	defer l.Close()
	got, err := readAll(l, "bkt", "k")
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("read after shuffled reopen: got %d bytes, %v", len(got), err)
	}
	if _, err := Open(context.Background(), Config{Drives: []string{dirs[0], t.TempDir()}}); err == nil {
		t.Errorf("open with a drive of a 4-drive deployment as 2 drives: got nil, want error")
	}
}

func TestPartialCommitReverted(t *testing.T) {
	l, flaky, dirs := openFlaky(t, 4, nil) // write quorum 3
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	for _, size := range []int{100, 3 << 20} {
		key := fmt.Sprintf("k%d", size)
		oldBody, newBody := randBytes(size, 1), randBytes(size, 2)
		mustPut(t, l, "bkt", key, oldBody)
		flaky[0].failApply.Store(true)
		flaky[3].failApply.Store(true)
		_, err := l.PutObject(ctx, "bkt", key, newPayload(newBody), storage.PutOptions{})
		wantErr(t, "put with 2 commits failing", err, storage.ErrWriteQuorum)
		flaky[0].failApply.Store(false)
		flaky[3].failApply.Store(false)
		// Every pair of drives that answers must agree on the old version.
		for _, down := range [][]int{{0, 3}, {1, 2}, {0, 1}} {
			flaky[down[0]].down.Store(true)
			flaky[down[1]].down.Store(true)
			got, err := readAll(l, "bkt", key)
			if err != nil || !bytes.Equal(got, oldBody) {
				t.Errorf("size %d, drives %v down: got %d bytes (new %v), %v; want the old body", size, down, len(got), bytes.Equal(got, newBody), err)
			}
			flaky[down[0]].down.Store(false)
			flaky[down[1]].down.Store(false)
		}
	}
	for _, dir := range dirs {
		if n := dataDirs(t, dir); n != 1 {
			t.Errorf("data dirs on %s: got %d, want 1 (the old large version)", dir, n)
		}
	}
}

func TestMultiDriveMultipart(t *testing.T) {
	l, flaky, _ := openFlaky(t, 4, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	up, err := l.NewMultipartUpload(ctx, "bkt", "mp", storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := randBytes(storage.MinPartSize+3, 1), randBytes(700<<10, 2)
	flaky[0].down.Store(true) // part 1 lands on three drives only
	if _, err := l.PutObjectPart(ctx, "bkt", "mp", up.UploadID, 1, newPayload(p1)); err != nil {
		t.Fatalf("part 1 with a drive down: got %v", err)
	}
	flaky[0].down.Store(false)
	if _, err := l.PutObjectPart(ctx, "bkt", "mp", up.UploadID, 2, newPayload(p2)); err != nil {
		t.Fatal(err)
	}
	cps := []storage.CompletePart{{Number: 1, ETag: md5hex(p1)}, {Number: 2, ETag: md5hex(p2)}}
	if _, err := l.CompleteMultipartUpload(ctx, "bkt", "mp", up.UploadID, cps, storage.CompleteOptions{}); err != nil {
		t.Fatalf("complete: got %v", err)
	}
	want := append(append([]byte{}, p1...), p2...)
	for _, down := range []int{-1, 1, 3} {
		if down >= 0 {
			flaky[down].down.Store(true)
		}
		got, err := readAll(l, "bkt", "mp")
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("drive %d down: got %d bytes, %v; want %d", down, len(got), err, len(want))
		}
		if down >= 0 {
			flaky[down].down.Store(false)
		}
	}
	si, err := l.StorageInfo(ctx)
	if err != nil || len(si.Drives) != 4 || si.DataShards != 2 || si.ParityShards != 2 || si.UsableBytes != si.RawBytes/2 {
		t.Errorf("StorageInfo: got %d drives %d+%d usable %d raw %d, %v; want 4 drives 2+2, usable half", len(si.Drives), si.DataShards, si.ParityShards, si.UsableBytes, si.RawBytes, err)
	}
	flaky[2].down.Store(true)
	si, _ = l.StorageInfo(ctx)
	if si.Drives[2].State != "offline" {
		t.Errorf("offline drive state: got %q, want offline", si.Drives[2].State)
	}
	flaky[2].down.Store(false)
}

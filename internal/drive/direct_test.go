package drive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hoardstore/hoard/internal/meta"
)

func TestBufClass(t *testing.T) {
	for _, tc := range []struct {
		size int64
		want int
	}{
		{directMinSize, 0}, {directMinSize + 1, 0}, {2*directMinSize - 1, 0}, {2 * directMinSize, 1},
		{512<<10 + 32, 3}, {directMaxBuf - 1, 3}, {directMaxBuf, 4}, {64 << 20, 4},
	} {
		if got := bufClass(tc.size); got != tc.want {
			t.Errorf("bufClass(%d): got %d, want %d", tc.size, got, tc.want)
		}
	}
}

// TestShardWriterSizes writes shards of sizes around the alignment and
// buffer boundaries in uneven chunks, commits them and reads them back.
func TestShardWriterSizes(t *testing.T) {
	sizes := []int64{0, 1, 4095, 4096, directMinSize - 1, directMinSize, directMinSize + 1,
		512<<10 + 32, directMaxBuf, directMaxBuf + 4096, 3<<20 + 17}
	for _, buffered := range []bool{false, true} {
		t.Run(fmt.Sprintf("buffered=%v", buffered), func(t *testing.T) {
			t.Parallel()
			l := openLocal(t, t.TempDir())
			if buffered {
				l.dio.refuse()
			}
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			for i, size := range sizes {
				body := make([]byte, size)
				for j := range body {
					body[j] = byte(rng.Uint32())
				}
				stage := fmt.Sprintf("%02x", i)
				w, err := l.CreateShard(ctx, stage, "part.1", size)
				if err != nil {
					t.Fatalf("CreateShard(%d): got %v", size, err)
				}
				for rest := body; len(rest) > 0; {
					n := min(len(rest), 1+rng.IntN(600<<10))
					if _, err := w.Write(rest[:n]); err != nil {
						t.Fatalf("Write(%d): got %v", size, err)
					}
					rest = rest[n:]
				}
				if err := w.Close(); err != nil {
					t.Fatalf("Close(%d): got %v", size, err)
				}
				dir := meta.DataDir{byte(i + 1)}
				if err := l.Apply(ctx, Batch{Stage: stage, DataDir: dir}); err != nil {
					t.Fatalf("Apply(%d): got %v", size, err)
				}
				r, err := l.ReadShard(ctx, dir, "part.1", 0, size+1)
				if err != nil {
					t.Fatalf("ReadShard(%d): got %v", size, err)
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || !bytes.Equal(got, body) {
					t.Errorf("size %d: got %d bytes (equal %v, err %v), want %d", size, len(got), bytes.Equal(got, body), err, size)
				}
			}
			wantMode := directOff
			if !buffered && directWorks(t, l.stagePath("")) {
				wantMode = directOn
			}
			if got := l.dio.mode.Load(); got != wantMode {
				t.Errorf("direct mode: got %d, want %d", got, wantMode)
			}
		})
	}
}

// directWorks says whether the filesystem of dir takes O_DIRECT writes.
func directWorks(t *testing.T, dir string) bool {
	f, err := openDirect(filepath.Join(dir, "probe"))
	if err != nil {
		return false
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := (&directIO{}).get(directMinSize)
	_, err = f.WriteAt(buf.b, 0)
	return !directRefused(err)
}

func TestShardWriterAbort(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	w, err := l.CreateShard(ctx, "ab", "part.1", 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 1<<20+5)); err != nil {
		t.Fatalf("Write: got %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: got %v, want nil", err)
	}
	if _, err := os.Stat(l.stagePath("ab") + "/part.1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("aborted shard: got %v, want not exist", err)
	}
}

// BenchmarkShardWriter writes 8 MiB shard files in erasure frames (a
// 512 KiB shard block behind its 32-byte hash), one file or four at once
// frame by frame as the erasure encoder does, fdatasynced on close, direct
// and buffered.
func BenchmarkShardWriter(b *testing.B) {
	const size = 8 << 20
	frame := make([]byte, 512<<10+32)
	for _, buffered := range []bool{false, true} {
		for _, files := range []int{1, 4} {
			b.Run(fmt.Sprintf("buffered=%v/files=%d", buffered, files), func(b *testing.B) {
				l, err := OpenLocal(b.TempDir(), Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				if buffered {
					l.dio.refuse()
				}
				b.SetBytes(size * int64(files))
				for b.Loop() {
					benchWriteShards(b, l, files, size, frame)
				}
			})
		}
	}
}

func benchWriteShards(b *testing.B, l *Local, files int, size int, frame []byte) {
	ctx := context.Background()
	ws := make([]ShardWriter, files)
	for i := range ws {
		w, err := l.CreateShard(ctx, "be", fmt.Sprintf("part.%d", i), int64(size))
		if err != nil {
			b.Fatal(err)
		}
		ws[i] = w
	}
	for n := 0; n < size; n += len(frame) {
		for _, w := range ws {
			if _, err := w.Write(frame[:min(len(frame), size-n)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Close(); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := l.RemoveStage(ctx, "be"); err != nil {
		b.Fatal(err)
	}
}

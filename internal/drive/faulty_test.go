package drive

import (
	"context"
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/meta"
)

// faultyCalls exercises every Drive method of f once; each entry says whether
// the call writes and returns its error.
func faultyCalls(f Drive, dir meta.DataDir) []struct {
	name  string
	write bool
	call  func() error
} {
	ctx := context.Background()
	return []struct {
		name  string
		write bool
		call  func() error
	}{
		{"ReadFormat", false, func() error { _, err := f.ReadFormat(ctx); return err }},
		{"DiskInfo", false, func() error { _, err := f.DiskInfo(ctx); return err }},
		{"Get", false, func() error { _, err := f.Get(ctx, NSBucket, "b"); return err }},
		{"Walk", false, func() error { _, err := f.Walk(ctx, WalkOptions{NS: NSBucket, Limit: 10}); return err }},
		{"ListShards", false, func() error { _, err := f.ListShards(ctx, dir); return err }},
		{"ReadShard", false, func() error {
			r, err := f.ReadShard(ctx, dir, "part.1", 0, 5)
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.ReadAll(r)
			return err
		}},
		{"WriteFormat", true, func() error {
			return f.WriteFormat(ctx, Format{Version: 1, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}})
		}},
		{"MakeBucket", true, func() error {
			err := f.MakeBucket(ctx, "c", []byte("v"))
			if errors.Is(err, ErrExists) {
				return nil
			}
			return err
		}},
		{"DeleteBucket", true, func() error {
			err := f.DeleteBucket(ctx, "gone")
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			return err
		}},
		{"Apply", true, func() error {
			return f.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSBucket, Key: "k", Value: []byte("v")}}})
		}},
		{"CreateShard", true, func() error {
			w, err := f.CreateShard(ctx, "ab", "part.1", 3)
			if err != nil {
				return err
			}
			if _, err := w.Write([]byte("abc")); err != nil {
				w.Abort()
				return err
			}
			return w.Close()
		}},
		{"RemoveStage", true, func() error { return f.RemoveStage(ctx, "ab") }},
		{"RemoveShards", true, func() error { return f.RemoveShards(ctx, meta.DataDir{1}, []string{"part.1"}) }},
		{"RemoveDataDir", true, func() error { return f.RemoveDataDir(ctx, meta.DataDir{1}) }},
	}
}

// newFaultyWithShard returns a Faulty over a fresh local drive holding a
// bucket "b" and a committed 5-byte shard file part.1 in the returned
// data directory.
func newFaultyWithShard(t *testing.T) (*Faulty, meta.DataDir) {
	t.Helper()
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "b", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteFormat(ctx, Format{Version: 1, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}}); err != nil {
		t.Fatal(err)
	}
	dir := meta.DataDir{0xaa}
	w, err := l.CreateShard(ctx, "aa", "part.1", 5)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(ctx, Batch{Stage: "aa", DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	return NewFaulty(l), dir
}

func TestFaultyModes(t *testing.T) {
	tests := []struct {
		mode      FaultMode
		errno     syscall.Errno // 0: no call fails
		writeOnly bool
	}{
		{FaultNone, 0, false},
		{FaultRemoved, syscall.ENOENT, false},
		{FaultEIO, syscall.EIO, false},
		{FaultReadOnly, syscall.EROFS, true},
		{FaultSlow, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			f, dir := newFaultyWithShard(t)
			f.SetDelay(2 * time.Millisecond)
			f.SetMode(tt.mode)
			for _, c := range faultyCalls(f, dir) {
				start := time.Now()
				err := c.call()
				wantFail := tt.errno != 0 && (c.write || !tt.writeOnly)
				switch {
				case wantFail && !errors.Is(err, tt.errno):
					t.Errorf("%s: got %v, want %v", c.name, err, tt.errno)
				case !wantFail && err != nil:
					t.Errorf("%s: got %v, want nil", c.name, err)
				}
				if errors.Is(err, ErrNotFound) {
					t.Errorf("%s: got %v; an injected fault must not read as a missing record", c.name, err)
				}
				if tt.mode == FaultSlow && time.Since(start) < 2*time.Millisecond {
					t.Errorf("%s: took %v, want at least the 2ms delay", c.name, time.Since(start))
				}
			}
			if f.Mode() != tt.mode {
				t.Errorf("Mode: got %v, want %v", f.Mode(), tt.mode)
			}
		})
	}
}

// TestFaultySwitchMidStream: a stream opened before the fault follows it.
func TestFaultySwitchMidStream(t *testing.T) {
	tests := []struct {
		mode  FaultMode
		errno syscall.Errno
	}{
		{FaultRemoved, syscall.ENOENT},
		{FaultEIO, syscall.EIO},
		{FaultReadOnly, syscall.EROFS},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			f, dir := newFaultyWithShard(t)
			ctx := context.Background()
			w, err := f.CreateShard(ctx, "bb", "part.1", 6)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.ReadShard(ctx, dir, "part.1", 0, 5)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			f.SetMode(tt.mode)
			if _, err := w.Write([]byte("abc")); !errors.Is(err, tt.errno) {
				t.Errorf("Write after switch: got %v, want %v", err, tt.errno)
			}
			if err := w.Close(); !errors.Is(err, tt.errno) {
				t.Errorf("Close after switch: got %v, want %v", err, tt.errno)
			}
			_, err = io.ReadAll(r)
			if tt.mode == FaultReadOnly && err != nil {
				t.Errorf("read on a read-only drive: got %v, want nil", err)
			}
			if tt.mode != FaultReadOnly && !errors.Is(err, tt.errno) {
				t.Errorf("read after switch: got %v, want %v", err, tt.errno)
			}
			if f.Faults() == 0 {
				t.Errorf("Faults: got 0, want > 0")
			}
			f.SetMode(FaultNone)
			if _, err := f.Get(ctx, NSBucket, "b"); err != nil {
				t.Errorf("Get after recovery: got %v, want nil", err)
			}
		})
	}
}

func TestFaultySlowHonoursContext(t *testing.T) {
	f, _ := newFaultyWithShard(t)
	f.SetMode(FaultSlow)
	f.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.Get(ctx, NSBucket, "b")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get: got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Get took %v, want it cut short by the context", d)
	}
}

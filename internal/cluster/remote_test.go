package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// fixture is a drive under test and the local folder behind it.
type fixture struct {
	d    drive.Drive
	root string
}

// fixtures returns the same kind of drive two ways: used directly, and
// through the RPC server and a Remote client. Every behaviour test runs
// on both, so a remote drive behaves exactly like a local one.
func fixtures(t *testing.T, opts drive.Options) map[string]func(t *testing.T) fixture {
	return map[string]func(t *testing.T) fixture{
		"local": func(t *testing.T) fixture {
			l := openLocal(t, opts)
			return fixture{d: l, root: l.Root()}
		},
		"remote": func(t *testing.T) fixture {
			l := openLocal(t, opts)
			n := startNode(t, testSecret, map[string]drive.Drive{"/srv/d1": l})
			p := newTestPeer(t, n.host(), testSecret, PeerOptions{})
			waitOnline(t, p, true)
			return fixture{d: NewRemote(p, "http://"+n.host()+"/srv/d1", "/srv/d1"), root: l.Root()}
		},
	}
}

func forEachFixture(t *testing.T, opts drive.Options, fn func(t *testing.T, f fixture)) {
	t.Helper()
	for name, mk := range fixtures(t, opts) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, mk(t))
		})
	}
}

func randBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func wantErr(t *testing.T, what string, err, marker error) {
	t.Helper()
	if !errors.Is(err, marker) {
		t.Fatalf("%s: got error %v, want %v", what, err, marker)
	}
}

func TestDriveFormat(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		_, err := f.d.ReadFormat(ctx)
		wantErr(t, "ReadFormat of a new drive", err, drive.ErrUnformatted)
		want := drive.Format{Version: 1, Deployment: "dep", DriveID: "id1", Sets: [][]string{{"id1", "id2"}}}
		if err := os.WriteFile(filepath.Join(f.root, ".hoard.sys", "format.json"), []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = f.d.ReadFormat(ctx)
		wantErr(t, "ReadFormat of a damaged format file", err, drive.ErrFormatCorrupt)
		if err := f.d.WriteFormat(ctx, want); err != nil {
			t.Fatalf("WriteFormat: %v", err)
		}
		got, err := f.d.ReadFormat(ctx)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ReadFormat: got %+v, %v; want %+v", got, err, want)
		}
		di, err := f.d.DiskInfo(ctx)
		if err != nil || di.TotalBytes == 0 || di.FreeBytes > di.TotalBytes || di.Endpoint != f.d.Endpoint() {
			t.Fatalf("DiskInfo: got %+v, %v; want sizes and endpoint %s", di, err, f.d.Endpoint())
		}
	})
}

func TestDriveBuckets(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		steps := []struct {
			name string
			do   func() error
			want error
		}{
			{"make", func() error { return f.d.MakeBucket(ctx, "b1", []byte{1, 2}) }, nil},
			{"make again", func() error { return f.d.MakeBucket(ctx, "b1", []byte{3}) }, drive.ErrExists},
			{"delete", func() error { return f.d.DeleteBucket(ctx, "b1") }, nil},
			{"delete again", func() error { return f.d.DeleteBucket(ctx, "b1") }, drive.ErrNotFound},
			{"make with empty value", func() error { return f.d.MakeBucket(ctx, "b2", nil) }, nil},
		}
		for _, s := range steps {
			err := s.do()
			if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
				t.Fatalf("%s: got %v, want %v", s.name, err, s.want)
			}
		}
		v, err := f.d.Get(ctx, drive.NSBucket, "b2")
		if err != nil || len(v) != 0 {
			t.Fatalf("Get bucket b2: got %q, %v; want empty value", v, err)
		}
	})
}

func TestDriveRecordsAndWalk(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		_, err := f.d.Get(ctx, drive.NSObject, drive.ObjectKey("b", "missing"))
		wantErr(t, "Get missing", err, drive.ErrNotFound)
		keys := []string{"a/1", "a/2", "b", "c/d/e", "c/x", "z\u00e9", "p\x01q"}
		var muts []drive.Mutation
		for i, k := range keys {
			muts = append(muts, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey("bk", k), Value: bytes.Repeat([]byte{byte(i)}, i*100+1)})
		}
		muts = append(muts, drive.Mutation{NS: drive.NSPart, Key: drive.PartKey("upload", 7), Value: []byte("part")})
		if err := f.d.Apply(ctx, drive.Batch{Mutations: muts}); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		for i, k := range keys {
			v, err := f.d.Get(ctx, drive.NSObject, drive.ObjectKey("bk", k))
			if err != nil || !bytes.Equal(v, muts[i].Value) {
				t.Fatalf("Get %q: got %d bytes, %v; want %d bytes", k, len(v), err, len(muts[i].Value))
			}
		}
		if v, err := f.d.Get(ctx, drive.NSPart, drive.PartKey("upload", 7)); err != nil || string(v) != "part" {
			t.Fatalf("Get part: got %q, %v; want part", v, err)
		}
		walks := []struct {
			name string
			opts drive.WalkOptions
			want []string
			more bool
		}{
			{"all", drive.WalkOptions{Limit: 100}, []string{"a/1", "a/2", "b", "c/d/e", "c/x", "p\x01q", "z\u00e9"}, false},
			{"delimiter", drive.WalkOptions{Delimiter: "/", Limit: 100}, []string{"a/", "b", "c/", "p\x01q", "z\u00e9"}, false},
			{"prefix", drive.WalkOptions{Prefix: "c/", Delimiter: "/", Limit: 100}, []string{"c/d/", "c/x"}, false},
			{"start and limit", drive.WalkOptions{Start: "a/2", Limit: 2}, []string{"a/2", "b"}, true},
			{"keys only", drive.WalkOptions{Limit: 1, KeysOnly: true}, []string{"a/1"}, true},
		}
		for _, w := range walks {
			t.Run(w.name, func(t *testing.T) {
				o := w.opts
				o.NS, o.Scope = drive.NSObject, drive.ObjectScope("bk")
				res, err := f.d.Walk(ctx, o)
				if err != nil {
					t.Fatalf("Walk: %v", err)
				}
				var names []string
				for _, e := range res.Entries {
					names = append(names, e.Name)
					if !e.IsPrefix && !o.KeysOnly && e.Value == nil {
						t.Fatalf("entry %q: got nil value, want its record", e.Name)
					}
					if o.KeysOnly && e.Value != nil {
						t.Fatalf("entry %q: got a value with KeysOnly", e.Name)
					}
				}
				if !reflect.DeepEqual(names, w.want) || res.Truncated != w.more {
					t.Fatalf("got %q truncated=%v, want %q truncated=%v", names, res.Truncated, w.want, w.more)
				}
			})
		}
		del := drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: drive.ObjectKey("bk", "b"), Delete: true}}}
		if err := f.d.Apply(ctx, del); err != nil {
			t.Fatalf("Apply delete: %v", err)
		}
		_, err = f.d.Get(ctx, drive.NSObject, drive.ObjectKey("bk", "b"))
		wantErr(t, "Get deleted", err, drive.ErrNotFound)
	})
}

func newDir() meta.DataDir { return meta.DataDir(uuid.New()) }

// stage writes data as shard name of a new stage and returns the stage.
func stageShard(t *testing.T, d drive.Drive, name string, data []byte) string {
	t.Helper()
	stage := uuid.NewString()
	w, err := d.CreateShard(context.Background(), stage, name, int64(len(data)))
	if err != nil {
		t.Fatalf("CreateShard: %v", err)
	}
	for off := 0; off < len(data); off += 100_000 {
		if _, err := w.Write(data[off:min(off+100_000, len(data))]); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return stage
}

func readAll(t *testing.T, d drive.Drive, dir meta.DataDir, name string, off, n int64) ([]byte, error) {
	t.Helper()
	rc, err := d.ReadShard(context.Background(), dir, name, off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestDriveShards(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		data := randBytes(t, 3<<20+17)
		stage := stageShard(t, f.d, "part.1", data)
		dir := newDir()
		if err := f.d.Apply(ctx, drive.Batch{Stage: stage, DataDir: dir}); err != nil {
			t.Fatalf("Apply stage: %v", err)
		}
		ranges := []struct{ off, n int64 }{{0, int64(len(data))}, {0, 0}, {1 << 20, 12345}, {int64(len(data)) - 1, 1}}
		for _, r := range ranges {
			got, err := readAll(t, f.d, dir, "part.1", r.off, r.n)
			if err != nil || !bytes.Equal(got, data[r.off:r.off+r.n]) {
				t.Fatalf("ReadShard %d+%d: got %d bytes, %v; want the range", r.off, r.n, len(got), err)
			}
		}
		_, err := readAll(t, f.d, dir, "part.2", 0, 1)
		wantErr(t, "ReadShard missing file", err, drive.ErrNotFound)
		_, err = readAll(t, f.d, newDir(), "part.1", 0, 1)
		wantErr(t, "ReadShard missing dir", err, drive.ErrNotFound)
		_, err = readAll(t, f.d, dir, "../x", 0, 1)
		wantErr(t, "ReadShard bad name", err, drive.ErrInvalidArgument)
		if got, err := readAll(t, f.d, dir, "part.1", int64(len(data))-10, 20); err == nil && len(got) == 20 {
			t.Fatalf("ReadShard past the end: got 20 bytes and no error, want a short read or error")
		}
		if names, err := f.d.ListShards(ctx, dir); err != nil || !reflect.DeepEqual(names, []string{"part.1"}) {
			t.Fatalf("ListShards: got %q, %v; want [part.1]", names, err)
		}
		if names, err := f.d.ListShards(ctx, newDir()); err != nil || names != nil {
			t.Fatalf("ListShards of a missing dir: got %q, %v; want none", names, err)
		}
		if err := f.d.RemoveShards(ctx, dir, []string{"part.1", "part.9"}); err != nil {
			t.Fatalf("RemoveShards: %v", err)
		}
		_, err = readAll(t, f.d, dir, "part.1", 0, 1)
		wantErr(t, "ReadShard removed", err, drive.ErrNotFound)
		if err := f.d.RemoveDataDir(ctx, dir); err != nil {
			t.Fatalf("RemoveDataDir: %v", err)
		}
		if _, err := os.Stat(filepath.Join(f.root, ".hoard.sys", "data", hexOf(dir)[:2], hexOf(dir))); !os.IsNotExist(err) {
			t.Fatalf("data dir after RemoveDataDir: got %v, want not exist", err)
		}
	})
}

func TestDriveShardErrorsAndAbort(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		_, err := f.d.CreateShard(ctx, "not-hex!", "part.1", 10)
		wantErr(t, "CreateShard bad stage", err, drive.ErrInvalidArgument)
		_, err = f.d.CreateShard(ctx, "abc", ".hidden", 10)
		wantErr(t, "CreateShard bad name", err, drive.ErrInvalidArgument)

		stage := "0123abcd"
		w, err := f.d.CreateShard(ctx, stage, "part.1", 1<<20)
		if err != nil {
			t.Fatalf("CreateShard: %v", err)
		}
		if _, err := w.Write(randBytes(t, 300_000)); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort: %v", err)
		}
		stageFile := filepath.Join(f.root, ".hoard.sys", "tmp", stage, "part.1")
		if _, err := os.Stat(stageFile); !os.IsNotExist(err) {
			t.Fatalf("staged file after Abort: got %v, want not exist", err)
		}
		stageShard(t, f.d, "part.2", []byte("kept"))
		other := stageShard(t, f.d, "part.3", []byte("dropped"))
		if err := f.d.RemoveStage(ctx, other); err != nil {
			t.Fatalf("RemoveStage: %v", err)
		}
		if _, err := os.Stat(filepath.Join(f.root, ".hoard.sys", "tmp", other)); !os.IsNotExist(err) {
			t.Fatalf("stage after RemoveStage: got %v, want not exist", err)
		}
	})
}

func TestDriveFull(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{ReserveBytes: 1 << 62}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		_, err := f.d.CreateShard(ctx, "abcd", "part.1", 1<<20)
		wantErr(t, "CreateShard on a full drive", err, storage.ErrStorageFull)
		err = f.d.MakeBucket(ctx, "b", nil)
		wantErr(t, "MakeBucket on a full drive", err, drive.ErrFull)
		err = f.d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: "k", Value: []byte("v")}}})
		wantErr(t, "Apply on a full drive", err, storage.ErrStorageFull)
	})
}

func hexOf(d meta.DataDir) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(d))
	for _, b := range d {
		out = append(out, digits[b>>4], digits[b&15])
	}
	return string(out)
}

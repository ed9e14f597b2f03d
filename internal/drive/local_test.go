package drive

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hoardstore/hoard/internal/meta"
)

func openLocal(t *testing.T, dir string) *Local {
	t.Helper()
	l, err := OpenLocal(dir, Options{})
	if err != nil {
		t.Fatalf("OpenLocal: got %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestFormatRoundTrip(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	if _, err := l.ReadFormat(ctx); !errors.Is(err, ErrUnformatted) {
		t.Fatalf("fresh drive: got %v, want ErrUnformatted", err)
	}
	f := Format{Version: 1, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}}
	if err := l.WriteFormat(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := l.ReadFormat(ctx)
	if err != nil || !reflect.DeepEqual(got, f) {
		t.Errorf("ReadFormat: got %+v, %v; want %+v", got, err, f)
	}
}

func TestBucketRecords(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "b1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"make twice", l.MakeBucket(ctx, "b1", nil), ErrExists},
		{"delete missing", l.DeleteBucket(ctx, "zz"), ErrNotFound},
		{"get missing", func() error { _, e := l.Get(ctx, NSBucket, "zz"); return e }(), ErrNotFound},
		{"delete", l.DeleteBucket(ctx, "b1"), nil},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) && !(tt.want == nil && tt.err == nil) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

func TestWalk(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	names := []string{"a", "a/b", "a/c", "ab", "b/x/y", "c\x00id-1", "c\x00id-2", "d"}
	var muts []Mutation
	for _, n := range names {
		muts = append(muts, Mutation{NS: NSObject, Key: ObjectKey("bkt", n), Value: []byte(n)})
	}
	muts = append(muts, Mutation{NS: NSObject, Key: ObjectKey("bkt2", "a"), Value: []byte("other")})
	if err := l.Apply(ctx, Batch{Mutations: muts}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    WalkOptions
		want []string // prefixes end in "*"
		more bool
	}{
		{"all", WalkOptions{}, names, false},
		{"limit", WalkOptions{Limit: 2}, []string{"a", "a/b"}, true},
		{"delimiter", WalkOptions{Delimiter: "/"}, []string{"a", "a/*", "ab", "b/*", "c\x00id-1", "c\x00id-2", "d"}, false},
		{"delimiter limit at prefix", WalkOptions{Delimiter: "/", Limit: 2}, []string{"a", "a/*"}, true},
		{"prefix", WalkOptions{Prefix: "a/"}, []string{"a/b", "a/c"}, false},
		{"start", WalkOptions{Start: "ab"}, []string{"ab", "b/x/y", "c\x00id-1", "c\x00id-2", "d"}, false},
		{"delimiter not past NUL", WalkOptions{Prefix: "c", Delimiter: "-"}, []string{"c\x00id-1", "c\x00id-2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.NS, o.Scope = NSObject, ObjectScope("bkt")
			if o.Limit == 0 {
				o.Limit = 100
			}
			res, err := l.Walk(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Entries {
				if e.IsPrefix {
					got = append(got, e.Name+"*")
				} else {
					got = append(got, e.Name)
					if string(e.Value) != e.Name {
						t.Errorf("value of %q: got %q", e.Name, e.Value)
					}
				}
			}
			if !reflect.DeepEqual(got, tt.want) || res.Truncated != tt.more {
				t.Errorf("got %q truncated=%v, want %q truncated=%v", got, res.Truncated, tt.want, tt.more)
			}
		})
	}
}

func TestShardsAndSweep(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLocal(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	write := func(stage, body string) {
		w, err := l.CreateShard(ctx, stage, "part.1", int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	kept, orphan := meta.DataDir{1}, meta.DataDir{2}
	write("aa", "hello world")
	if err := l.Apply(ctx, Batch{Stage: "aa", DataDir: kept}); err != nil {
		t.Fatal(err)
	}
	write("bb", "orphan")
	if err := l.installStage("bb", orphan); err != nil { // moved in, never committed
		t.Fatal(err)
	}
	write("cc", "left in tmp")
	r, err := l.ReadShard(ctx, kept, "part.1", 6, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "world" {
		t.Errorf("ReadShard: got %q, want world", b)
	}
	if _, err := l.ReadShard(ctx, orphan, "part.9", 0, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing shard: got %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"../x", "", ".hidden", "a/b"} {
		if _, err := l.CreateShard(ctx, "dd", bad, 1); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("shard name %q: got %v, want ErrInvalidArgument", bad, err)
		}
		if _, err := l.CreateShard(ctx, bad, "part.1", 1); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("stage %q: got %v, want ErrInvalidArgument", bad, err)
		}
	}
	l.Close()
	l2 := openLocal(t, dir)
	<-l2.Swept()
	if _, err := os.Stat(l2.dataDirPath(kept)); err != nil {
		t.Errorf("referenced dir: got %v, want it kept", err)
	}
	if _, err := os.Stat(l2.dataDirPath(orphan)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("orphan dir: got %v, want removed", err)
	}
	if e, _ := os.ReadDir(filepath.Join(dir, sysDir, tmpDir)); len(e) != 0 {
		t.Errorf("tmp after reopen: got %d entries, want 0", len(e))
	}
}

func TestSuccessor(t *testing.T) {
	tests := map[string]string{"a": "b", "a/": "a0", "a\xff": "b", "\xff\xff": "", "": ""}
	for in, want := range tests {
		if got := Successor(in); got != want {
			t.Errorf("Successor(%q): got %q, want %q", in, got, want)
		}
	}
}

// TestDiskInfoAfterWipe: a drive whose folder is wiped while in service
// does not answer its capacity query as usable, even once a write has
// made its folders again, so nothing puts it back in service until it is
// formatted again; a drive never formatted answers (startup probes it).
func TestDiskInfoAfterWipe(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openLocal(t, dir)
	if _, err := l.DiskInfo(ctx); err != nil {
		t.Fatalf("DiskInfo of a blank drive: %v", err)
	}
	f := Format{Version: FormatVersion, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}}
	if err := l.WriteFormat(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DiskInfo(ctx); err != nil {
		t.Fatalf("DiskInfo of a formatted drive: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(dir, sysDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, sysDir, tmpDir), 0o700); err != nil { // as a write may
		t.Fatal(err)
	}
	if _, err := l.DiskInfo(ctx); !errors.Is(err, ErrUnformatted) {
		t.Fatalf("DiskInfo after the wipe: got %v, want ErrUnformatted", err)
	}
	if err := l.WriteFormat(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DiskInfo(ctx); err != nil {
		t.Fatalf("DiskInfo once formatted again: %v", err)
	}
}

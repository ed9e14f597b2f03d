package drive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/meta"
)

// fillStore writes enough records into a new drive in dir, with a small
// memtable, that its metadata store has flushed and compacted tables and
// blob files, then closes it. It returns every record written.
func fillStore(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	l, err := OpenLocal(dir, Options{MemTableSize: 64 << 10, NoSync: true})
	if err != nil {
		t.Fatalf("OpenLocal: got %v", err)
	}
	ctx := context.Background()
	if err := l.WriteFormat(ctx, Format{Version: 1, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for b := range 40 {
		var muts []Mutation
		for i := range 25 {
			n := b*25 + i
			key := ObjectKey("bkt", fmt.Sprintf("obj-%05d", n))
			v := bytes.Repeat([]byte{byte(n), byte(n >> 8), 'r'}, 100)
			muts = append(muts, Mutation{NS: NSObject, Key: key, Value: v})
			want[string(NSObject)+key] = v
			ikey := InlineKey(meta.DataDir{byte(n), byte(n >> 8), 1})
			iv := bytes.Repeat([]byte{byte(n), byte(n >> 8), 'i', 'n'}, 512) // 2 KiB: a blob file value
			muts = append(muts, Mutation{NS: NSInline, Key: ikey, Value: iv})
			want[string(NSInline)+ikey] = iv
		}
		if err := l.Apply(ctx, Batch{Mutations: muts}); err != nil {
			t.Fatalf("Apply: got %v", err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: got %v", err)
	}
	if n := len(metaFiles(t, dir, ".sst")); n < 2 {
		t.Fatalf("metadata store holds %d tables after the fill; the test needs flushed tables", n)
	}
	if n := len(metaFiles(t, dir, ".blob")); n < 1 {
		t.Fatalf("metadata store holds no blob file after the fill; the test needs them")
	}
	return want
}

// metaFiles lists the files of the metadata store of dir whose names
// contain part.
func metaFiles(t *testing.T, dir, part string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, sysDir, metaDir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), part) {
			out = append(out, filepath.Join(dir, sysDir, metaDir, e.Name()))
		}
	}
	return out
}

// damage is a way to damage files of a metadata store.
type damage struct {
	name string
	part string // which files (a name part); "" for the whole store
	do   func(t *testing.T, path string)
	// detected says the damage must take the drive out of service; when
	// false pebble may tolerate it (a file it can do without), and then
	// every record must still read back exactly.
	detected bool
}

// flip16 flips 16 bytes in the middle of a file, as a decaying disk does.
func flip16(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 32 {
		return
	}
	for i := len(b)/2 - 8; i < len(b)/2+8; i++ {
		b[i] ^= 0xa5
	}
	if err := os.WriteFile(path, b, FileMode); err != nil {
		t.Fatal(err)
	}
}

func truncateHalf(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

func garble(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("[Options]\n\x00\xff not an option\n"), FileMode); err != nil {
		t.Fatal(err)
	}
}

var damages = []damage{
	{"sst-flip", ".sst", flip16, true},
	{"sst-truncate", ".sst", truncateHalf, true},
	{"sst-delete", ".sst", remove, true},
	{"blob-flip", ".blob", flip16, true},
	{"blob-truncate", ".blob", truncateHalf, true},
	// A blob file the MANIFEST names but the folder lacks is unknown to
	// pebble's object provider, which panics on reading it (even in a
	// compaction): checkBlobRefs finds it before the store opens.
	{"blob-delete", ".blob", remove, true},
	{"manifest-flip", "MANIFEST", flip16, true},
	{"manifest-delete", "MANIFEST", remove, true},
	{"wal-flip", ".log", flip16, false},
	{"wal-truncate", ".log", truncateHalf, false},
	{"options-garble", "OPTIONS", garble, false},
	{"options-delete", "OPTIONS", remove, false},
	{"store-delete", "", remove, true},
}

// TestDamagedMetadata damages each kind of file of a metadata store that
// has flushed tables and blob files, then opens the drive and reads every
// record: nothing panics, no record is ever returned wrong (a damaged one
// fails), damage pebble detects takes the drive out of service with the
// reason, and RepairLocal then moves the store aside and opens an empty one.
func TestDamagedMetadata(t *testing.T) {
	t.Parallel()
	golden := t.TempDir()
	want := fillStore(t, golden)
	for _, dm := range damages {
		t.Run(dm.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(golden)); err != nil {
				t.Fatal(err)
			}
			if dm.part == "" {
				dm.do(t, filepath.Join(dir, sysDir, metaDir))
			} else {
				files := metaFiles(t, dir, dm.part)
				if len(files) == 0 {
					t.Fatalf("no %s file to damage", dm.part)
				}
				for _, f := range files {
					dm.do(t, f)
				}
			}
			l, err := OpenLocal(dir, Options{MemTableSize: 64 << 10})
			if err != nil {
				t.Fatalf("OpenLocal of a damaged store: got %v, want a drive (faulty or not)", err)
			}
			defer l.Close()
			bad := readBack(t, l, want)
			f := l.Fault()
			switch {
			case f == nil && bad > 0:
				t.Fatalf("%d records failed to read, but the drive is not faulty", bad)
			case f == nil && dm.detected:
				t.Fatalf("damage not detected: every record read back and the drive serves")
			case f == nil:
				t.Logf("tolerated: every record read back exactly")
				return
			}
			t.Logf("faulty: %s", f.Reason)
			if !f.Metadata || f.Reason == "" || f.Since.IsZero() {
				t.Errorf("fault: got %+v, want a metadata fault with a reason and a time", f)
			}
			if _, err := l.Get(context.Background(), NSObject, ObjectKey("bkt", "obj-00000")); !errors.Is(err, ErrFaulty) {
				t.Errorf("Get on a faulty drive: got %v, want ErrFaulty", err)
			}
			if _, err := l.DiskInfo(context.Background()); !errors.Is(err, ErrFaulty) {
				t.Errorf("DiskInfo on a faulty drive: got %v, want ErrFaulty", err)
			}
			l.Close()
			checkRepair(t, dir)
		})
	}
}

// readBack reads every record of want through Get and a Walk of each
// namespace. A record that reads back different fails the test; it
// returns how many failed to read (each with ErrFaulty).
func readBack(t *testing.T, l *Local, want map[string][]byte) int {
	t.Helper()
	ctx := context.Background()
	bad := 0
	for k, v := range want {
		got, err := l.Get(ctx, Namespace(k[0]), k[1:])
		switch {
		case err != nil && !errors.Is(err, ErrFaulty):
			t.Fatalf("Get %q: got %v, want the record or ErrFaulty", k, err)
		case err != nil:
			bad++
		case !bytes.Equal(got, v):
			t.Fatalf("Get %q: got %d different bytes: a damaged record was served", k, len(got))
		}
	}
	for _, ns := range []Namespace{NSObject, NSInline} {
		start := ""
		for range 100 {
			res, err := l.Walk(ctx, WalkOptions{NS: ns, Start: start, Limit: 500})
			if err != nil {
				if !errors.Is(err, ErrFaulty) {
					t.Fatalf("Walk: got %v, want records or ErrFaulty", err)
				}
				bad++
				break
			}
			for _, e := range res.Entries {
				if v, ok := want[string(ns)+e.Name]; !ok || !bytes.Equal(v, e.Value) {
					t.Fatalf("Walk: record %q read back wrong", e.Name)
				}
			}
			if !res.Truncated {
				break
			}
			start = res.Entries[len(res.Entries)-1].Name + "\x00"
		}
	}
	return bad
}

// checkRepair runs RepairLocal on the drive in dir: the damaged store is
// kept beside, the format record stays, and the new store is empty and
// serves.
func checkRepair(t *testing.T, dir string) {
	t.Helper()
	l, moved, err := RepairLocal(dir, Options{})
	if err != nil {
		t.Fatalf("RepairLocal: got %v", err)
	}
	defer l.Close()
	ctx := context.Background()
	if moved != "" {
		if !strings.HasPrefix(filepath.Base(moved), damagedPrefix) {
			t.Errorf("damaged store moved to %s, want a %s* folder", moved, damagedPrefix)
		}
		if _, err := os.Stat(moved); err != nil {
			t.Errorf("damaged store not kept: %v", err)
		}
	}
	if _, err := l.ReadFormat(ctx); err != nil {
		t.Errorf("format after repair: got %v, want it kept", err)
	}
	if _, err := l.Get(ctx, NSObject, ObjectKey("bkt", "obj-00000")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after repair: got %v, want ErrNotFound (an empty store)", err)
	}
	if err := l.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSObject, Key: "k", Value: []byte("v")}}}); err != nil {
		t.Errorf("Apply after repair: got %v", err)
	}
	if l.Fault() != nil {
		t.Errorf("repaired drive faulty: %+v", l.Fault())
	}
}

// TestDriveModes checks the modes of a fresh drive (folders 0700, files
// 0600, pebble's included) and that a drive made world-readable by an
// earlier version is fixed when opened.
func TestDriveModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	checkModes(t, dir)
	// An older version's drive: every folder 0755, every file 0644.
	sys := filepath.Join(dir, sysDir)
	if err := filepath.WalkDir(sys, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if e.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(sys, modesMarker)); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLocal(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(context.Background(), Batch{Mutations: []Mutation{{NS: NSObject, Key: "k", Value: []byte("v")}}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	checkModes(t, dir)
}

func checkModes(t *testing.T, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, sysDir), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		want := FileMode
		if e.IsDir() {
			want = DirMode
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 260 {
		t.Errorf("checked %d entries, want the whole drive (at least 260)", n)
	}
}

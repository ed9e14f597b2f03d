package erasure

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/heal/repair"
)

// faultCfg is the configuration of the damaged-metadata tests: a small
// memtable so the metadata stores flush and compact tables and blob files
// with a few hundred objects.
func faultCfg(dirs []string) Config {
	return Config{Drives: dirs, DegradedWrites: true, DriveOptions: drive.Options{MemTableSize: 64 << 10, NoSync: true}}
}

// fillDeployment writes objects of every size class (empty, inline,
// inline in blob files, shard files, several blocks) into a new 4-drive
// deployment in dirs, closes it and returns the bodies.
func fillDeployment(t *testing.T, dirs []string) map[string][]byte {
	t.Helper()
	l, err := Open(context.Background(), faultCfg(dirs))
	if err != nil {
		t.Fatalf("Open: got %v", err)
	}
	mustBucket(t, l, "bkt")
	bodies := map[string][]byte{}
	sizes := []int{0, 100, 3000, 9000, 40 << 10}
	for i := range 240 {
		k := fmt.Sprintf("obj-%03d", i)
		bodies[k] = randBytes(sizes[i%len(sizes)], uint64(i))
		mustPut(t, l, "bkt", k, bodies[k])
	}
	for i, n := range []int{300 << 10, 1<<20 + 7} {
		k := fmt.Sprintf("large-%d", i)
		bodies[k] = randBytes(n, uint64(1000+i))
		mustPut(t, l, "bkt", k, bodies[k])
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: got %v", err)
	}
	for _, d := range dirs {
		if n, b := len(storeFiles(t, d, ".sst")), len(storeFiles(t, d, ".blob")); n < 1 || b < 1 {
			t.Fatalf("%s: %d metadata tables and %d blob files after the fill; the test needs flushed ones", d, n, b)
		}
	}
	return bodies
}

// storeFiles lists the files of the metadata store of drive folder dir
// whose names contain part.
func storeFiles(t *testing.T, dir, part string) []string {
	t.Helper()
	meta := filepath.Join(dir, ".hoard.sys", "meta")
	entries, err := os.ReadDir(meta)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), part) {
			out = append(out, filepath.Join(meta, e.Name()))
		}
	}
	return out
}

// flipMiddle flips 16 bytes in the middle of a file, as a decaying disk does.
func flipMiddle(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b)/2 - 8; i >= 0 && i < len(b)/2+8 && i < len(b); i++ {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedMetadataStores damages the metadata store of 1 and of 2
// drives of a 4-drive set (parity 2) in each way a disk can: every object
// reads byte-exact, the drives show as corrupt with the reason, CheckDrives
// moves each damaged store aside and healing rebuilds it, and then, with
// the other drives wiped, every object still reads from the repaired ones.
func TestDamagedMetadataStores(t *testing.T) {
	t.Parallel()
	golden := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
	bodies := fillDeployment(t, golden)
	kinds := []struct {
		name string
		do   func(t *testing.T, dir string)
	}{
		{"sst-flip", func(t *testing.T, dir string) {
			for _, f := range storeFiles(t, dir, ".sst") {
				flipMiddle(t, f)
			}
		}},
		{"blob-flip", func(t *testing.T, dir string) {
			for _, f := range storeFiles(t, dir, ".blob") {
				flipMiddle(t, f)
			}
		}},
		{"blob-delete", func(t *testing.T, dir string) {
			for _, f := range storeFiles(t, dir, ".blob") {
				os.Remove(f)
			}
		}},
		{"sst-delete", func(t *testing.T, dir string) {
			for _, f := range storeFiles(t, dir, ".sst") {
				os.Remove(f)
			}
		}},
		{"manifest-flip", func(t *testing.T, dir string) {
			for _, f := range storeFiles(t, dir, "MANIFEST") {
				flipMiddle(t, f)
			}
		}},
		{"options-garble", func(t *testing.T, dir string) {
			for _, f := range storeFiles(t, dir, "OPTIONS") {
				os.WriteFile(f, []byte("[Options]\n\x00 garbage\n"), 0o600)
			}
		}},
		{"store-delete", func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, ".hoard.sys", "meta"))
		}},
	}
	for _, kind := range kinds {
		for _, damaged := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s-%d", kind.name, damaged), func(t *testing.T) {
				t.Parallel()
				dirs := make([]string, len(golden))
				for i, g := range golden {
					dirs[i] = t.TempDir()
					if err := os.CopyFS(dirs[i], os.DirFS(g)); err != nil {
						t.Fatal(err)
					}
				}
				for _, d := range dirs[:damaged] {
					kind.do(t, d)
				}
				keeps := 1 // the damaged store, moved aside
				if kind.name == "store-delete" {
					keeps = 0
				}
				checkDamagedSet(t, dirs, damaged, bodies, keeps)
			})
		}
	}
}

// checkDamagedSet runs the deployment in dirs whose first damaged drives
// have a damaged metadata store (keeps: how many stores each keeps aside
// once repaired) through detection, repair, rebuild and
// the loss of the other drives.
func checkDamagedSet(t *testing.T, dirs []string, damaged int, bodies map[string][]byte, keeps int) {
	t.Helper()
	ctx := context.Background()
	l, err := Open(ctx, faultCfg(dirs))
	if err != nil {
		t.Fatalf("Open with %d damaged drives: got %v", damaged, err)
	}
	defer func() { l.Close() }()
	for k, b := range bodies {
		healMustRead(t, l, "bkt", k, b)
	}
	// A read needs only a quorum of drives and may never touch the
	// damaged values; the background scanner reads every drive. Its pass
	// (a dry-run heal of every object) finds whatever reads did not.
	for k := range bodies {
		l.HealObjectWith(ctx, "bkt", k, repair.Options{DryRun: true})
	}
	si, err := l.StorageInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range si.Drives {
		want := i < damaged
		if got := d.State == stateCorrupt; got != want {
			t.Errorf("drive %d: state %q (%s); want corrupt %v", i, d.State, d.Reason, want)
		}
		if want && (d.Reason == "" || d.Since.IsZero()) {
			t.Errorf("drive %d: reason %q since %v; want both", i, d.Reason, d.Since)
		}
	}
	repaired, err := l.CheckDrives(ctx)
	if err != nil || len(repaired) != damaged {
		t.Fatalf("CheckDrives: got %v, %v; want the %d damaged drives repaired", repaired, err, damaged)
	}
	for _, d := range dirs[:damaged] {
		kept, _ := filepath.Glob(filepath.Join(d, ".hoard.sys", "meta.damaged-*"))
		if want := keeps; len(kept) != want {
			t.Errorf("%s: damaged stores kept beside: %v; want %d", d, kept, want)
		}
	}
	if got := l.RebuildingDrives(); len(got) != damaged {
		t.Errorf("RebuildingDrives after the repair: got %v, want %d drives", got, damaged)
	}
	for k, b := range bodies {
		healMustRead(t, l, "bkt", k, b)
	}
	if _, err := l.HealBucket(ctx, "bkt"); err != nil {
		t.Fatalf("HealBucket: %v", err)
	}
	for k := range bodies {
		if res, err := l.HealObjectWith(ctx, "bkt", k, repair.Options{}); err != nil || !res.Clean() {
			t.Errorf("heal %s: got %+v, %v; want clean", k, res.Drives, err)
		}
	}
	for _, d := range dirs[:damaged] {
		l.DriveRebuilt(d)
	}
	if got := l.RebuildingDrives(); len(got) != 0 {
		t.Errorf("RebuildingDrives after the rebuild: got %v, want none", got)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: got %v", err)
	}
	// Parity drives lost, all among those never damaged: the repaired
	// drives must hold their share of everything.
	for _, d := range dirs[len(dirs)-2:] {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	l, err = Open(ctx, faultCfg(dirs))
	if err != nil {
		t.Fatalf("Open with the other drives wiped: got %v", err)
	}
	for k, b := range bodies {
		healMustRead(t, l, "bkt", k, b)
	}
}

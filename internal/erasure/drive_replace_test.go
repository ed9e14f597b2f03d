package erasure

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/storage"
)

// TestHealWipedDrive wipes a drive folder while the engine runs: reads
// keep working, CheckDrives formats the folder again in its place and
// reports it rebuilding, and healing every object brings it back to full
// redundancy.
func TestHealWipedDrive(t *testing.T) {
	t.Parallel()
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
	l, err := Open(context.Background(), Config{Drives: dirs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	bodies := map[string][]byte{}
	for i := range 12 {
		k := fmt.Sprintf("obj-%02d", i)
		bodies[k] = randBytes([]int{100, 40 << 10, 1<<20 + 7}[i%3], uint64(i))
		mustPut(t, l, "bkt", k, bodies[k])
	}
	if replaced, err := l.CheckDrives(ctx); err != nil || len(replaced) != 0 {
		t.Fatalf("CheckDrives of healthy drives: got %v, %v; want none", replaced, err)
	}
	if err := os.RemoveAll(dirs[2]); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dirs[2], 0o755); err != nil {
		t.Fatal(err)
	}
	for k, b := range bodies {
		healMustRead(t, l, "bkt", k, b)
	}
	replaced, err := l.CheckDrives(ctx)
	if err != nil || len(replaced) != 1 || replaced[0] != dirs[2] {
		t.Fatalf("CheckDrives after the wipe: got %v, %v; want [%s]", replaced, err, dirs[2])
	}
	if got := l.RebuildingDrives(); len(got) != 1 || got[0] != dirs[2] {
		t.Errorf("RebuildingDrives: got %v, want [%s]", got, dirs[2])
	}
	si, _ := l.StorageInfo(ctx)
	if st := si.Drives[2].State; st != "healing" {
		t.Errorf("StorageInfo state of the replaced drive: got %q, want healing", st)
	}
	// Writes go on while the drive is empty.
	bodies["during"] = randBytes(300<<10, 99)
	mustPut(t, l, "bkt", "during", bodies["during"])
	if _, err := l.HealBucket(ctx, "bkt"); err != nil {
		t.Fatalf("HealBucket: %v", err)
	}
	for k := range bodies {
		res, err := l.HealObjectWith(ctx, "bkt", k, repair.Options{})
		if err != nil || !res.Clean() {
			t.Errorf("heal %s: got %+v, %v; want clean", k, res.Drives, err)
		}
	}
	for k, b := range bodies {
		if probs := healAudit(t, l, "bkt", k, b); len(probs) > 0 {
			t.Errorf("%s after the rebuild: %v", k, probs)
		}
	}
	l.DriveRebuilt(dirs[2])
	if _, err := l.GetBucketInfo(ctx, "bkt"); err != nil {
		t.Errorf("bucket after rebuild: %v", err)
	}
	if _, err := l.StatObject(ctx, "bkt", "obj-01", storage.GetOptions{}); err != nil {
		t.Errorf("stat after rebuild: %v", err)
	}
}

package erasure

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// errRefused is what the test guards answer.
var errRefused = errors.New("refused by the guard")

// TestGuards checks the generic hooks object lock runs on: a version's
// lock state is stored and read back, a delete guard sees the version it
// would remove (never a marker it adds) and its refusal changes nothing,
// and an update's lock func changes the state atomically or not at all;
// the bucket configuration hook refuses or applies a change whole.
func TestGuards(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d drives", n), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			l, _ := openTest(t, n, nil)
			if err := l.MakeBucketWithConfigs(ctx, "bkt", map[string][]byte{storage.ConfigVersioning: []byte("Enabled")}); err != nil {
				t.Fatalf("MakeBucketWithConfigs: %v", err)
			}
			lk := storage.ObjectLock{Mode: "GOVERNANCE", RetainUntil: time.Unix(1900000000, 0).UTC()}
			info, err := l.PutObject(ctx, "bkt", "k", newPayload([]byte("data")), storage.PutOptions{Lock: lk})
			if err != nil || info.Lock != lk {
				t.Fatalf("PutObject with a lock: got %+v, %v", info.Lock, err)
			}
			var seen storage.ObjectInfo
			guard := func(v storage.ObjectInfo) error { seen = v; return errRefused }
			_, err = l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{VersionID: info.VersionID, Guard: guard})
			if !errors.Is(err, errRefused) || seen.VersionID != info.VersionID || seen.Lock != lk {
				t.Fatalf("guarded delete: got %v, guard saw %+v", err, seen)
			}
			res := l.DeleteObjects(ctx, "bkt", []storage.ObjectRef{{Key: "k", VersionID: info.VersionID, Guard: guard}})
			if !errors.Is(res[0].Err, errRefused) {
				t.Fatalf("guarded batch delete: got %v", res[0].Err)
			}
			m, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{Guard: guard})
			if err != nil || !m.DeleteMarker {
				t.Fatalf("a delete marker passes no guard: got %+v, %v", m, err)
			}
			_, err = l.UpdateObject(ctx, "bkt", "k", storage.UpdateOptions{VersionID: info.VersionID, Tags: map[string]string{"a": "b"},
				Lock: func(storage.ObjectInfo) (storage.ObjectLock, error) { return storage.ObjectLock{}, errRefused }})
			got, serr := l.StatObject(ctx, "bkt", "k", storage.GetOptions{VersionID: info.VersionID})
			if !errors.Is(err, errRefused) || serr != nil || got.Lock != lk || len(got.Tags) != 0 {
				t.Fatalf("refused update: got %v; version now %+v (%v)", err, got, serr)
			}
			held := lk
			held.LegalHold = "ON"
			_, err = l.UpdateObject(ctx, "bkt", "k", storage.UpdateOptions{VersionID: info.VersionID,
				Lock: func(cur storage.ObjectInfo) (storage.ObjectLock, error) {
					l := cur.Lock
					l.LegalHold = "ON"
					return l, nil
				}})
			got, serr = l.StatObject(ctx, "bkt", "k", storage.GetOptions{VersionID: info.VersionID})
			if err != nil || serr != nil || got.Lock != held {
				t.Fatalf("lock update: got %+v, %v, %v; want %+v", got.Lock, err, serr, held)
			}
			if _, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{VersionID: info.VersionID,
				Guard: func(storage.ObjectInfo) error { return nil }}); err != nil {
				t.Fatalf("allowed delete: %v", err)
			}
			err = l.UpdateBucketConfigs(ctx, "bkt", func(c map[string][]byte) (map[string][]byte, error) {
				c["x"] = []byte("y")
				return nil, errRefused
			})
			bi, _ := l.GetBucketInfo(ctx, "bkt")
			if !errors.Is(err, errRefused) || bi.Configs["x"] != nil {
				t.Fatalf("refused bucket change: got %v, configs %q", err, bi.Configs)
			}
			err = l.UpdateBucketConfigs(ctx, "bkt", func(c map[string][]byte) (map[string][]byte, error) {
				c["x"], c[storage.ConfigVersioning] = []byte("y"), []byte("Enabled")
				return c, nil
			})
			bi, _ = l.GetBucketInfo(ctx, "bkt")
			if err != nil || string(bi.Configs["x"]) != "y" || string(bi.Configs[storage.ConfigVersioning]) != "Enabled" {
				t.Fatalf("bucket change: got %v, configs %q", err, bi.Configs)
			}
		})
	}
}

// TestHealKeepsLock checks that healing brings a version's lock state
// back to a drive that lost the object's record: the lock travels in
// the record, like the rest of the version.
func TestHealKeepsLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _ := openTest(t, 4, nil)
	if err := l.MakeBucketWithConfigs(ctx, "bkt", map[string][]byte{storage.ConfigVersioning: []byte("Enabled")}); err != nil {
		t.Fatalf("MakeBucketWithConfigs: %v", err)
	}
	lk := storage.ObjectLock{Mode: "COMPLIANCE", RetainUntil: time.Unix(1900000000, 0).UTC(), LegalHold: "ON"}
	info, err := l.PutObject(ctx, "bkt", "k", newPayload([]byte("locked data")), storage.PutOptions{Lock: lk})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	s := l.setFor("bkt", "k")
	if err := s.drives[1].Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: drive.ObjectKey("bkt", "k"), Delete: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.HealObject(ctx, "bkt", "k"); err != nil {
		t.Fatalf("HealObject: %v", err)
	}
	b, err := s.drives[1].Get(ctx, drive.NSObject, drive.ObjectKey("bkt", "k"))
	if err != nil {
		t.Fatalf("the healed drive's record: %v", err)
	}
	rec, err := meta.DecodeRecord(b)
	if err != nil || len(rec.Versions) != 1 || rec.Versions[0].ID != info.VersionID || rec.Versions[0].Lock != lk {
		t.Fatalf("healed record: got %+v, %v; want version %s with lock %+v", rec, err, info.VersionID, lk)
	}
}

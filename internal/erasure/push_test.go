package erasure

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// driveVersionIDs returns the version IDs each drive of set 0 holds for
// bucket/key, newest first.
func driveVersionIDs(t *testing.T, l *Layer, bucket, key string) [][]string {
	t.Helper()
	var out [][]string
	for pos, d := range l.sets[0].drives {
		b, err := d.Get(context.Background(), drive.NSObject, drive.ObjectKey(bucket, key))
		if err != nil {
			t.Fatalf("drive %d: %v", pos, err)
		}
		rec, err := meta.DecodeRecord(b)
		if err != nil {
			t.Fatalf("drive %d: %v", pos, err)
		}
		var ids []string
		for _, v := range rec.Versions {
			ids = append(ids, v.ID)
		}
		out = append(out, ids)
	}
	return out
}

// TestPushVersionRevert: a new version pushed onto two drives of four
// misses its quorum (the other two refuse writes) and is taken off the
// two again; the object reads as before, on every drive.
func TestPushVersionRevert(t *testing.T) {
	ctx := context.Background()
	l, faulty, _ := openFaulty(t, 4, Config{})
	mustBucket(t, l, "bkt")
	setVersioning(t, l, "bkt", "Enabled")
	var ids []string
	for i := range 3 {
		ids = append([]string{mustPut(t, l, "bkt", "k", []byte(fmt.Sprint("body", i))).VersionID}, ids...)
	}
	faulty[0].SetMode(drive.FaultReadOnly)
	faulty[1].SetMode(drive.FaultReadOnly)
	if _, err := l.PutObject(ctx, "bkt", "k", newPayload([]byte("lost")), storage.PutOptions{}); err == nil {
		t.Fatal("PutObject with two of four drives refusing writes: got no error")
	}
	faulty[0].SetMode(drive.FaultNone)
	faulty[1].SetMode(drive.FaultNone)
	for pos, got := range driveVersionIDs(t, l, "bkt", "k") {
		if !slices.Equal(got, ids) {
			t.Errorf("drive %d after the revert: got %v, want %v", pos, got, ids)
		}
	}
	body, info, err := readVersion(l, "bkt", "k", "")
	if err != nil || string(body) != "body2" || info.VersionID != ids[0] {
		t.Fatalf("newest after the revert: got %q %s, %v; want body2 %s", body, info.VersionID, err, ids[0])
	}
}

// TestPushVersionRepairsALaggingDrive: when one drive's newest version
// differs from the others', a new version is not pushed but written as
// the whole record the quorum agrees on, which puts the lagging drive
// right.
func TestPushVersionRepairsALaggingDrive(t *testing.T) {
	ctx := context.Background()
	l, _ := openTest(t, 4, nil)
	mustBucket(t, l, "bkt")
	setVersioning(t, l, "bkt", "Enabled")
	first := mustPut(t, l, "bkt", "k", []byte("one")).VersionID
	second := mustPut(t, l, "bkt", "k", []byte("two")).VersionID
	// Drive 3 missed the second write: it holds the first version alone.
	s := l.sets[0]
	key := drive.ObjectKey("bkt", "k")
	whole, err := s.drives[0].Get(ctx, drive.NSObject, key)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := meta.DecodeRecord(whole)
	if err != nil {
		t.Fatal(err)
	}
	rec.Versions = rec.Versions[1:]
	if err := s.drives[3].Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: key, Value: encodeFor(rec, 3)}}}); err != nil {
		t.Fatal(err)
	}
	third := mustPut(t, l, "bkt", "k", []byte("three")).VersionID
	want := []string{third, second, first}
	for pos, got := range driveVersionIDs(t, l, "bkt", "k") {
		if !slices.Equal(got, want) {
			t.Errorf("drive %d: got %v, want %v", pos, got, want)
		}
	}
}

// TestPushVersionsConcurrent: 16 writers push 400 versions onto 8 keys
// of a 2+2 set at once; afterwards every drive holds, for every key,
// exactly the versions acknowledged, in the same order, and the version
// listing shows them in that order.
func TestPushVersionsConcurrent(t *testing.T) {
	ctx := context.Background()
	l, _ := openTest(t, 4, nil)
	mustBucket(t, l, "bkt")
	setVersioning(t, l, "bkt", "Enabled")
	const writers, each, keys = 16, 25, 8
	var mu sync.Mutex
	acked := map[string]map[string]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("k%d", (w+i)%keys)
				info, err := l.PutObject(ctx, "bkt", key, newPayload([]byte(fmt.Sprint(w, i))), storage.PutOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if acked[key] == nil {
					acked[key] = map[string]bool{}
				}
				acked[key][info.VersionID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for k := range keys {
		key := fmt.Sprintf("k%d", k)
		per := driveVersionIDs(t, l, "bkt", key)
		for pos := range per {
			if !slices.Equal(per[pos], per[0]) {
				t.Fatalf("%s: drive %d holds %v, drive 0 %v", key, pos, per[pos], per[0])
			}
		}
		if len(per[0]) != len(acked[key]) {
			t.Fatalf("%s: %d versions stored, %d acknowledged", key, len(per[0]), len(acked[key]))
		}
		for _, id := range per[0] {
			if !acked[key][id] {
				t.Fatalf("%s: version %s stored, never acknowledged", key, id)
			}
		}
		res, err := l.ListObjectVersions(ctx, "bkt", storage.ListVersionsOptions{Prefix: key, MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, v := range res.Versions {
			listed = append(listed, v.VersionID)
		}
		if !slices.Equal(listed, per[0]) {
			t.Fatalf("%s: listed %v, stored %v", key, listed, per[0])
		}
	}
}

package erasure

import (
	"context"
	"fmt"
	"slices"
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

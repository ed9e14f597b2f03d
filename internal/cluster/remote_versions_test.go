package cluster

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// TestDriveRecordVersions: a record of many versions (stored by the local
// drive as head and tail) reads back whole with Get and Walk, and
// GetNewest answers with the newest version alone, locally and over the
// node-to-node calls alike.
func TestDriveRecordVersions(t *testing.T) {
	t.Parallel()
	ver := func(id string, i int) meta.Version {
		return meta.Version{ID: id, ModTime: time.Unix(int64(1700000000+i), 0).UTC(), Size: int64(i), ETag: id}
	}
	tests := []struct {
		name       string
		versions   []meta.Version
		newestKeep int
	}{
		{"one version", []meta.Version{ver("a", 1)}, 1},
		{"five versions", []meta.Version{ver("e", 5), ver("d", 4), ver("c", 3), ver("b", 2), ver("a", 1)}, 1},
		{"null newest over older ones", []meta.Version{ver("", 3), ver("b", 2), ver("a", 1)}, 1},
		{"null alone", []meta.Version{ver("", 1)}, 1},
	}
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		ctx := context.Background()
		for _, tt := range tests {
			key := drive.ObjectKey("b", tt.name)
			full := meta.EncodeRecord(&meta.Record{Versions: tt.versions})
			m := drive.Mutation{NS: drive.NSObject, Key: key, Value: full}
			if err := f.d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{m}}); err != nil {
				t.Fatal(err)
			}
			if got, err := f.d.Get(ctx, drive.NSObject, key); err != nil || !bytes.Equal(got, full) {
				t.Errorf("%s: Get: got %x, %v; want %x", tt.name, got, err, full)
			}
			want := meta.EncodeRecord(&meta.Record{Versions: tt.versions[:tt.newestKeep]})
			if got, err := f.d.GetNewest(ctx, key); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: GetNewest: got %x, %v; want %x", tt.name, got, err, want)
			}
			res, err := f.d.Walk(ctx, drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope("b"), Start: tt.name, Limit: 1})
			if err != nil || len(res.Entries) != 1 || !bytes.Equal(res.Entries[0].Value, full) {
				t.Errorf("%s: Walk: got %+v, %v; want the whole record", tt.name, res.Entries, err)
			}
		}
		if _, err := f.d.GetNewest(ctx, drive.ObjectKey("b", "missing")); err == nil {
			t.Error("GetNewest of a missing record: got no error")
		} else {
			wantErr(t, "GetNewest of a missing record", err, drive.ErrNotFound)
		}
	})
}

package erasure

import (
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

func TestAgreedEntry(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rec := func(etag string, mod time.Time, dir byte) drive.WalkEntry {
		v := meta.Version{ETag: etag, ModTime: mod, Size: 1, DataDir: meta.DataDir{dir}}
		return drive.WalkEntry{Name: "k", Value: meta.EncodeRecord(&meta.Record{Versions: []meta.Version{v}})}
	}
	oldV, newV, partial := rec("old", at, 1), rec("new", at.Add(time.Second), 2), rec("partial", at.Add(2*time.Second), 3)
	tests := []struct {
		name string
		in   []drive.WalkEntry
		want string
	}{
		{"one drive", []drive.WalkEntry{oldV}, "old"},
		{"drive that missed a write is outvoted", []drive.WalkEntry{newV, newV, newV, oldV}, "new"},
		{"stale drive listed last is outvoted", []drive.WalkEntry{oldV, newV, newV}, "new"},
		{"write that never reached quorum is outvoted", []drive.WalkEntry{oldV, partial, oldV, oldV}, "old"},
		{"tie goes to the newer version", []drive.WalkEntry{oldV, newV}, "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := agreedEntry(tt.in)
			v, _, err := meta.DecodeLatest(got.Value)
			if err != nil {
				t.Fatal(err)
			}
			if v.ETag != tt.want {
				t.Errorf("got %q, want %q", v.ETag, tt.want)
			}
		})
	}
}

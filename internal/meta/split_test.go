package meta

import (
	"bytes"
	"testing"
	"time"
)

func TestVersionSpans(t *testing.T) {
	v := func(id string) Version {
		return Version{ID: id, ModTime: time.Unix(1, 0), ETag: "e" + id, Tags: map[string]string{"k": id}}
	}
	tests := []struct {
		name     string
		rec      []byte
		versions int
		ok       bool
	}{
		{"none", EncodeRecord(&Record{}), 0, true},
		{"one", EncodeRecord(&Record{Versions: []Version{v("a")}}), 1, true},
		{"three, null newest", EncodeRecord(&Record{Versions: []Version{v(""), v("b"), v("c")}}), 3, true},
		{"trailing bytes", append(EncodeRecord(&Record{Versions: []Version{v("a")}}), 0), 0, false},
		{"truncated", EncodeRecord(&Record{Versions: []Version{v("a"), v("b")}})[:20], 0, false},
		{"upload record", EncodeUpload(&Upload{ID: "u"}), 0, false},
		{"empty", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ends, start, ok := VersionSpans(nil, tt.rec)
			if ok != tt.ok || (ok && len(ends) != tt.versions) {
				t.Fatalf("got %d versions, %v; want %d, %v", len(ends), ok, tt.versions, tt.ok)
			}
			if !ok || len(ends) == 0 {
				return
			}
			// Joining the spans again gives the record back, and the
			// first alone is AppendNewest's cut.
			joined := append(AppendJoinedHeader(nil, len(ends)), tt.rec[start:]...)
			if !bytes.Equal(joined, tt.rec) {
				t.Errorf("joined: got %x, want %x", joined, tt.rec)
			}
			newest, _ := AppendNewest(nil, tt.rec)
			head := append(AppendJoinedHeader(nil, 1), tt.rec[start:ends[0]]...)
			if !bytes.Equal(head, newest) || !SingleVersion(head) {
				t.Errorf("head: got %x, want %x", head, newest)
			}
			if allocs := testing.AllocsPerRun(10, func() { VersionSpans(ends[:0], tt.rec) }); allocs != 0 {
				t.Errorf("VersionSpans allocates %v times", allocs)
			}
		})
	}
}

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

// checkSameRecordEncoding fails if SameRecordEncoding vouches for a b
// whose versions differ from a's in anything but their erasure index.
func checkSameRecordEncoding(t *testing.T, a, b []byte) bool {
	t.Helper()
	if !SameRecordEncoding(a, b) {
		return false
	}
	ra, err := DecodeRecord(a)
	if err != nil || len(ra.Versions) == 0 {
		t.Fatalf("SameRecordEncoding true but DecodeRecord(a): %d versions, %v", len(ra.Versions), err)
	}
	rb, err := DecodeRecord(b)
	if err != nil {
		t.Fatalf("SameRecordEncoding true but DecodeRecord(b): %v", err)
	}
	for i := range rb.Versions {
		rb.Versions[i].Erasure.Index = 0
	}
	for i := range ra.Versions {
		ra.Versions[i].Erasure.Index = 0
	}
	if !bytes.Equal(EncodeRecord(ra), EncodeRecord(rb)) {
		t.Fatalf("SameRecordEncoding true but records differ:\n%+v\n%+v", ra, rb)
	}
	return true
}

func TestSameRecordEncoding(t *testing.T) {
	rec := func(indexes []int, change func(r *Record)) []byte {
		r := sampleRecord()
		for i := range r.Versions {
			r.Versions[i].Erasure.Index = indexes[i%len(indexes)]
		}
		if change != nil {
			change(r)
		}
		return EncodeRecord(r)
	}
	a := rec([]int{1}, nil)
	tests := []struct {
		name string
		a, b []byte
		want bool
	}{
		{"same bytes", a, a, true},
		{"other drive", a, rec([]int{3, 4}, nil), true},
		{"longer index varint in one version", a, rec([]int{1, 200}, nil), true},
		{"index out of range", a, rec([]int{1, 300}, nil), false},
		{"an older version differs", a, rec([]int{2}, func(r *Record) { r.Versions[1].ETag = "x" }), false},
		{"a version more", a, rec([]int{2}, func(r *Record) { r.Versions = append(r.Versions, r.Versions[0]) }), false},
		{"a version fewer", a, rec([]int{2}, func(r *Record) { r.Versions = r.Versions[:1] }), false},
		{"b truncated", a, a[:len(a)-3], false},
		{"b longer", a, append(append([]byte{}, a...), 0), false},
		{"a has trailing bytes", append(append([]byte{}, a...), 0), append(append([]byte{}, a...), 0), false},
		{"no versions", EncodeRecord(&Record{}), EncodeRecord(&Record{}), false},
		{"upload record", EncodeUpload(&Upload{ID: "u"}), EncodeUpload(&Upload{ID: "u"}), false},
		{"empty", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkSameRecordEncoding(t, tt.a, tt.b); got != tt.want {
				t.Fatalf("SameRecordEncoding: got %v, want %v", got, tt.want)
			}
			if allocs := testing.AllocsPerRun(10, func() { SameRecordEncoding(tt.a, tt.b) }); allocs != 0 {
				t.Errorf("SameRecordEncoding allocates %v times", allocs)
			}
		})
	}
}

// FuzzSameRecordEncoding checks SameRecordEncoding never vouches for a
// record that decodes to other versions.
func FuzzSameRecordEncoding(f *testing.F) {
	a := EncodeRecord(sampleRecord())
	r := sampleRecord()
	r.Versions[1].Erasure.Index = 130
	f.Add(a, EncodeRecord(r))
	f.Add(a, a[:40])
	f.Fuzz(func(t *testing.T, a, b []byte) { checkSameRecordEncoding(t, a, b) })
}

func TestAppendPushed(t *testing.T) {
	whole := sampleRecord()
	one := &Record{Versions: []Version{whole.Versions[0]}}
	one.Versions[0].ID = "fresh"
	added := func(r *Record) []byte {
		c := &Record{Versions: append([]Version(nil), r.Versions...)}
		c.Add(one.Versions[0])
		return EncodeRecord(c)
	}
	tests := []struct {
		name          string
		newest, whole []byte
		want          []byte // nil: refused
	}{
		{"onto several versions", EncodeRecord(one), EncodeRecord(whole), added(whole)},
		{"onto one version", EncodeRecord(one), EncodeRecord(&Record{Versions: whole.Versions[1:2]}), added(&Record{Versions: whole.Versions[1:2]})},
		{"onto no versions", EncodeRecord(one), EncodeRecord(&Record{}), added(&Record{})},
		{"newest of two versions", EncodeRecord(whole), EncodeRecord(whole), nil},
		{"newest of none", EncodeRecord(&Record{}), EncodeRecord(whole), nil},
		{"whole truncated", EncodeRecord(one), EncodeRecord(whole)[:20], nil},
		{"whole with trailing bytes", EncodeRecord(one), append(EncodeRecord(whole), 0), nil},
		{"whole an upload", EncodeRecord(one), EncodeUpload(&Upload{ID: "u"}), nil},
		{"empty whole", EncodeRecord(one), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := AppendPushed([]byte("x"), tt.newest, tt.whole)
			if tt.want == nil {
				if ok || string(got) != "x" {
					t.Fatalf("AppendPushed: got %q, %v; want refused, dst unchanged", got, ok)
				}
				return
			}
			if !ok || !bytes.Equal(got[1:], tt.want) {
				t.Fatalf("AppendPushed: got %v, want the record Add makes", ok)
			}
			if _, err := DecodeRecord(got[1:]); err != nil {
				t.Fatalf("pushed record does not decode: %v", err)
			}
		})
	}
}

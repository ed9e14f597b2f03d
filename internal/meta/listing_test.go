package meta

import (
	"testing"
	"time"
)

// checkListedMatchesLatest decodes b both ways and fails unless they agree
// on success and on every field a listing shows.
func checkListedMatchesLatest(t *testing.T, b []byte) {
	t.Helper()
	v, okV, errV := DecodeLatest(b)
	l, okL, errL := DecodeListed(b)
	if (errV == nil) != (errL == nil) || okV != okL {
		t.Fatalf("DecodeListed: got ok %v err %v, want ok %v err %v", okL, errL, okV, errV)
	}
	if errV != nil || !okV {
		return
	}
	got := Version{
		ID: string(l.ID), DeleteMarker: l.DeleteMarker, ModTime: l.ModTime, Size: l.Size, ETag: string(l.ETag),
		StorageClass: string(l.StorageClass), DataDir: l.DataDir,
	}
	want := Version{ID: v.ID, DeleteMarker: v.DeleteMarker, ModTime: v.ModTime, Size: v.Size, ETag: v.ETag, StorageClass: v.StorageClass, DataDir: v.DataDir}
	if got.ID != want.ID || got.DeleteMarker != want.DeleteMarker || !got.ModTime.Equal(want.ModTime) || got.Size != want.Size ||
		got.ETag != want.ETag || got.StorageClass != want.StorageClass || got.DataDir != want.DataDir {
		t.Fatalf("DecodeListed: got %+v, want %+v", got, want)
	}
	if string(l.ChecksumAlgorithm) != string(v.Checksum.Algorithm) || string(l.ChecksumType) != string(v.Checksum.Type) ||
		string(l.ChecksumValue) != v.Checksum.Value {
		t.Fatalf("DecodeListed checksum: got %q %q %q, want %+v", l.ChecksumAlgorithm, l.ChecksumType, l.ChecksumValue, v.Checksum)
	}
}

func TestDecodeListed(t *testing.T) {
	t.Parallel()
	sample := sampleRecord()
	dm := &Record{Versions: []Version{{ID: "x", DeleteMarker: true, ModTime: time.Unix(5, 0)}}}
	mp := &Record{Versions: sample.Versions[1:]}
	cases := []struct {
		name string
		data []byte
	}{
		{"plain", EncodeRecord(plainRecord())},
		{"sample", EncodeRecord(sample)},
		{"multipart newest", EncodeRecord(mp)},
		{"delete marker", EncodeRecord(dm)},
		{"versioned", EncodeRecord(versionedRecord(5))},
		{"no versions", EncodeRecord(&Record{})},
		{"truncated", EncodeRecord(plainRecord())[:30]},
		{"bad version", append([]byte{9}, EncodeRecord(plainRecord())[1:]...)},
		{"upload kind", EncodeUpload(&Upload{ID: "u"})},
		{"empty", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkListedMatchesLatest(t, tc.data)
		})
	}
}

func TestListedSameWrite(t *testing.T) {
	t.Parallel()
	base := plainRecord()
	variants := map[string]func(v *Version){
		"id":            func(v *Version) { v.ID = "other" },
		"etag":          func(v *Version) { v.ETag = "ffff" },
		"mod time":      func(v *Version) { v.ModTime = v.ModTime.Add(time.Nanosecond) },
		"data dir":      func(v *Version) { v.DataDir[0]++ },
		"delete marker": func(v *Version) { v.DeleteMarker = true },
	}
	a, _, err := DecodeListed(EncodeRecord(base))
	if err != nil {
		t.Fatal(err)
	}
	other := plainRecord()
	other.Versions[0].Erasure.Index = 4 // another drive's copy of the same write
	b, _, _ := DecodeListed(EncodeRecord(other))
	if !a.SameWrite(&b) {
		t.Errorf("SameWrite across drives: got false, want true")
	}
	for name, change := range variants {
		r := plainRecord()
		change(&r.Versions[0])
		c, _, _ := DecodeListed(EncodeRecord(r))
		if a.SameWrite(&c) {
			t.Errorf("SameWrite with another %s: got true, want false", name)
		}
	}
}

func TestDecodeListedAllocations(t *testing.T) {
	data := EncodeRecord(sampleRecord())
	if n := testing.AllocsPerRun(100, func() { _, _, _ = DecodeListed(data) }); n != 0 {
		t.Errorf("DecodeListed: got %v allocations, want 0", n)
	}
}

// FuzzDecodeListed checks DecodeListed agrees with DecodeLatest on any input.
func FuzzDecodeListed(f *testing.F) {
	f.Add(EncodeRecord(sampleRecord()))
	f.Add(EncodeRecord(plainRecord()))
	f.Add(EncodeRecord(&Record{}))
	f.Add([]byte{FormatVersion, kindObject, 1})
	f.Fuzz(func(t *testing.T, data []byte) { checkListedMatchesLatest(t, data) })
}

func BenchmarkDecodeListed(b *testing.B) {
	data := EncodeRecord(plainRecord())
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeListed(data); err != nil {
			b.Fatal(err)
		}
	}
}

// checkSameEncoding fails if SameEncoding vouches for a b that does not
// decode to the same listing as a.
func checkSameEncoding(t *testing.T, a, b []byte) bool {
	t.Helper()
	la, ok, err := DecodeListed(a)
	if err != nil || !ok || !la.SameEncoding(a, b) {
		return false
	}
	lb, ok, err := DecodeListed(b)
	if err != nil || !ok {
		t.Fatalf("SameEncoding true but DecodeListed(b): got ok %v err %v, want ok", ok, err)
	}
	if !la.SameWrite(&lb) || string(la.StorageClass) != string(lb.StorageClass) || la.Size != lb.Size ||
		string(la.ChecksumAlgorithm) != string(lb.ChecksumAlgorithm) || string(la.ChecksumType) != string(lb.ChecksumType) ||
		string(la.ChecksumValue) != string(lb.ChecksumValue) {
		t.Fatalf("SameEncoding true but listings differ: %+v and %+v", la, lb)
	}
	return true
}

func TestSameEncoding(t *testing.T) {
	t.Parallel()
	withIndex := func(idx int, change func(v *Version)) []byte {
		r := sampleRecord()
		r.Versions[0].Erasure.Index = idx
		if change != nil {
			change(&r.Versions[0])
		}
		return EncodeRecord(r)
	}
	a := withIndex(1, nil)
	cases := []struct {
		name string
		b    []byte
		want bool
	}{
		{"same bytes", a, true},
		{"other drive", withIndex(3, nil), true},
		{"longer index varint", withIndex(200, nil), true},
		{"index out of range", withIndex(300, nil), false},
		{"other etag", withIndex(1, func(v *Version) { v.ETag = "x" }), false},
		{"other storage class", withIndex(2, func(v *Version) { v.StorageClass = "GLACIER" }), false},
		{"other distribution", withIndex(2, func(v *Version) { v.Erasure.Distribution = []uint8{1, 2, 3, 4} }), false},
		{"later versions differ", append(withIndex(2, nil)[:len(a)-10], 1, 2, 3), true},
		{"truncated in the newest version", a[:30], false},
		{"truncated after the newest version", a[:len(a)-20], true},
		{"empty", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := checkSameEncoding(t, a, tc.b); got != tc.want {
				t.Errorf("SameEncoding: got %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzSameEncoding checks SameEncoding never vouches for a record that
// decodes differently.
func FuzzSameEncoding(f *testing.F) {
	a := EncodeRecord(sampleRecord())
	r := sampleRecord()
	r.Versions[0].Erasure.Index = 130
	f.Add(a, EncodeRecord(r))
	f.Add(a, a[:40])
	f.Add(EncodeRecord(plainRecord()), EncodeRecord(plainRecord()))
	f.Fuzz(func(t *testing.T, a, b []byte) { checkSameEncoding(t, a, b) })
}

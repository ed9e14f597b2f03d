package meta

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

func sampleRecord() *Record {
	return &Record{Versions: []Version{
		{
			ID:           "",
			Inline:       true,
			ModTime:      time.Unix(1700000000, 123456789).UTC(),
			Size:         4096,
			ETag:         "0123456789abcdef0123456789abcdef",
			Checksum:     storage.Checksum{Algorithm: storage.ChecksumCRC32C, Type: storage.ChecksumFullObject, Value: "AAAAAA=="},
			Metadata:     map[string]string{"content-type": "text/plain", "x-amz-meta-a": "b"},
			Tags:         map[string]string{"k": "v"},
			StorageClass: "STANDARD",
			Erasure:      Erasure{Data: 2, Parity: 2, BlockSize: 1 << 20, Index: 3, Distribution: []uint8{3, 4, 1, 2}},
			Bitrot:       BitrotHighwayHash256,
			DataDir:      DataDir{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		},
		{
			ID:      "v2",
			ModTime: time.Unix(1600000000, 0).UTC(),
			Size:    15 << 20,
			ETag:    "abcdef-3",
			Parts: []Part{
				{Number: 1, Nonce: 0xdeadbeef, Size: 5 << 20, ActualSize: 5 << 20, ETag: "p1"},
				{Number: 2, Size: 5 << 20, ActualSize: 5 << 20, ETag: "p2", Checksum: storage.Checksum{Algorithm: storage.ChecksumSHA256, Value: "x"}},
				{Number: 3, Size: 5 << 20, ActualSize: 5 << 20, ETag: "p3"},
			},
			Erasure: Erasure{Data: 1, BlockSize: 1 << 20, Index: 1},
		},
		{ID: "dm", DeleteMarker: true},
	}}
}

func TestRecordRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		rec  *Record
	}{
		{"empty", &Record{}},
		{"sample", sampleRecord()},
		{"empty parts list", &Record{Versions: []Version{{ID: "x", Parts: []Part{}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeRecord(EncodeRecord(tt.rec))
			if err != nil {
				t.Fatalf("decode: got %v, want nil", err)
			}
			if !reflect.DeepEqual(got, tt.rec) {
				t.Errorf("round trip: got %+v, want %+v", got, tt.rec)
			}
		})
	}
}

func TestUploadAndPartRoundTrip(t *testing.T) {
	u := &Upload{
		ID: "u1", Initiated: time.Unix(5, 6).UTC(), Metadata: map[string]string{"a": "b"},
		StorageClass: "STANDARD", ChecksumAlgorithm: storage.ChecksumSHA1, ChecksumType: storage.ChecksumComposite,
		Erasure: Erasure{Data: 1, BlockSize: 1 << 20, Index: 1, Distribution: []uint8{1}}, DataDir: DataDir{9},
	}
	gu, err := DecodeUpload(EncodeUpload(u))
	if err != nil || !reflect.DeepEqual(gu, u) {
		t.Errorf("upload: got %+v, %v, want %+v", gu, err, u)
	}
	p := &PartRecord{Number: 7, Nonce: 3, Size: 10, ActualSize: 10, ETag: "e", ModTime: time.Unix(9, 0).UTC(), Checksum: storage.Checksum{Algorithm: storage.ChecksumCRC32, Value: "q"}}
	gp, err := DecodePart(EncodePart(p))
	if err != nil || !reflect.DeepEqual(gp, p) {
		t.Errorf("part: got %+v, %v, want %+v", gp, err, p)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := EncodeRecord(sampleRecord())
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"bad version", append([]byte{9}, good[1:]...)},
		{"wrong kind", EncodePart(&PartRecord{})},
		{"truncated", good[:len(good)-1]},
		{"trailing", append(append([]byte{}, good...), 0)},
		{"huge count", []byte{FormatVersion, kindObject, 0xff, 0xff, 0xff, 0xff, 0x0f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeRecord(tt.in)
			if !errors.Is(err, ErrCorrupt) || !errors.Is(err, storage.ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestShardSize(t *testing.T) {
	tests := []struct {
		e    Erasure
		size int64
		want int64
	}{
		{Erasure{Data: 1, BlockSize: 1 << 20}, 0, 0},
		{Erasure{Data: 1, BlockSize: 1 << 20}, 5, 5},
		{Erasure{Data: 1, BlockSize: 1 << 20}, 3<<20 + 1, 3<<20 + 1},
		{Erasure{Data: 2, BlockSize: 1 << 20}, 3<<20 + 3, 3<<19 + 2},
		{Erasure{Data: 3, BlockSize: 10}, 25, 4 + 4 + 2},
	}
	for _, tt := range tests {
		if got := tt.e.ShardSize(tt.size); got != tt.want {
			t.Errorf("ShardSize(%d) with %+v: got %d, want %d", tt.size, tt.e, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(EncodeRecord(sampleRecord()))
	f.Add(EncodeUpload(&Upload{ID: "x"}))
	f.Add(EncodePart(&PartRecord{Number: 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeRecord(b); err == nil {
			if _, err := DecodeRecord(EncodeRecord(r)); err != nil {
				t.Errorf("re-decode: got %v, want nil", err)
			}
		}
		_, _ = DecodeUpload(b)
		_, _ = DecodePart(b)
		_, _, _ = DecodeLatest(b)
	})
}

func BenchmarkEncodeRecord(b *testing.B) {
	r := sampleRecord()
	r.Versions = r.Versions[:1]
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendRecord(buf[:0], r)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkDecodeRecord(b *testing.B) {
	r := sampleRecord()
	r.Versions = r.Versions[:1]
	enc := EncodeRecord(r)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeRecord(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeLatest(t *testing.T) {
	rec := sampleRecord()
	v, ok, err := DecodeLatest(EncodeRecord(rec))
	want := rec.Versions[0]
	want.Metadata, want.Tags, want.Parts = nil, nil, nil
	if err != nil || !ok || !reflect.DeepEqual(v, want) {
		t.Errorf("DecodeLatest: got %+v, %v, %v; want %+v", v, ok, err, want)
	}
	if _, ok, err := DecodeLatest(EncodeRecord(&Record{})); ok || err != nil {
		t.Errorf("empty record: got ok=%v err=%v, want false, nil", ok, err)
	}
	if _, _, err := DecodeLatest([]byte{FormatVersion}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated: got %v, want ErrCorrupt", err)
	}
}

func BenchmarkDecodeLatest(b *testing.B) {
	r := sampleRecord()
	enc := EncodeRecord(r)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeLatest(enc); err != nil {
			b.Fatal(err)
		}
	}
}

package meta

import (
	"fmt"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// plainRecord is the record a plain PUT of a small object writes: one
// inline version with a content type; listings decode one per key.
func plainRecord() *Record {
	return &Record{Versions: []Version{{
		Inline:   true,
		ModTime:  time.Unix(1700000000, 1).UTC(),
		Size:     4096,
		ETag:     "0123456789abcdef0123456789abcdef",
		Metadata: map[string]string{"content-type": "application/octet-stream"},
		Erasure:  Erasure{Data: 2, Parity: 2, BlockSize: 1 << 20, Index: 1, Distribution: []uint8{1, 2, 3, 4}},
		Bitrot:   BitrotHighwayHash256,
		DataDir:  DataDir{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
	}}}
}

// versionedRecord is a record with n versions of a plain object.
func versionedRecord(n int) *Record {
	v := plainRecord().Versions[0]
	r := &Record{Versions: make([]Version, n)}
	for i := range r.Versions {
		r.Versions[i] = v
		r.Versions[i].ID = fmt.Sprintf("%032x", i)
		r.Versions[i].ModTime = v.ModTime.Add(time.Duration(-i) * time.Second)
	}
	return r
}

// BenchmarkRecordCodec encodes and decodes the object records a PUT, a
// listing and a versioned bucket handle.
func BenchmarkRecordCodec(b *testing.B) {
	cases := []struct {
		name string
		rec  *Record
	}{
		{"plain", plainRecord()},
		{"multipart", sampleRecord()},
		{"100versions", versionedRecord(100)},
	}
	for _, c := range cases {
		enc := EncodeRecord(c.rec)
		b.Run(c.name+"/encode", func(b *testing.B) {
			buf := make([]byte, 0, len(enc))
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendRecord(buf[:0], c.rec)
			}
		})
		b.Run(c.name+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeRecord(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUploadCodec encodes and decodes the records of a multipart
// upload and of one of its parts.
func BenchmarkUploadCodec(b *testing.B) {
	u := &Upload{
		ID: "0123456789abcdef0123456789abcdef", Initiated: time.Unix(1700000000, 0).UTC(),
		Metadata:          map[string]string{"content-type": "application/octet-stream"},
		ChecksumAlgorithm: storage.ChecksumCRC32C, ChecksumType: storage.ChecksumComposite,
		Erasure: Erasure{Data: 2, Parity: 2, BlockSize: 1 << 20, Distribution: []uint8{2, 3, 4, 1}},
		DataDir: DataDir{9: 1},
	}
	p := &PartRecord{Number: 7, Nonce: 42, Size: 5 << 20, ActualSize: 5 << 20, ETag: "0123456789abcdef0123456789abcdef",
		ModTime: time.Unix(1700000000, 0).UTC(), Checksum: storage.Checksum{Algorithm: storage.ChecksumCRC32C, Value: "AAAAAA=="}}
	b.Run("upload", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeUpload(EncodeUpload(u)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("part", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodePart(EncodePart(p)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package checksum

import (
	"bytes"
	"io"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func BenchmarkReader(b *testing.B) {
	data := bytes.Repeat([]byte("hoard benchmark "), 1<<16) // 1 MiB
	cases := []struct {
		name string
		opts Options
	}{
		{"MD5", Options{}},
		{"MD5+CRC32", Options{Algorithm: storage.ChecksumCRC32}},
		{"MD5+CRC32C", Options{Algorithm: storage.ChecksumCRC32C}},
		{"MD5+CRC64NVME", Options{Algorithm: storage.ChecksumCRC64NVME}},
		{"MD5+SHA256", Options{Algorithm: storage.ChecksumSHA256}},
	}
	buf := make([]byte, 256<<10)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			src := bytes.NewReader(data)
			for b.Loop() {
				src.Reset(data)
				r, err := NewReader(src, int64(len(data)), c.opts)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHash(b *testing.B) {
	data := bytes.Repeat([]byte("hoard benchmark "), 1<<16)
	for _, alg := range Algorithms() {
		b.Run(string(alg), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			h := New(alg)
			for b.Loop() {
				h.Reset()
				h.Write(data)
			}
		})
	}
}

package checksum

import (
	"bytes"
	"fmt"
	"io"
	"sync"
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

// BenchmarkReaderConcurrent reads 16 MiB payloads through Readers, streams
// at a time, as concurrent large PUTs do.
func BenchmarkReaderConcurrent(b *testing.B) {
	data := bytes.Repeat([]byte("hoard benchmark "), 1<<20) // 16 MiB
	for _, streams := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			b.SetBytes(int64(len(data) * streams))
			for b.Loop() {
				var wg sync.WaitGroup
				for range streams {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{})
						if err != nil {
							b.Error(err)
							return
						}
						buf := make([]byte, 32<<10)
						if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
			}
		})
	}
}

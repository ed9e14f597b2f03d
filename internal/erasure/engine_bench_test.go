package erasure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

// Benchmarks of the erasure paths, beside the single-drive ones of
// bench_test.go: Reed-Solomon encoding and decoding (with and without
// reconstruction), bitrot hashing of the shard block sizes each layout
// uses, and whole PUT, GET and merged LIST calls on a set of four drives
// (durable, so they include the drives' fsyncs). Profile them with, for
// example:
//
//	go test -run '^$' -bench 'PutErasureSet/4KiB' -benchtime 5s -cpuprofile cpu.out ./internal/erasure

// benchBody is a payload whose ETag is known in advance, so benchmarks
// measure the engine and not the MD5 the S3 layer computes on the way in.
type benchBody struct {
	r    bytes.Reader
	size int64
}

func newBenchBody(b []byte) *benchBody {
	p := &benchBody{size: int64(len(b))}
	p.r.Reset(b)
	return p
}

func (p *benchBody) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *benchBody) Size() int64                { return p.size }
func (p *benchBody) ETag() string               { return "0123456789abcdef0123456789abcdef" }
func (p *benchBody) Checksum() storage.Checksum { return storage.Checksum{} }

// benchData returns n bytes of a fixed pseudo-random pattern.
func benchData(n int) []byte {
	b := make([]byte, n)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

// benchLayouts are the erasure layouts measured: one drive, the default
// of four drives, and the default of eight.
func benchLayouts() []struct{ data, parity int } {
	return []struct{ data, parity int }{{1, 0}, {2, 2}, {4, 4}}
}

func BenchmarkCodecEncode(b *testing.B) {
	data := benchData(4 << 20)
	for _, lay := range benchLayouts() {
		b.Run(fmt.Sprintf("%d+%d", lay.data, lay.parity), func(b *testing.B) {
			c, err := newCodec(lay.data, lay.parity, DefaultBlockSize)
			if err != nil {
				b.Fatal(err)
			}
			n := lay.data + lay.parity
			sinks := make([]io.Writer, n)
			for i := range sinks {
				sinks[i] = io.Discard
			}
			errs := make([]error, n)
			var r bytes.Reader
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(data)
				if err := c.encode(&r, int64(len(data)), sinks, errs, lay.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCodecDecode(b *testing.B) {
	data := benchData(4 << 20)
	cases := []struct {
		data, parity, lost int
	}{{1, 0, 0}, {2, 2, 0}, {2, 2, 1}, {2, 2, 2}, {4, 4, 0}, {4, 4, 4}}
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%d+%d/lost%d", tc.data, tc.parity, tc.lost), func(b *testing.B) {
			c, err := newCodec(tc.data, tc.parity, DefaultBlockSize)
			if err != nil {
				b.Fatal(err)
			}
			n := tc.data + tc.parity
			bufs := make([]*bytes.Buffer, n)
			sinks := make([]io.Writer, n)
			for i := range bufs {
				bufs[i] = new(bytes.Buffer)
				sinks[i] = bufs[i]
			}
			if err := c.encode(bytes.NewReader(data), int64(len(data)), sinks, make([]error, n), tc.data); err != nil {
				b.Fatal(err)
			}
			srcs := make([]shardSource, n)
			for i := tc.lost; i < n; i++ { // the first lost shards are data shards
				shard := bufs[i].Bytes()
				srcs[i] = func(off, length int64) (io.ReadCloser, error) {
					return io.NopCloser(bytes.NewReader(shard[off : off+length])), nil
				}
			}
			out := make([]byte, 256<<10)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r := newBlockReader(c, int64(len(data)), 0, int64(len(data)), srcs)
				got, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, out)
				r.Close()
				if err != nil || got != int64(len(data)) {
					b.Fatalf("got %d bytes, %v; want %d", got, err, len(data))
				}
			}
		})
	}
}

// BenchmarkBitrotShardBlock hashes the shard blocks of small inline
// objects and of the 4+4, 2+2 and 1+0 layouts of 1 MiB blocks.
func BenchmarkBitrotShardBlock(b *testing.B) {
	c, err := newCodec(1, 0, DefaultBlockSize)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{4 << 10, 64 << 10, 256 << 10, 512 << 10} {
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			p := benchData(size)
			var sum [hashSize]byte
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				c.sum(sum[:], p)
			}
		})
	}
}

// benchEngine opens a layer over drives fresh folders with one bucket.
func benchEngine(b *testing.B, drives, setSize int) *Layer {
	b.Helper()
	cfg := Config{SetSize: setSize}
	for range drives {
		cfg.Drives = append(cfg.Drives, b.TempDir())
	}
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	if err := l.MakeBucket(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	return l
}

// benchSizes are the object sizes of the PUT and GET benchmarks: inline,
// the largest inline-sized class, and one erasure block.
func benchSizes() []int { return []int{4 << 10, 64 << 10, 1 << 20} }

// benchPutN writes n objects of data named key0..key(n-1) from 16 writers.
func benchPutN(b *testing.B, l *Layer, n int, data []byte) {
	b.Helper()
	var next atomic.Int64
	errc := make(chan error, 16)
	for range 16 {
		go func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					errc <- nil
					return
				}
				if _, err := l.PutObject(context.Background(), "bench", fmt.Sprintf("key%07d", i), newBenchBody(data), storage.PutOptions{}); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	for range 16 {
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutErasureSet writes objects to one set of four drives (2+2)
// from 16 writers, so the drives' group commits can share fsyncs.
func BenchmarkPutErasureSet(b *testing.B) {
	for _, size := range benchSizes() {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			l := benchEngine(b, 4, 0)
			data := benchData(size)
			var seq atomic.Int64
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := "obj" + strconv.FormatInt(seq.Add(1), 10)
					if _, err := l.PutObject(context.Background(), "bench", key, newBenchBody(data), storage.PutOptions{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkGetErasureSet reads objects from one set of four drives (2+2)
// with 8 readers.
func BenchmarkGetErasureSet(b *testing.B) {
	for _, size := range benchSizes() {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			l := benchEngine(b, 4, 0)
			const objects = 32
			benchPutN(b, l, objects, benchData(size))
			var seq atomic.Int64
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				buf := make([]byte, 256<<10)
				for pb.Next() {
					key := fmt.Sprintf("key%07d", seq.Add(1)%objects)
					if err := benchRead(l, key, int64(size), buf); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// benchRead reads a whole object through buf and checks its length.
func benchRead(l *Layer, key string, size int64, buf []byte) error {
	o, err := l.OpenObject(context.Background(), "bench", key, storage.GetOptions{})
	if err != nil {
		return err
	}
	defer o.Close()
	r, err := o.Reader(0, o.Info().Size)
	if err != nil {
		return err
	}
	defer r.Close()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
	if err == nil && n != size {
		err = fmt.Errorf("got %d bytes, want %d", n, size)
	}
	return err
}

// BenchmarkListMerged lists 1,000-key pages from the start of a bucket
// and from deep inside it on two sets of four drives, whose pages the
// engine walks separately and merges.
func BenchmarkListMerged(b *testing.B) {
	const objects = 2000
	l := benchEngine(b, 8, 4)
	benchPutN(b, l, objects, []byte("x"))
	for _, at := range []struct {
		name   string
		marker string
	}{{"start", ""}, {"deep", fmt.Sprintf("key%07d", objects-1001)}} {
		b.Run(at.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := l.ListObjects(context.Background(), "bench", storage.ListOptions{Marker: at.marker, MaxKeys: 1000})
				if err != nil || len(res.Objects) != 1000 {
					b.Fatalf("got %d objects, %v; want 1000", len(res.Objects), err)
				}
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

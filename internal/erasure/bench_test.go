package erasure

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func benchPut(b *testing.B, size int) {
	l, _ := openTest(b, 1, nil)
	mustBucket(b, l, "bkt")
	body := randBytes(size, 1)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.SetParallelism(16) // 32 writers on 2 cores, like an S3 load test
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			key := fmt.Sprintf("k%p-%d", &i, i)
			if _, err := l.PutObject(context.Background(), "bkt", key, newPayload(body), storage.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPut4KiB runs parallel writers so group commit can batch fsyncs.
func BenchmarkPut4KiB(b *testing.B) { benchPut(b, 4<<10) }
func BenchmarkPut1MiB(b *testing.B) { benchPut(b, 1<<20) }

func BenchmarkGet4KiB(b *testing.B) {
	l, _ := openTest(b, 1, nil)
	mustBucket(b, l, "bkt")
	for i := 0; i < 100; i++ {
		mustPut(b, l, "bkt", fmt.Sprintf("k%d", i), randBytes(4<<10, uint64(i)))
	}
	b.SetBytes(4 << 10)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		o, err := l.OpenObject(context.Background(), "bkt", fmt.Sprintf("k%d", i%100), storage.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r, _ := o.Reader(0, o.Info().Size)
		io.Copy(io.Discard, r)
		r.Close()
		o.Close()
	}
}

func BenchmarkGet1MiB(b *testing.B) {
	l, _ := openTest(b, 1, nil)
	mustBucket(b, l, "bkt")
	mustPut(b, l, "bkt", "k", randBytes(1<<20, 1))
	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		o, err := l.OpenObject(context.Background(), "bkt", "k", storage.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		r, _ := o.Reader(0, o.Info().Size)
		io.Copy(io.Discard, r)
		r.Close()
		o.Close()
	}
}

// BenchmarkList1000 lists a 1000-key page at the start, middle and end of a
// 100,000-key bucket: the cost per page must not depend on the position.
func BenchmarkList1000(b *testing.B) {
	l, _ := openTest(b, 1, nil)
	mustBucket(b, l, "bkt")
	const n = 100000
	ctx := context.Background()
	s := l.sets[0]
	// Fill through the engine's commit path in batches to keep setup short.
	for i := 0; i < n; i += 1000 {
		var refs []string
		for j := i; j < i+1000; j++ {
			refs = append(refs, fmt.Sprintf("dir%02d/obj%07d", j%50, j))
		}
		if err := fillRecords(ctx, l, s, "bkt", refs); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, marker string
	}{{"start", ""}, {"middle", "dir25/"}, {"end", "dir48/"}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := l.ListObjects(ctx, "bkt", storage.ListOptions{Marker: tc.marker, MaxKeys: 1000})
				if err != nil || len(res.Objects) == 0 {
					b.Fatalf("list: %d objects, %v", len(res.Objects), err)
				}
			}
		})
	}
	b.Run("delimiter", func(b *testing.B) {
		for b.Loop() {
			res, err := l.ListObjects(ctx, "bkt", storage.ListOptions{Delimiter: "/", MaxKeys: 1000})
			if err != nil || len(res.CommonPrefixes) != 50 {
				b.Fatalf("list: %d prefixes, %v", len(res.CommonPrefixes), err)
			}
		}
	})
}

func BenchmarkBitrotHash(b *testing.B) {
	c, _ := newCodec(1, 0, DefaultBlockSize)
	buf := randBytes(DefaultBlockSize, 1)
	var sum [hashSize]byte
	b.SetBytes(DefaultBlockSize)
	for b.Loop() {
		c.sum(sum[:], buf)
	}
}

// BenchmarkPut64MiB runs 4 parallel writers of 64 MiB objects.
func BenchmarkPut64MiB(b *testing.B) {
	l, _ := openTest(b, 1, nil)
	mustBucket(b, l, "bkt")
	body := randBytes(64<<20, 1)
	b.SetBytes(64 << 20)
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := l.PutObject(context.Background(), "bkt", fmt.Sprintf("k%p-%d", &i, i), newPayload(body), storage.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

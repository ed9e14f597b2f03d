package erasure

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// BenchmarkListPosition lists 1,000-key pages at the start, middle and
// end of a 250,000-object bucket on a 2+2 set: every drive holds every
// record (written as PutObject writes them for small objects), so each
// page is a quorum merge of four sorted walks. The page cost must not
// depend on where the page starts.
func BenchmarkListPosition(b *testing.B) {
	const objects = 250000
	l, _ := openTest(b, 4, nil)
	mustBucket(b, l, "bkt")
	ctx := context.Background()
	s := l.sets[0]
	key := func(i int) string { return fmt.Sprintf("dir%02d/obj%07d", i%50, i) }
	for i := 0; i < objects; i += 5000 {
		var keys []string
		for j := i; j < i+5000; j++ {
			keys = append(keys, key(j))
		}
		if err := fillAllDrives(ctx, l, s, "bkt", keys); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct{ name, marker string }{{"start", ""}, {"middle", "dir25/"}, {"end", "dir49/obj0190000"}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := l.ListObjects(ctx, "bkt", storage.ListOptions{Marker: tc.marker, MaxKeys: 1000})
				if err != nil || len(res.Objects) != 1000 {
					b.Fatalf("list: got %d objects, %v; want 1000", len(res.Objects), err)
				}
			}
			b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// fillAllDrives writes the records of empty inline objects to every drive
// of s in one batch per drive.
func fillAllDrives(ctx context.Context, l *Layer, s *set, bucket string, keys []string) error {
	recs := make([]*meta.Record, len(keys))
	now := time.Now().UTC()
	for i, k := range keys {
		v := meta.Version{Inline: true, ModTime: now, ETag: md5hex(nil), Erasure: s.codec.layout(), Bitrot: meta.BitrotHighwayHash256, DataDir: newDataDir()}
		v.Erasure.Distribution = l.distribution(s, bucket, k)
		recs[i] = &meta.Record{Versions: []meta.Version{v}}
	}
	errs := s.each(func(pos int, d drive.Drive) error {
		muts := make([]drive.Mutation, len(keys))
		for i, k := range keys {
			r := &meta.Record{Versions: append([]meta.Version(nil), recs[i].Versions...)}
			muts[i] = drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, k), Value: encodeFor(r, pos)}
		}
		return d.Apply(ctx, drive.Batch{Mutations: muts})
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

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

// BenchmarkListVersioned lists 1,000-key pages of versioned buckets on a
// 2+2 set: 25,000 keys of 10 versions, and the case of 1,000
// keys of 100 versions (newest version current). ListObjects pages should
// cost what BenchmarkListPosition's do, however many old versions the
// keys hold; ListObjectVersions pages (1,000 versions) are shown beside.
// 1000x20 against 20000x1 compares a version page of a versioned bucket
// with the same call on keys of one version each.
func BenchmarkListVersioned(b *testing.B) {
	for _, tc := range []struct {
		keys, versions int
	}{{25000, 10}, {1000, 100}, {1000, 20}, {20000, 1}} {
		b.Run(fmt.Sprintf("%dx%d", tc.keys, tc.versions), func(b *testing.B) {
			l, _ := openTest(b, 4, nil)
			mustBucket(b, l, "bkt")
			ctx := context.Background()
			s := l.sets[0]
			key := func(i int) string { return fmt.Sprintf("dir%02d/obj%07d", i%50, i) }
			step := max(1, 50000/tc.versions)
			for i := 0; i < tc.keys; i += step {
				var keys []string
				for j := i; j < min(i+step, tc.keys); j++ {
					keys = append(keys, key(j))
				}
				if err := fillVersions(ctx, l, s, "bkt", keys, tc.versions); err != nil {
					b.Fatal(err)
				}
			}
			middle := key(tc.keys / 2)
			want := min(1000, tc.keys/2)
			for _, start := range []struct{ name, marker string }{{"start", ""}, {"middle", middle}} {
				b.Run("objects-"+start.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						res, err := l.ListObjects(ctx, "bkt", storage.ListOptions{Marker: start.marker, MaxKeys: 1000})
						if err != nil || len(res.Objects) < want {
							b.Fatalf("list: got %d objects, %v; want %d", len(res.Objects), err, want)
						}
					}
					b.ReportMetric(float64(b.N)*float64(want)/b.Elapsed().Seconds(), "keys/s")
				})
				b.Run("versions-"+start.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						res, err := l.ListObjectVersions(ctx, "bkt", storage.ListVersionsOptions{KeyMarker: start.marker, MaxKeys: 1000})
						if err != nil || len(res.Versions) != 1000 {
							b.Fatalf("list versions: got %d, %v; want 1000", len(res.Versions), err)
						}
					}
					b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "versions/s")
				})
			}
		})
	}
}

// fillVersions writes, on every drive of s, records of n versions of
// empty inline objects for keys, as versioned PUTs leave them.
func fillVersions(ctx context.Context, l *Layer, s *set, bucket string, keys []string, n int) error {
	now := time.Now().UTC()
	recs := make([]*meta.Record, len(keys))
	for i, k := range keys {
		r := &meta.Record{}
		for j := range n {
			v := meta.Version{ID: fmt.Sprintf("%08d-%04d", i, j), Inline: true, ModTime: now.Add(time.Duration(j) * time.Millisecond), ETag: md5hex(nil), Erasure: s.codec.layout(), Bitrot: meta.BitrotHighwayHash256, DataDir: newDataDir()}
			v.Erasure.Distribution = l.distribution(s, bucket, k)
			r.Add(v)
		}
		recs[i] = r
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

// BenchmarkListVersionsWritten lists 1,000-version pages of stores written
// the way a server gets them, by PutObject on a 2+2 set: 1,000 keys given
// 20 versions round by round in a versioned bucket, beside 1,000 keys in
// an unversioned one (a page of the same call there holds all of them).
// BenchmarkListVersioned writes each key's versions in one batch, which
// leaves every tail in one place.
func BenchmarkListVersionsWritten(b *testing.B) {
	ctx := context.Background()
	l, _ := openTest(b, 4, nil)
	if err := l.MakeBucketWithConfigs(ctx, "vers", map[string][]byte{storage.ConfigVersioning: []byte("Enabled")}); err != nil {
		b.Fatal(err)
	}
	mustBucket(b, l, "flat")
	body := randBytes(1<<10, 1)
	for round := range 20 {
		for i := range 1000 {
			key := fmt.Sprintf("p/%04d", i)
			if _, err := l.PutObject(ctx, "vers", key, newPayload(body), storage.PutOptions{}); err != nil {
				b.Fatal(err)
			}
			if round == 0 {
				if _, err := l.PutObject(ctx, "flat", key, newPayload(body), storage.PutOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	for _, bucket := range []string{"vers", "flat"} {
		b.Run(bucket, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := l.ListObjectVersions(ctx, bucket, storage.ListVersionsOptions{MaxKeys: 1000})
				if err != nil || len(res.Versions) != 1000 {
					b.Fatalf("list versions: got %d, %v; want 1000", len(res.Versions), err)
				}
			}
		})
	}
}

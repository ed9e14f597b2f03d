package drive

import (
	"context"
	"fmt"
	"testing"

	"github.com/hoardstore/hoard/internal/meta"
)

// BenchmarkRecordPush measures a new version pushed onto a key holding
// n versions: the head-and-tail diff against a plain set of the whole
// record under a namespace without tails (how every record was stored
// before). Each key alternates between a push and a delete of the newest
// version, each after a read of the record, as a write does.
func BenchmarkRecordPush(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		for _, ns := range []Namespace{NSObject, NSSystem} {
			b.Run(fmt.Sprintf("versions=%d/ns=%c", n, ns), func(b *testing.B) {
				l, err := OpenLocal(b.TempDir(), Options{NoSync: true})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				ctx := context.Background()
				vs := make([]meta.Version, 0, n+b.N)
				for i := range n {
					vs = append(vs, tver(fmt.Sprintf("v%d", i), i))
				}
				const keys = 64
				for k := range keys {
					m := Mutation{NS: ns, Key: ObjectKey("b", fmt.Sprint(k)), Value: trec(vs...)}
					if err := l.Apply(ctx, Batch{Mutations: []Mutation{m}}); err != nil {
						b.Fatal(err)
					}
				}
				recs := [2][]byte{trec(append([]meta.Version{tver("new", n+1)}, vs...)...), trec(vs...)}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					k := i % keys
					key := ObjectKey("b", fmt.Sprint(k))
					if _, err := l.Get(ctx, ns, key); err != nil {
						b.Fatal(err)
					}
					m := Mutation{NS: ns, Key: key, Value: recs[(i/keys)%2]}
					if err := l.Apply(ctx, Batch{Mutations: []Mutation{m}}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRecordGetNewest measures the read of a GET of the current
// version (the head): of a null version alone and of the newest of 100
// versions; the whole record of 100 versions (head and tail joined); and
// a plain read of a one-version record under a namespace without tails.
func BenchmarkRecordGetNewest(b *testing.B) {
	ctx := context.Background()
	l, err := OpenLocal(b.TempDir(), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var vs []meta.Version
	for i := range 100 {
		vs = append(vs, tver(fmt.Sprintf("v%d", i), i))
	}
	muts := []Mutation{
		{NS: NSObject, Key: ObjectKey("b", "null"), Value: trec(tver("", 1))},
		{NS: NSObject, Key: ObjectKey("b", "hundred"), Value: trec(vs...)},
		{NS: NSSystem, Key: ObjectKey("b", "null"), Value: trec(tver("", 1))},
	}
	if err := l.Apply(ctx, Batch{Mutations: muts}); err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		read func() ([]byte, error)
	}{
		{"null alone", func() ([]byte, error) { return l.GetNewest(ctx, ObjectKey("b", "null")) }},
		{"newest of 100", func() ([]byte, error) { return l.GetNewest(ctx, ObjectKey("b", "hundred")) }},
		{"whole record of 100", func() ([]byte, error) { return l.Get(ctx, NSObject, ObjectKey("b", "hundred")) }},
		{"plain get", func() ([]byte, error) { return l.Get(ctx, NSSystem, ObjectKey("b", "null")) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := tt.read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package erasure

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

// BenchmarkPutSmall writes 1 KiB objects from 32 writers on one drive and
// on one set of four: new keys and overwrites of 200 keys in an
// unversioned bucket; new keys and new versions of 200 keys in a
// versioned one (each key gains about b.N/200 versions during the run).
func BenchmarkPutSmall(b *testing.B) {
	for _, drives := range []int{1, 4} {
		for _, mode := range []string{"new", "overwrite", "versioned-new", "versioned"} {
			b.Run(fmt.Sprintf("drives=%d/%s", drives, mode), func(b *testing.B) {
				benchPutSmall(b, drives, mode)
			})
		}
	}
}

func benchPutSmall(b *testing.B, drives int, mode string) {
	const keys = 200
	ctx := context.Background()
	l, _ := openTest(b, drives, nil)
	var configs map[string][]byte
	if strings.HasPrefix(mode, "versioned") {
		configs = map[string][]byte{storage.ConfigVersioning: []byte("Enabled")}
	}
	if err := l.MakeBucketWithConfigs(ctx, "bkt", configs); err != nil {
		b.Fatal(err)
	}
	body := randBytes(1<<10, 1)
	overwrite := mode == "overwrite" || mode == "versioned"
	if overwrite {
		for i := range keys {
			if _, err := l.PutObject(ctx, "bkt", fmt.Sprintf("k%d", i), newPayload(body), storage.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var seq atomic.Int64
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			key := fmt.Sprintf("new%d", n)
			if overwrite {
				key = fmt.Sprintf("k%d", n%keys)
			}
			if _, err := l.PutObject(ctx, "bkt", key, newPayload(body), storage.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

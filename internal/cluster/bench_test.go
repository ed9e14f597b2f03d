package cluster

import (
	"context"
	"io"
	"testing"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
)

// benchRemote returns a Remote over a local drive behind an RPC server.
func benchRemote(b *testing.B, opts drive.Options) (*Remote, *drive.Local) {
	l := openLocal(b, opts)
	n := startNode(b, testSecret, map[string]drive.Drive{"/d": l})
	p := newTestPeer(b, n.host(), testSecret, PeerOptions{})
	waitOnline(b, p, true)
	return NewRemote(p, "http://"+n.host()+"/d", "/d"), l
}

const benchShard = 64 << 20

// BenchmarkShardWrite streams a 64 MiB shard to a remote drive in 1 MiB
// writes; "nosync" skips the drive's fsync to show the RPC's own cost.
func BenchmarkShardWrite(b *testing.B) {
	for _, c := range []struct {
		name string
		opts drive.Options
	}{{"fsync", drive.Options{}}, {"nosync", drive.Options{NoSync: true}}} {
		b.Run(c.name, func(b *testing.B) {
			r, _ := benchRemote(b, c.opts)
			buf := randBytes(b, 1<<20)
			ctx := context.Background()
			b.SetBytes(benchShard)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				stage := uuid.NewString()
				w, err := r.CreateShard(ctx, stage, "part.1", benchShard)
				if err != nil {
					b.Fatal(err)
				}
				for off := 0; off < benchShard; off += len(buf) {
					if _, err := w.Write(buf); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				r.RemoveStage(ctx, stage)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkShardRead streams a 64 MiB shard from a remote drive.
func BenchmarkShardRead(b *testing.B) {
	r, _ := benchRemote(b, drive.Options{NoSync: true})
	ctx := context.Background()
	stage := uuid.NewString()
	w, err := r.CreateShard(ctx, stage, "part.1", benchShard)
	if err != nil {
		b.Fatal(err)
	}
	buf := randBytes(b, 1<<20)
	for off := 0; off < benchShard; off += len(buf) {
		w.Write(buf)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	dir := newDir()
	if err := r.Apply(ctx, drive.Batch{Stage: stage, DataDir: dir}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchShard)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rc, err := r.ReadShard(ctx, dir, "part.1", 0, benchShard)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, rc, buf)
		rc.Close()
		if err != nil || n != benchShard {
			b.Fatalf("read %d bytes, %v", n, err)
		}
	}
}

// BenchmarkGet measures one small metadata call (a 1 KiB record).
func BenchmarkGet(b *testing.B) {
	r, _ := benchRemote(b, drive.Options{NoSync: true})
	ctx := context.Background()
	if err := r.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: "b\x00k", Value: make([]byte, 1024)}}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Get(ctx, drive.NSObject, "b\x00k"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLock measures a write lock and its release across 4 nodes.
func BenchmarkLock(b *testing.B) {
	nodes := make([]*testNode, 4)
	ln := make([]lockNode, 4)
	for i := range nodes {
		nodes[i] = startNode(b, testSecret, nil)
		if i == 0 {
			ln[i] = localLocks{nodes[i].locks}
			continue
		}
		p := newTestPeer(b, nodes[i].host(), testSecret, PeerOptions{})
		waitOnline(b, p, true)
		ln[i] = remoteLocks{p}
	}
	l := newLocker(ln, 3, 2, LockerOptions{Logger: testLogger(b)})
	b.Cleanup(l.Close)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		unlock, err := l.Lock(ctx, "k"+string(rune('a'+i%26)))
		if err != nil {
			b.Fatal(err)
		}
		unlock()
	}
}

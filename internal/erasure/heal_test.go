package erasure

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestHealBitrot(t *testing.T) {
	t.Parallel()
	l, _, dirs := healOpen(t, 4, Config{}) // 2 data + 2 parity
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	r := rand.New(rand.NewPCG(7, 11))
	bodies := map[string][]byte{
		"big":   randBytes(3<<20+17, 1),
		"small": randBytes(10<<10, 2),
		"empty": nil,
	}
	for k, b := range bodies {
		mustPut(t, l, "bkt", k, b)
	}
	p1, p2 := randBytes(storage.MinPartSize+3, 3), randBytes(700<<10, 4)
	healPutParts(t, l, "bkt", "multi", p1, p2)
	bodies["multi"] = append(append([]byte{}, p1...), p2...)

	// Damage two drives' shards of every object: parity 2 tolerates that.
	for _, dir := range dirs[:2] {
		for _, f := range healShardFiles(t, dir, "part.*") {
			healFlip(t, f, 1+r.IntN(8), r)
		}
	}
	healFlipInline(t, l, "bkt", "small", 1, r)
	healFlipInline(t, l, "bkt", "small", 3, r)
	for k, b := range bodies {
		healMustRead(t, l, "bkt", k, b)
	}
	for _, k := range keysOf(bodies) {
		if k == "empty" {
			continue
		}
		if probs := healAudit(t, l, "bkt", k, bodies[k]); len(probs) == 0 {
			t.Fatalf("%s: audit before heal found no damage, want some", k)
		}
	}

	for _, k := range keysOf(bodies) {
		res, err := l.HealObject(ctx, "bkt", k)
		if err != nil {
			t.Fatalf("HealObject(%s): got %v", k, err)
		}
		wantHealed := 2
		if k == "empty" {
			wantHealed = 0
		}
		if res.Healed != wantHealed || !res.Clean() || !res.Exists || res.Size != int64(len(bodies[k])) {
			t.Errorf("HealObject(%s): got healed %d clean %v exists %v size %d (%+v); want healed %d, clean, size %d",
				k, res.Healed, res.Clean(), res.Exists, res.Size, res.Drives, wantHealed, len(bodies[k]))
		}
		if probs := healAudit(t, l, "bkt", k, bodies[k]); len(probs) > 0 {
			t.Errorf("%s after heal: %v", k, probs)
		}
		healMustRead(t, l, "bkt", k, bodies[k])
	}
	// A second heal finds nothing to do.
	for _, k := range keysOf(bodies) {
		res, err := l.HealObject(ctx, "bkt", k)
		if err != nil || res.Damaged() || res.Healed != 0 {
			t.Errorf("second HealObject(%s): got damaged %v healed %d, %v; want nothing to do", k, res.Damaged(), res.Healed, err)
		}
	}
}

// healOp is one write the drives-missing-writes test applies.
type healOp struct {
	kind string // put, delete, update, multipart
	key  string
	size int
}

func TestHealMissedWrites(t *testing.T) {
	t.Parallel()
	ops := []healOp{
		{"put", "new-big", 2<<20 + 5}, {"put", "new-small", 3000},
		{"put", "over-big", 1<<20 + 9}, {"put", "over-small", 77},
		{"put", "shrink", 100}, {"delete", "del-big", 0}, {"delete", "del-small", 0},
		{"update", "meta", 0}, {"multipart", "mp", 0},
	}
	tests := []struct {
		name   string
		drives int
		phases [][]int // drives offline during each phase of writes
	}{
		{"4 drives, two drives each missing writes", 4, [][]int{{0}, {1}}},
		{"6 drives, two drives missing the same writes", 6, [][]int{{2, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, faulty, dirs := healOpen(t, tt.drives, Config{})
			ctx := context.Background()
			mustBucket(t, l, "bkt")
			bodies := map[string][]byte{}
			for i, k := range []string{"over-big", "over-small", "shrink", "del-big", "del-small", "meta", "keep"} {
				bodies[k] = randBytes([]int{3 << 20, 500, 2 << 20, 1 << 20, 10, 4000, 1500}[i], uint64(100+i))
				mustPut(t, l, "bkt", k, bodies[k])
			}
			deleted := map[string]bool{}
			for ph, down := range tt.phases {
				for _, i := range down {
					faulty[i].SetMode(drive.FaultRemoved)
				}
				for i, op := range ops {
					healApply(t, l, op, uint64(1000*ph+i), bodies, deleted)
				}
				for _, i := range down {
					faulty[i].SetMode(drive.FaultNone)
				}
			}
			for _, k := range append(keysOf(bodies), keysOf(deleted)...) {
				if _, err := l.HealObject(ctx, "bkt", k); err != nil {
					t.Errorf("HealObject(%s): got %v", k, err)
				}
			}
			if _, err := l.HealBucket(ctx, "bkt"); err != nil {
				t.Errorf("HealBucket: got %v", err)
			}
			for k, b := range bodies {
				if probs := healAudit(t, l, "bkt", k, b); len(probs) > 0 {
					t.Errorf("%s: %v", k, probs)
				}
			}
			healCheckDeleted(t, l, deleted)
			healCheckDataDirs(t, l, dirs, bodies)
		})
	}
}

// healApply applies op, recording the expected content in bodies (and
// removed keys in deleted).
func healApply(t *testing.T, l *Layer, op healOp, seed uint64, bodies map[string][]byte, deleted map[string]bool) {
	t.Helper()
	ctx := context.Background()
	switch op.kind {
	case "put":
		b := randBytes(op.size, seed)
		mustPut(t, l, "bkt", op.key, b)
		bodies[op.key] = b
		delete(deleted, op.key)
	case "delete":
		_, err := l.DeleteObject(ctx, "bkt", op.key, storage.DeleteOptions{})
		if err != nil && !errors.Is(err, storage.ErrObjectNotFound) {
			t.Fatalf("delete %s: %v", op.key, err)
		}
		delete(bodies, op.key)
		deleted[op.key] = true
	case "update":
		meta := map[string]string{"x-amz-meta-seed": fmt.Sprint(seed)}
		if _, err := l.UpdateObject(ctx, "bkt", op.key, storage.UpdateOptions{Metadata: meta}); err != nil {
			t.Fatalf("update %s: %v", op.key, err)
		}
	case "multipart":
		p1, p2 := randBytes(storage.MinPartSize, seed), randBytes(1000, seed+1)
		healPutParts(t, l, "bkt", op.key, p1, p2)
		bodies[op.key] = append(append([]byte{}, p1...), p2...)
	}
}

// healCheckDeleted fails unless no drive holds a record of a deleted key.
func healCheckDeleted(t *testing.T, l *Layer, deleted map[string]bool) {
	t.Helper()
	for k := range deleted {
		for pos, d := range l.setFor("bkt", k).drives {
			if _, err := d.Get(context.Background(), drive.NSObject, drive.ObjectKey("bkt", k)); !errors.Is(err, drive.ErrNotFound) {
				t.Errorf("deleted %s on drive %d: got %v, want not found", k, pos, err)
			}
		}
	}
}

// healCheckDataDirs fails unless every drive holds exactly one data
// directory per object stored in files (old versions are gone).
func healCheckDataDirs(t *testing.T, l *Layer, dirs []string, bodies map[string][]byte) {
	t.Helper()
	want := 0
	for _, b := range bodies {
		if l.sets[0].codec.layout().ShardSize(int64(len(b))) > l.cfg.InlineLimit {
			want++
		}
	}
	for i, dir := range dirs {
		m, _ := filepath.Glob(filepath.Join(dir, ".hoard.sys", "data", "*", "*"))
		if len(m) != want {
			t.Errorf("drive %d: got %d data directories, want %d", i, len(m), want)
		}
	}
}

func TestHealDangling(t *testing.T) {
	t.Parallel()
	l, _, _ := healOpen(t, 4, Config{})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	s := l.sets[0]
	mustPut(t, l, "bkt", "lost-data", randBytes(2<<20, 1))
	rec, err := s.readRecord(ctx, "bkt", "lost-data")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range s.drives[:3] { // one shard left, two are needed
		if err := d.RemoveDataDir(ctx, rec.Versions[0].DataDir); err != nil {
			t.Fatal(err)
		}
	}
	mustPut(t, l, "bkt", "one-copy", []byte("hello"))
	for _, d := range s.drives[1:] {
		if err := d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: drive.ObjectKey("bkt", "one-copy"), Delete: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		key                     string
		wantDangling, wantGone  bool
		wantRemovedFromOneDrive bool
	}{
		{"lost-data", true, true, false},
		{"one-copy", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			res, err := l.HealObject(ctx, "bkt", tt.key)
			if err != nil || res.Dangling != tt.wantDangling || !res.Removed || res.Exists {
				t.Fatalf("HealObject: got dangling %v removed %v exists %v, %v; want dangling %v, removed", res.Dangling, res.Removed, res.Exists, err, tt.wantDangling)
			}
			if tt.wantRemovedFromOneDrive && res.Healed != 1 {
				t.Errorf("healed drives: got %d, want 1", res.Healed)
			}
			healCheckDeleted(t, l, map[string]bool{tt.key: true})
			if _, err := l.StatObject(ctx, "bkt", tt.key, storage.GetOptions{}); !errors.Is(err, storage.ErrObjectNotFound) {
				t.Errorf("stat after heal: got %v, want ErrObjectNotFound", err)
			}
		})
	}
}

// TestHealRacesWriters heals a key while it is overwritten: the key must
// end up with the last write, at full redundancy.
func TestHealRacesWriters(t *testing.T) {
	t.Parallel()
	l, faulty, _ := healOpen(t, 4, Config{})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	faulty[3].SetMode(drive.FaultRemoved) // every write misses one drive
	var last []byte
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 12 {
			b := randBytes(600<<10+i*1000, uint64(i))
			mustPut(t, l, "bkt", "k", b)
			last = b
			if i == 6 {
				faulty[3].SetMode(drive.FaultNone)
			}
		}
	}()
	for range 20 {
		if _, err := l.HealObject(ctx, "bkt", "k"); err != nil && !errors.Is(err, storage.ErrConflict) && !errors.Is(err, storage.ErrReadQuorum) {
			t.Errorf("HealObject during writes: got %v", err)
		}
	}
	wg.Wait()
	if _, err := l.HealObject(ctx, "bkt", "k"); err != nil {
		t.Fatalf("final HealObject: got %v", err)
	}
	if probs := healAudit(t, l, "bkt", "k", last); len(probs) > 0 {
		t.Errorf("after heal: %v", probs)
	}
}

func TestHealOnRead(t *testing.T) {
	t.Parallel()
	q := &recordQueue{}
	l, _, dirs := healOpen(t, 4, Config{HealQueue: q})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	big, small := randBytes(2<<20+3, 1), randBytes(1000, 2)
	mustPut(t, l, "bkt", "big", big)
	mustPut(t, l, "bkt", "small", small)
	// Corrupt the drives holding the data shards, which a read tries first.
	r := rand.New(rand.NewPCG(3, 4))
	s := l.sets[0]
	rec, err := s.readRecord(ctx, "bkt", "big")
	if err != nil {
		t.Fatal(err)
	}
	for pos, shard := range rec.Versions[0].Erasure.Distribution {
		if int(shard) <= s.data {
			for _, f := range healShardFiles(t, dirs[pos], "part.1") {
				healFlip(t, f, 3, r)
			}
		}
	}
	if err := s.drives[2].Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: drive.ObjectKey("bkt", "small"), Delete: true}}}); err != nil {
		t.Fatal(err)
	}
	if got := q.objects(); len(got) != 0 {
		t.Fatalf("queued before reads: got %v, want none", got)
	}
	healMustRead(t, l, "bkt", "small", small)
	healMustRead(t, l, "bkt", "big", big)
	want := map[string]bool{"bkt/small": false, "bkt/big": true}
	got := q.objects()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queued by the reads: got %v, want %v (key: deep)", got, want)
	}
	for name, deep := range got {
		bucket, key, _ := strings.Cut(name, "/")
		if _, err := l.HealObjectWith(ctx, bucket, key, repair.Options{Deep: deep}); err != nil {
			t.Errorf("heal %s: %v", name, err)
		}
	}
	for k, b := range map[string][]byte{"big": big, "small": small} {
		if probs := healAudit(t, l, "bkt", k, b); len(probs) > 0 {
			t.Errorf("%s after the queued heal: %v", k, probs)
		}
	}
}

// TestHealReducedRedundancy heals objects stored with the lower parity of
// the REDUCED_REDUNDANCY class (their own layout, not the set's).
func TestHealReducedRedundancy(t *testing.T) {
	t.Parallel()
	l, faulty, _ := healOpen(t, 6, Config{}) // 4+2, reduced 5+1
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	bodies := map[string][]byte{"big": randBytes(2<<20+1, 1), "small": randBytes(5000, 2)}
	faulty[4].SetMode(drive.FaultRemoved)
	for k, b := range bodies {
		if _, err := l.PutObject(ctx, "bkt", k, newPayload(b), storage.PutOptions{StorageClass: StorageClassReduced}); err != nil {
			t.Fatal(err)
		}
	}
	faulty[4].SetMode(drive.FaultNone)
	for k, b := range bodies {
		res, err := l.HealObject(ctx, "bkt", k)
		if err != nil || res.Healed != 1 || !res.Clean() {
			t.Errorf("heal %s: got healed %d %+v, %v; want drive 4 healed", k, res.Healed, res.Drives, err)
		}
		if probs := healAudit(t, l, "bkt", k, b); len(probs) > 0 {
			t.Errorf("%s: %v", k, probs)
		}
	}
}

// recordQueue is a HealQueue that records what the engine queued.
type recordQueue struct {
	mu     sync.Mutex
	pushed map[string]bool // bucket/key: deep
}

func (q *recordQueue) Push(bucket, key string, deep bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pushed == nil {
		q.pushed = map[string]bool{}
	}
	k := bucket + "/" + key
	q.pushed[k] = q.pushed[k] || deep
}

// objects returns the objects queued so far (bucket/key), each with
// whether any push of it asked for a deep heal.
func (q *recordQueue) objects() map[string]bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return maps.Clone(q.pushed)
}

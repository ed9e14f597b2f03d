package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// The failure matrix: for a set of n drives with parity p, combinations
// of failing drives (every combination of parity drives for 4 drives) in
// every fault mode, for a single-node engine (DegradedWrites: a 2+2 set
// writes on 2 drives) and a cluster's (2+2 writes need 3). While the
// drives fail, every object must
// read back byte-exact as long as the survivors hold a read quorum, the
// listing must match the model (no deleted object reappears), and writes
// must succeed exactly when the survivors reach the write quorum,
// otherwise fail with a quorum error and change nothing. When the drives
// come back, every object reads back, and every object not written during
// the failure still has every shard on every drive; after HealObject on
// the keys the scenario touched, every object has every shard on every
// drive again (verified shard by shard) and deleted objects are gone from
// every drive; drives made stale by writes that only half of the set took
// are rebuilt by a full pass (sweepStale) before the next scenario.

const matrixBlock = 256 << 10

var matrixModes = []drive.FaultMode{drive.FaultRemoved, drive.FaultEIO, drive.FaultReadOnly, drive.FaultSlow}

// matrixCorpus is what the template drives hold: key -> body.
func matrixCorpus(data int) map[string][]byte {
	return map[string][]byte{
		"inline/empty": {},
		"inline/small": randBytes(1000, 1),
		"inline/max":   randBytes(data*DefaultInlineLimit, 2), // shards exactly at the inline limit
		"plain/multi":  randBytes(5*matrixBlock+777, 3),       // six blocks in shard files
		"dir/a":        randBytes(10, 6),
		"dir/b":        randBytes(20, 7),
	}
}

// matrixMultipart are the multipart objects of the template: key -> parts.
func matrixMultipart() map[string][][]byte {
	return map[string][][]byte{
		"mp/two": {randBytes(storage.MinPartSize, 8), randBytes(100<<10, 9)},
		"mp/one": {randBytes(200<<10, 10)},
	}
}

// failCombinations returns every k-subset of 0..n-1 in lexical order.
func failCombinations(n, k int) [][]int {
	var out [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == k {
			out = append(out, slices.Clone(cur))
			return
		}
		for i := start; i < n; i++ {
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
	return out
}

// spreadCombinations keeps at most max failCombinations, evenly spaced, always the first and last.
func spreadCombinations(c [][]int, max int) [][]int {
	if len(c) <= max {
		return c
	}
	out := make([][]int, 0, max)
	for i := range max {
		out = append(out, c[i*(len(c)-1)/(max-1)])
	}
	return out
}

// matrixPopulate fills the read-only bucket "common" with the corpus and
// one small bucket per scenario with the objects its writes change; it
// returns the model of "common".
func matrixPopulate(t *testing.T, l *Layer, scenarios int) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	mustBucket(t, l, "common")
	model := matrixCorpus(l.sets[0].data)
	for _, k := range keysOf(model) {
		mustPut(t, l, "common", k, model[k])
	}
	for k, parts := range matrixMultipart() {
		if err := putParts(ctx, l, "common", k, parts...); err != nil {
			t.Fatalf("multipart %s: got %v, want nil", k, err)
		}
		model[k] = bytes.Join(parts, nil)
	}
	for i := range scenarios {
		b := matrixBucket(i)
		mustBucket(t, l, b)
		for k, v := range matrixScenarioCorpus() {
			mustPut(t, l, b, k, v)
		}
	}
	return model
}

// matrixScenarioCorpus is what each scenario's own bucket starts with.
func matrixScenarioCorpus() map[string][]byte {
	return map[string][]byte{
		"ow/target":  randBytes(3000, 4),
		"del/target": randBytes(500, 5),
		"dir/a":      randBytes(10, 6),
	}
}

func matrixBucket(i int) string { return fmt.Sprintf("scenario-%03d", i) }

// matrixScenario is one row of the matrix.
type matrixScenario struct {
	failed []int
	mode   drive.FaultMode
}

// TestFailureMatrix runs, per layout, every scenario in turn on one
// engine: the corpus in bucket "common" is never written, and each
// scenario writes only to its own bucket, so scenarios stay independent
// without the cost of fresh drives for each.
func TestFailureMatrix(t *testing.T) {
	tests := []struct {
		drives, parity int
		degraded       bool
		// fails maps a number of failing drives to how many of its
		// combinations to run (0: all); short replaces it with -short.
		fails, short map[int]int
	}{
		{4, 2, true, map[int]int{1: 2, 2: 0, 3: 2}, map[int]int{1: 2, 2: 3, 3: 2}},
		{4, 2, false, map[int]int{2: 3, 3: 2}, map[int]int{2: 2}},
		{6, 2, true, map[int]int{2: 5, 3: 2}, map[int]int{2: 2, 3: 2}},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%d drives parity %d", tt.drives, tt.parity)
		if !tt.degraded {
			name += " cluster quorum"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var scenarios []matrixScenario
			if testing.Short() {
				tt.fails = tt.short
			}
			for _, f := range sortedFails(tt.fails) {
				combos := failCombinations(tt.drives, f)
				if max := tt.fails[f]; max > 0 {
					combos = spreadCombinations(combos, max)
				}
				for _, failed := range combos {
					for _, mode := range matrixModes {
						scenarios = append(scenarios, matrixScenario{failed, mode})
					}
				}
			}
			l, faulty, _ := openFaulty(t, tt.drives, Config{Parity: tt.parity, BlockSize: matrixBlock, DegradedWrites: tt.degraded})
			for _, f := range faulty {
				f.SetDelay(500 * time.Microsecond)
			}
			common := matrixPopulate(t, l, len(scenarios))
			for i, sc := range scenarios {
				t.Run(fmt.Sprintf("%v %v", sc.mode, sc.failed), func(t *testing.T) {
					runMatrixScenario(t, l, faulty, common, matrixBucket(i), sc)
				})
			}
		})
	}
}

func sortedFails(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// matrixState is a scenario's expectations and model of one bucket.
type matrixState struct {
	l        *Layer
	bucket   string
	model    map[string][]byte
	deleted  map[string]bool
	touched  map[string]bool // written while the drives failed
	readable bool
	writable bool
	// updated and made say the scenario's metadata update of dir/a and
	// its bucket creation (bucket + "-new") succeeded.
	updated, made bool
}

func newMatrixState(l *Layer, bucket string, model map[string][]byte, readable, writable bool) *matrixState {
	st := &matrixState{l: l, bucket: bucket, model: map[string][]byte{}, deleted: map[string]bool{}, touched: map[string]bool{}, readable: readable, writable: writable}
	for k, v := range model {
		st.model[k] = v
	}
	return st
}

func runMatrixScenario(t *testing.T, l *Layer, faulty []*drive.Faulty, common map[string][]byte, bucket string, sc matrixScenario) {
	s := l.sets[0]
	n, f := len(s.drives), len(sc.failed)
	broken := sc.mode == drive.FaultRemoved || sc.mode == drive.FaultEIO
	readable := !broken || n-f >= s.readQuorum()
	writable := sc.mode == drive.FaultSlow || n-f >= s.writeQuorum()
	sts := []*matrixState{
		newMatrixState(l, "common", common, readable, false),
		newMatrixState(l, bucket, matrixScenarioCorpus(), readable, writable),
	}
	for _, i := range sc.failed {
		faulty[i].SetMode(sc.mode)
	}
	defer func() {
		for _, fd := range faulty {
			fd.SetMode(drive.FaultNone)
		}
	}()
	for _, st := range sts {
		st.checkReads(t, "while failing")
		st.checkListing(t, "while failing")
	}
	own := sts[1]
	own.writeWhileFailing(t)
	own.checkReads(t, "after writes while failing")
	own.checkListing(t, "after writes while failing")

	for _, fd := range faulty {
		fd.SetMode(drive.FaultNone)
	}
	failedPos := map[int]bool{}
	for pos, d := range s.drives {
		for _, i := range sc.failed {
			if wraps(d, faulty[i]) {
				failedPos[pos] = true
			}
		}
	}
	for _, st := range sts {
		st.readable = true
		st.checkReads(t, "after recovery")
		st.checkListing(t, "after recovery")
		for _, k := range keysOf(st.model) {
			for _, p := range verifyRedundancy(t, l, st.bucket, k) {
				// Only objects written while drives failed may lack shards,
				// and only on the drives that could not take writes.
				if !st.touched[k] || sc.mode == drive.FaultSlow || !failedPos[p.Pos] {
					t.Errorf("after recovery, %s/%s: %v; want full redundancy", st.bucket, k, p)
				}
			}
		}
	}
	own.healAndVerify(t)
	sweepStale(t, l)
	for _, st := range sts {
		st.checkReads(t, "after the rebuild")
		for _, k := range keysOf(st.model) {
			if p := verifyRedundancy(t, l, st.bucket, k); len(p) != 0 {
				t.Errorf("after the rebuild, %s/%s: %v; want full redundancy", st.bucket, k, p)
			}
		}
	}
}

// healAndVerify heals every key the scenario wrote or deleted, then
// requires every object to have every shard on every drive, to read back,
// and every deleted object to have left no record on any drive.
func (st *matrixState) healAndVerify(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.l.HealBucket(ctx, st.bucket+"-new"); err != nil && st.made {
		t.Errorf("heal bucket %s-new: got %v, want nil", st.bucket, err)
	}
	for _, k := range append(keysOf(st.model), keysOf(st.deleted)...) {
		if _, err := st.l.HealObject(ctx, st.bucket, k); err != nil {
			t.Errorf("heal %s/%s: got %v, want nil", st.bucket, k, err)
		}
	}
	for _, k := range keysOf(st.model) {
		if p := verifyRedundancy(t, st.l, st.bucket, k); len(p) != 0 {
			t.Errorf("after heal, %s/%s: %v; want full redundancy", st.bucket, k, p)
		}
	}
	s := st.l.sets[0]
	for _, k := range keysOf(st.deleted) {
		for pos, d := range s.drives {
			if _, err := d.Get(ctx, drive.NSObject, drive.ObjectKey(st.bucket, k)); !errors.Is(err, drive.ErrNotFound) {
				t.Errorf("after heal, deleted %s/%s on drive %d: got %v, want no record", st.bucket, k, pos, err)
			}
		}
	}
	st.checkReads(t, "after heal")
	st.checkListing(t, "after heal")
}

// checkReads reads every object of the model whole and in a range.
func (st *matrixState) checkReads(t *testing.T, when string) {
	t.Helper()
	for _, k := range keysOf(st.model) {
		body := st.model[k]
		got, err := readAll(st.l, st.bucket, k)
		if !st.readable {
			if !isQuorumErr(err) {
				t.Errorf("%s: read %s/%s: got %d bytes, %v; want a quorum error", when, st.bucket, k, len(got), err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: read %s/%s: got %d bytes, %v; want %d bytes", when, st.bucket, k, len(got), err, len(body))
			continue
		}
		if len(body) > 3 {
			off, ln := int64(len(body)/3), int64(len(body)/3)
			got, err := readRange(st.l, st.bucket, k, off, ln)
			if err != nil || !bytes.Equal(got, body[off:off+ln]) {
				t.Errorf("%s: range %d+%d of %s: got %d bytes, %v", when, off, ln, k, len(got), err)
			}
		}
	}
	ctx := context.Background()
	if st.readable && st.model["dir/a"] != nil && st.bucket != "common" {
		info, err := st.l.StatObject(ctx, st.bucket, "dir/a", storage.GetOptions{})
		if want := map[bool]string{true: "new"}[st.updated]; err != nil || info.Metadata["x-amz-meta-m"] != want {
			t.Errorf("%s: metadata of dir/a: got %q, %v; want %q", when, info.Metadata["x-amz-meta-m"], err, want)
		}
		_, err = st.l.GetBucketInfo(ctx, st.bucket+"-new")
		if st.made && err != nil || !st.made && !errors.Is(err, storage.ErrBucketNotFound) {
			t.Errorf("%s: bucket %s-new (created: %v): got %v", when, st.bucket, st.made, err)
		}
	}
	for _, k := range keysOf(st.deleted) {
		_, err := st.l.StatObject(ctx, st.bucket, k, storage.GetOptions{})
		if st.readable && !errors.Is(err, storage.ErrObjectNotFound) || !st.readable && !isQuorumErr(err) {
			t.Errorf("%s: stat of deleted %s: got %v, want not found (or a quorum error while unreadable)", when, k, err)
		}
	}
}

// checkListing lists the bucket flat (small pages) and by "/" and
// compares with the model.
func (st *matrixState) checkListing(t *testing.T, when string) {
	t.Helper()
	keys, _, err := listAllErr(st.l, st.bucket, storage.ListOptions{MaxKeys: 3})
	if !st.readable {
		if !isQuorumErr(err) {
			t.Errorf("%s: list: got %v, want a quorum error", when, err)
		}
		return
	}
	if want := keysOf(st.model); err != nil || !slices.Equal(keys, want) {
		t.Errorf("%s: list: got %q, %v; want %q", when, keys, err, want)
	}
	_, prefixes, err := listAllErr(st.l, st.bucket, storage.ListOptions{Delimiter: "/"})
	want := map[string]bool{}
	for k := range st.model {
		want[k[:strings.Index(k, "/")+1]] = true
	}
	if err != nil || !slices.Equal(prefixes, keysOf(want)) {
		t.Errorf("%s: list by /: got %q, %v; want %q", when, prefixes, err, keysOf(want))
	}
}

// writeWhileFailing puts, overwrites, deletes and uploads in parts; each
// must succeed when the set is writable and fail with a quorum error,
// changing nothing, when it is not.
func (st *matrixState) writeWhileFailing(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	puts := map[string][]byte{
		"new/small": randBytes(1000, 20),
		"new/big":   randBytes(600<<10, 21),
		"ow/target": randBytes(300<<10, 22),
	}
	type op struct {
		name  string
		run   func() error
		apply func()
	}
	var ops []op
	for _, k := range keysOf(puts) {
		ops = append(ops, op{"put " + k, func() error {
			_, err := st.l.PutObject(ctx, st.bucket, k, newPayload(puts[k]), storage.PutOptions{})
			return err
		}, func() { st.model[k] = puts[k]; st.touched[k] = true }})
	}
	part := randBytes(100<<10, 23)
	ops = append(ops,
		op{"delete del/target", func() error {
			_, err := st.l.DeleteObject(ctx, st.bucket, "del/target", storage.DeleteOptions{})
			return err
		}, func() { delete(st.model, "del/target"); st.deleted["del/target"] = true }},
		op{"multipart new/mp", func() error { return putParts(ctx, st.l, st.bucket, "new/mp", part) },
			func() { st.model["new/mp"] = part; st.touched["new/mp"] = true }},
		op{"update dir/a", func() error {
			_, err := st.l.UpdateObject(ctx, st.bucket, "dir/a", storage.UpdateOptions{Metadata: map[string]string{"x-amz-meta-m": "new"}})
			return err
		}, func() { st.touched["dir/a"] = true; st.updated = true }},
		op{"make bucket", func() error { return st.l.MakeBucket(ctx, st.bucket+"-new") }, func() { st.made = true }},
	)
	for _, o := range ops {
		err := o.run()
		switch {
		case st.writable && err != nil:
			t.Errorf("%s: got %v, want nil", o.name, err)
		case st.writable:
			o.apply()
		case !isQuorumErr(err):
			t.Errorf("%s: got %v, want a quorum error", o.name, err)
		case st.readable && !errors.Is(err, storage.ErrWriteQuorum):
			t.Errorf("%s: got %v, want storage.ErrWriteQuorum", o.name, err)
		}
	}
}

// TestDeletedStaysDeleted: a drive that missed a delete (it was down)
// comes back while other drives fail; the listing must not show the
// deleted object or its prefix again, and no read may return it.
func TestDeletedStaysDeleted(t *testing.T) {
	tests := []struct {
		drives, parity int
		downAtDelete   []int
		downAfter      []int
	}{
		{4, 2, []int{0}, []int{2, 3}},
		{4, 2, []int{3}, []int{0, 1}},
		{6, 2, []int{0, 1}, []int{2, 3}},
		{5, 2, []int{4}, []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d drives, %v down at delete, %v after", tt.drives, tt.downAtDelete, tt.downAfter), func(t *testing.T) {
			t.Parallel()
			l, faulty, _ := openFaulty(t, tt.drives, Config{Parity: tt.parity})
			ctx := context.Background()
			mustBucket(t, l, "bkt")
			keep := randBytes(2000, 1)
			mustPut(t, l, "bkt", "keep/a", keep)
			mustPut(t, l, "bkt", "gone/small", randBytes(100, 2))
			mustPut(t, l, "bkt", "gone/big", randBytes(700<<10, 3))
			for _, i := range tt.downAtDelete {
				faulty[i].SetMode(drive.FaultRemoved)
			}
			for _, k := range []string{"gone/small", "gone/big"} {
				if _, err := l.DeleteObject(ctx, "bkt", k, storage.DeleteOptions{}); err != nil {
					t.Fatalf("delete %s: got %v, want nil", k, err)
				}
			}
			for _, i := range tt.downAtDelete {
				faulty[i].SetMode(drive.FaultNone)
			}
			for _, i := range tt.downAfter {
				faulty[i].SetMode(drive.FaultEIO)
			}
			keys, _, err := listAllErr(l, "bkt", storage.ListOptions{})
			if err != nil || !slices.Equal(keys, []string{"keep/a"}) {
				t.Errorf("list: got %q, %v; want [keep/a]", keys, err)
			}
			_, prefixes, err := listAllErr(l, "bkt", storage.ListOptions{Delimiter: "/"})
			if err != nil || !slices.Equal(prefixes, []string{"keep/"}) {
				t.Errorf("list by /: got %q, %v; want [keep/]", prefixes, err)
			}
			for _, k := range []string{"gone/small", "gone/big"} {
				if got, err := readAll(l, "bkt", k); err == nil {
					t.Errorf("read deleted %s: got %d bytes, want an error", k, len(got))
				}
			}
			if got, err := readAll(l, "bkt", "keep/a"); err != nil || !bytes.Equal(got, keep) {
				t.Errorf("read keep/a: got %d bytes, %v", len(got), err)
			}
			for _, f := range faulty {
				f.SetMode(drive.FaultNone)
			}
			st := newMatrixState(l, "bkt", map[string][]byte{"keep/a": keep}, true, true)
			st.deleted = map[string]bool{"gone/small": true, "gone/big": true}
			st.healAndVerify(t)
		})
	}
}

// TestFailedUpdateChangesNothing: a metadata update that misses its write
// quorum is undone on the drives that took it, so every read quorum of
// drives sees the old metadata afterwards.
func TestFailedUpdateChangesNothing(t *testing.T) {
	l, faulty, _ := openFaulty(t, 4, Config{})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	if _, err := l.PutObject(ctx, "bkt", "k", newPayload([]byte("body")), storage.PutOptions{Metadata: map[string]string{"x-amz-meta-v": "old"}}); err != nil {
		t.Fatal(err)
	}
	faulty[1].SetMode(drive.FaultReadOnly)
	faulty[2].SetMode(drive.FaultReadOnly)
	_, err := l.UpdateObject(ctx, "bkt", "k", storage.UpdateOptions{Metadata: map[string]string{"x-amz-meta-v": "new"}})
	if !errors.Is(err, storage.ErrWriteQuorum) {
		t.Fatalf("update with 2 of 4 read-only: got %v, want ErrWriteQuorum", err)
	}
	faulty[1].SetMode(drive.FaultNone)
	faulty[2].SetMode(drive.FaultNone)
	for _, down := range failCombinations(4, 2) {
		for _, i := range down {
			faulty[i].SetMode(drive.FaultRemoved)
		}
		info, err := l.StatObject(ctx, "bkt", "k", storage.GetOptions{})
		if err != nil || info.Metadata["x-amz-meta-v"] != "old" {
			t.Errorf("drives %v down: got %v, %v; want the old metadata", down, info.Metadata, err)
		}
		for _, i := range down {
			faulty[i].SetMode(drive.FaultNone)
		}
	}
	if p := verifyRedundancy(t, l, "bkt", "k"); len(p) != 0 {
		t.Errorf("after the failed update: %v; want every drive to agree", p)
	}
}

// TestFailedBucketChangesNothing: creating or deleting a bucket without a
// write quorum is undone on the drives that took it.
func TestFailedBucketChangesNothing(t *testing.T) {
	l, faulty, _ := openFaulty(t, 4, Config{})
	ctx := context.Background()
	mustBucket(t, l, "kept")
	faulty[0].SetMode(drive.FaultReadOnly)
	faulty[3].SetMode(drive.FaultReadOnly)
	if err := l.MakeBucket(ctx, "never"); !errors.Is(err, storage.ErrWriteQuorum) {
		t.Errorf("MakeBucket with 2 of 4 read-only: got %v, want ErrWriteQuorum", err)
	}
	if err := l.DeleteBucket(ctx, "kept", false); !errors.Is(err, storage.ErrWriteQuorum) {
		t.Errorf("DeleteBucket with 2 of 4 read-only: got %v, want ErrWriteQuorum", err)
	}
	faulty[0].SetMode(drive.FaultNone)
	faulty[3].SetMode(drive.FaultNone)
	for _, down := range append(failCombinations(4, 2), nil) {
		for _, i := range down {
			faulty[i].SetMode(drive.FaultRemoved)
		}
		if _, err := l.GetBucketInfo(ctx, "never"); !errors.Is(err, storage.ErrBucketNotFound) {
			t.Errorf("drives %v down: bucket never: got %v, want ErrBucketNotFound", down, err)
		}
		if _, err := l.GetBucketInfo(ctx, "kept"); err != nil {
			t.Errorf("drives %v down: bucket kept: got %v, want it", down, err)
		}
		bs, err := l.ListBuckets(ctx)
		if err != nil || len(bs) != 1 || bs[0].Name != "kept" {
			t.Errorf("drives %v down: ListBuckets: got %v, %v; want [kept]", down, bs, err)
		}
		for _, i := range down {
			faulty[i].SetMode(drive.FaultNone)
		}
	}
}

package drive

import (
	"context"
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hoardstore/hoard/internal/meta"
)

// storeRaw writes key's head (marked when tail positions are given) and
// its tail entries as the drive stores them, bypassing Apply.
func storeRaw(t *testing.T, l *Local, key string, vs []meta.Version, marked bool, pos []uint64) {
	t.Helper()
	b := l.db.NewBatch()
	head := trec(vs...)
	if marked {
		head = append([]byte{tailMarker}, trec(vs[0])...)
		for i, p := range pos {
			enc := trec(vs[i+1])
			_, start, _ := meta.VersionSpans(nil, enc)
			b.Set(appendTailKey(nil, key, p), enc[start:], nil)
		}
	}
	b.Set(dbKey(NSObject, key), head, nil)
	if err := l.db.Apply(b, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

func TestTailPush(t *testing.T) {
	v := tvers("v0", "v1", "v2", "v3")
	fresh := tver("fresh", 7)
	pushed := func(vs ...meta.Version) []byte { return trec(append([]meta.Version{fresh}, vs...)...) }
	tests := []struct {
		name string
		// setup stores the record before the push; nil: none.
		setup func(t *testing.T, l *Local, key string)
		// readFirst reads the whole record before the push (a hint);
		// readNewest its head alone, as the engine does (a partial one).
		readFirst, readNewest bool
		expect                []byte // the push's Expect
		value                 []byte // the pushed value; trec(fresh) when nil
		want                  []byte // the record after; nil when refused
		wantErr               error
		wantWrites            int64
	}{
		{name: "onto no record", want: pushed(), wantWrites: 1},
		{name: "onto one version", setup: func(t *testing.T, l *Local, k string) { applyRecord(t, l, k, trec(v[0])) },
			expect: trec(v[0]), want: pushed(v[0]), wantWrites: 2},
		{name: "onto a tail", setup: func(t *testing.T, l *Local, k string) { applyRecord(t, l, k, trec(v...)) },
			expect: trec(v[0]), want: pushed(v...), wantWrites: 2},
		{name: "onto a tail read just before", setup: func(t *testing.T, l *Local, k string) { applyRecord(t, l, k, trec(v...)) },
			readFirst: true, expect: trec(v[0]), want: pushed(v...), wantWrites: 2},
		{name: "onto a tail whose head was read to write", setup: func(t *testing.T, l *Local, k string) { applyRecord(t, l, k, trec(v...)) },
			readNewest: true, expect: trec(v[0]), want: pushed(v...), wantWrites: 2},
		{name: "onto a record written before tails", setup: func(t *testing.T, l *Local, k string) { storeRaw(t, l, k, v, false, nil) },
			expect: trec(v[0]), want: pushed(v...), wantWrites: 5},
		{name: "first position near 0", setup: func(t *testing.T, l *Local, k string) {
			storeRaw(t, l, k, v[:3], true, []uint64{2 * tailStep, 3 * tailStep})
		},
			expect: trec(v[0]), want: pushed(v[:3]...), wantWrites: 2},
		{name: "no room before the first position", setup: func(t *testing.T, l *Local, k string) { storeRaw(t, l, k, v[:3], true, []uint64{1, 2}) },
			expect: trec(v[0]), want: pushed(v[:3]...), wantWrites: 6},
		{name: "marked head without tail entries", setup: func(t *testing.T, l *Local, k string) { storeRaw(t, l, k, v[:2], true, nil) },
			expect: trec(v[0]), want: pushed(v[0]), wantWrites: 2},
		{name: "newest changed since read", setup: func(t *testing.T, l *Local, k string) { applyRecord(t, l, k, trec(v...)) },
			expect: trec(v[1]), wantErr: ErrRecordChanged},
		{name: "record appeared since read", setup: func(t *testing.T, l *Local, k string) { applyRecord(t, l, k, trec(v[0])) },
			wantErr: ErrRecordChanged},
		{name: "record went since read", expect: trec(v[0]), wantErr: ErrRecordChanged},
		{name: "a value of two versions", value: trec(v[:2]...), wantErr: ErrInvalidArgument},
		{name: "a value that does not decode", value: []byte{1, 2, 3, 4}, wantErr: ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := openLocal(t, t.TempDir())
			key := ObjectKey("b", "obj")
			var before []byte
			if tt.setup != nil {
				tt.setup(t, l, key)
				before, _ = l.Get(ctx, NSObject, key)
			}
			if tt.readFirst {
				if _, err := l.Get(ctx, NSObject, key); err != nil {
					t.Fatal(err)
				}
			}
			if tt.readNewest {
				if _, err := l.GetNewestToWrite(ctx, key); err != nil {
					t.Fatal(err)
				}
			}
			value := tt.value
			if value == nil {
				value = trec(fresh)
			}
			writes := l.recordWrites.Load()
			err := l.Apply(ctx, Batch{Mutations: []Mutation{
				{NS: NSObject, Key: key, Value: value, Push: true, Expect: tt.expect},
				{NS: NSInline, Key: "side", Value: []byte("x")},
			}})
			writes = l.recordWrites.Load() - writes
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Apply: got %v, want %v", err, tt.wantErr)
				}
				checkStored(t, l, key, before)
				if _, err := l.Get(ctx, NSInline, "side"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("the refused batch's other record: got %v, want not written", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			checkLeft(t, l, key)
			checkStored(t, l, key, tt.want)
			if writes != tt.wantWrites {
				t.Errorf("keys written: got %d, want %d", writes, tt.wantWrites)
			}
		})
	}
}

// TestTailPushMany pushes 300 versions one by one, each read as the
// engine reads it (GetNewest), and checks every push writes two keys and
// the record is every version, newest first.
func TestTailPushMany(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir())
	key := ObjectKey("b", "hot")
	var vs []meta.Version
	for i := range 300 {
		expect, err := l.GetNewest(ctx, key)
		if errors.Is(err, ErrNotFound) {
			expect, err = nil, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		v := tver("p"+string(rune('a'+i%26))+string(rune('a'+i/26)), i)
		writes := l.recordWrites.Load()
		if err := l.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSObject, Key: key, Value: trec(v), Push: true, Expect: expect}}}); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		if got := l.recordWrites.Load() - writes; i > 0 && got != 2 {
			t.Fatalf("push %d wrote %d keys, want 2", i, got)
		}
		checkLeft(t, l, key) // so the next push reads nothing
		vs = append([]meta.Version{v}, vs...)
	}
	checkStored(t, l, key, trec(vs...))
	// An ordinary write afterwards sees every pushed version.
	applyRecord(t, l, key, trec(vs[1:]...))
	checkStored(t, l, key, trec(vs[1:]...))
}

// TestTailPushTwiceInOneBatch pushes two versions of one key in one
// commit: the second push reads the first through the batch.
func TestTailPushTwiceInOneBatch(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir())
	key := ObjectKey("b", "k")
	v := tvers("v0", "v1", "v2", "v3")
	applyRecord(t, l, key, trec(v[2:]...))
	err := l.Apply(ctx, Batch{Mutations: []Mutation{
		{NS: NSObject, Key: key, Value: trec(v[1]), Push: true, Expect: trec(v[2])},
		{NS: NSObject, Key: key, Value: trec(v[0]), Push: true, Expect: trec(v[1])},
	}})
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, l, key, trec(v...))
}

// TestTailFormatRaisedByNamedHead: a drive of format version 2 whose
// write stores a head naming its tail's start, and no tail entry, is
// raised to the version that reads such heads first.
func TestTailFormatRaisedByNamedHead(t *testing.T) {
	ctx := context.Background()
	l := openLocal(t, t.TempDir())
	if err := l.WriteFormat(ctx, Format{Version: 2, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}}); err != nil {
		t.Fatal(err)
	}
	key := ObjectKey("b", "k")
	v := tvers("v0", "v1", "v2")
	storeRaw(t, l, key, v, true, []uint64{tailFirst, tailFirst + tailStep}) // as version 2 stores it
	applyRecord(t, l, key, trec(v[1:]...))                                  // the newest deleted: no tail entry written
	if f, err := l.ReadFormat(ctx); err != nil || f.Version != FormatVersion {
		t.Fatalf("format: got %+v, %v; want version %d", f, err, FormatVersion)
	}
	checkStored(t, l, key, trec(v[1:]...))
}

// TestTailOrdinaryWriteAfterHeadRead: a read of a marked head alone
// (GetNewestToWrite) leaves a hint that knows nothing of the tail; an
// ordinary write after it must still read the tail to change it.
func TestTailOrdinaryWriteAfterHeadRead(t *testing.T) {
	ctx := context.Background()
	v := tvers("v0", "v1", "v2", "v3")
	for name, to := range map[string][]meta.Version{
		"all but the newest deleted": v[:1],
		"the oldest deleted":         v[:3],
		"a version pushed":           append([]meta.Version{tver("new", 9)}, v...),
		"the object deleted":         nil,
	} {
		t.Run(name, func(t *testing.T) {
			l := openLocal(t, t.TempDir())
			key := ObjectKey("b", "k")
			applyRecord(t, l, key, trec(v...))
			if _, err := l.GetNewestToWrite(ctx, key); err != nil {
				t.Fatal(err)
			}
			var want []byte
			if to != nil {
				want = trec(to...)
			}
			applyRecord(t, l, key, want)
			checkStored(t, l, key, want)
		})
	}
}

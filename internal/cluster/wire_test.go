package cluster

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

func TestBatchRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []drive.Batch{
		{},
		{Stage: "abc-123", DataDir: meta.DataDir{1, 2, 3}},
		{
			Mutations: []drive.Mutation{
				{NS: drive.NSObject, Key: "b\x00k", Value: []byte("v")},
				{NS: drive.NSInline, Key: string([]byte{0, 0xff}), Value: []byte{}},
				{NS: drive.NSPart, Key: "x", Delete: true},
			},
			Ref:   []meta.DataDir{{9}},
			Unref: []meta.DataDir{{7}, {8}},
		},
		{Mutations: []drive.Mutation{
			{NS: drive.NSInline, Key: "i", Value: []byte("x")},
			{NS: drive.NSObject, Key: "b\x00k", Value: []byte("v"), Push: true, Expect: []byte("old")},
			{NS: drive.NSObject, Key: "b\x00n", Value: []byte("w"), Push: true},
		}},
	}
	for i, b := range cases {
		got, err := decodeBatch(encodeBatch(b))
		if err != nil || !reflect.DeepEqual(got, b) {
			t.Fatalf("case %d: got %+v, %v; want %+v", i, got, err, b)
		}
	}
}

// TestBatchPushesAfterEverything checks a batch with pushes is the same
// batch without them plus a suffix, which a node older than pushes
// refuses as trailing bytes rather than store a pushed version as a
// whole record.
func TestBatchPushesAfterEverything(t *testing.T) {
	t.Parallel()
	plain := drive.Batch{Stage: "s", Mutations: []drive.Mutation{{NS: drive.NSObject, Key: "b\x00k", Value: []byte("v")}}, Unref: []meta.DataDir{{3}}}
	pushed := plain
	pushed.Mutations = []drive.Mutation{{NS: drive.NSObject, Key: "b\x00k", Value: []byte("v"), Push: true, Expect: []byte("e")}}
	a, b := encodeBatch(plain), encodeBatch(pushed)
	if len(b) <= len(a) || !bytes.Equal(b[:len(a)], a) {
		t.Fatalf("batch with a push: %x, want %x and a suffix", b, a)
	}
	for _, bad := range [][]byte{
		append(bytes.Clone(a), 0),             // no push counted
		append(bytes.Clone(a), 1, 1, 0),       // index past the mutations
		append(bytes.Clone(a), 2, 0, 0, 0, 0), // one index twice
		append(encodeBatch(drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSInline, Key: "i", Value: []byte("v")}}}), 1, 0, 0), // a push of no object record
		append(encodeBatch(drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: "k", Delete: true}}}), 1, 0, 0),       // a push that deletes
	} {
		if _, err := decodeBatch(bad); !errors.Is(err, ErrProtocol) {
			t.Errorf("decodeBatch(%x): got %v, want ErrProtocol", bad, err)
		}
	}
}

func TestWalkRoundTrip(t *testing.T) {
	t.Parallel()
	o := drive.WalkOptions{NS: drive.NSUpload, Scope: "b\x00", Prefix: "p/", Delimiter: "/", Start: "p/q", Limit: 1000, KeysOnly: true}
	got, err := decodeWalkOptions(encodeWalkOptions(o))
	if err != nil || got != o {
		t.Fatalf("walk options: got %+v, %v; want %+v", got, err, o)
	}
	r := drive.WalkResult{Truncated: true, Entries: []drive.WalkEntry{{Name: "a", Value: []byte("1")}, {Name: "b/", IsPrefix: true}, {Name: "c", Value: []byte{}}}}
	gr, err := decodeWalkResult(encodeWalkResult(r))
	if err != nil || !reflect.DeepEqual(gr, r) {
		t.Fatalf("walk result: got %+v, %v; want %+v", gr, err, r)
	}
	rs := []lockRelease{{"unlock", "o\x00b\x00k", "u1"}, {"runlock", "b\x00b", "u2"}}
	gotRs, err := decodeReleases(encodeReleases(rs))
	if err != nil || !reflect.DeepEqual(gotRs, rs) {
		t.Fatalf("releases: got %+v, %v; want %+v", gotRs, err, rs)
	}
	names := []string{"part.1", "part.2"}
	gn, err := decodeNames(encodeNames(names))
	if err != nil || !reflect.DeepEqual(gn, names) {
		t.Fatalf("names: got %q, %v; want %q", gn, err, names)
	}
}

// TestDecodersRejectGarbage feeds truncations and random bytes to every
// decoder: each must return ErrProtocol or a value, never panic.
func TestDecodersRejectGarbage(t *testing.T) {
	t.Parallel()
	full := encodeBatch(drive.Batch{Stage: "s", Mutations: []drive.Mutation{{NS: 'o', Key: "k", Value: []byte("value")}}, Ref: []meta.DataDir{{1}}})
	for i := 0; i < len(full); i++ {
		if _, err := decodeBatch(full[:i]); !errors.Is(err, ErrProtocol) {
			t.Fatalf("batch truncated to %d bytes: got %v, want ErrProtocol", i, err)
		}
	}
	if _, err := decodeBatch(append(bytes.Clone(full), 0)); !errors.Is(err, ErrProtocol) {
		t.Fatalf("batch with a trailing byte: got %v, want ErrProtocol", err)
	}
	// A count far larger than the body must not allocate.
	if _, err := decodeWalkResult([]byte{0, 0xff, 0xff, 0xff, 0xff, 0x0f}); !errors.Is(err, ErrProtocol) {
		t.Fatalf("huge count: got %v, want ErrProtocol", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.IntN(64))
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		decodeBatch(b)
		decodeWalkOptions(b)
		decodeWalkResult(b)
		decodeNames(b)
		decodeReleases(b)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(encodeBatch(drive.Batch{Stage: "s", Mutations: []drive.Mutation{{NS: 'o', Key: "k", Value: []byte("v")}}}))
	f.Add(encodeBatch(drive.Batch{Mutations: []drive.Mutation{{NS: 'o', Key: "k", Value: []byte("v"), Push: true, Expect: []byte("e")}, {NS: 'o', Key: "n", Push: true}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeBatch(b)
		if err != nil {
			return
		}
		again, err := decodeBatch(encodeBatch(got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("re-encoding: got %+v, %v; want %+v", again, err, got)
		}
	})
}

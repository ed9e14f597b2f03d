package drive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/meta"
)

// TestValueSeparation checks that large values (inline shards) leave the
// sstables for blob files once flushed, and that every value, separated
// or not, reads back the same after a reopen.
func TestValueSeparation(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLocal(dir, Options{})
	if err != nil {
		t.Fatalf("OpenLocal: got %v, want nil", err)
	}
	ctx := context.Background()
	values := map[string][]byte{}
	var muts []Mutation
	for i, size := range []int{10, 1000, 1 << 10, 4 << 10, 128 << 10} {
		key := InlineKey(meta.DataDir{byte(i + 1)})
		v := bytes.Repeat([]byte{byte(i + 1)}, size)
		values[key] = v
		muts = append(muts, Mutation{NS: NSInline, Key: key, Value: v})
	}
	if err := l.Apply(ctx, Batch{Mutations: muts}); err != nil {
		t.Fatalf("Apply: got %v, want nil", err)
	}
	if err := l.db.Flush(); err != nil {
		t.Fatalf("Flush: got %v, want nil", err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, sysDir, metaDir))
	if err != nil {
		t.Fatal(err)
	}
	blobs := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".blob") {
			blobs++
		}
	}
	if blobs == 0 {
		t.Errorf("blob files after a flush of large values: got 0, want at least 1")
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: got %v, want nil", err)
	}
	l = openLocal(t, dir)
	for key, want := range values {
		got, err := l.Get(ctx, NSInline, key)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Get of a %d-byte value after reopen: got %d bytes, %v; want the value", len(want), len(got), err)
		}
	}
}

package drive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// TestMetadataIOErrors injects I/O errors under the metadata store with
// pebble's errorfs once the drive runs: a failing write-ahead log (pebble
// reports a fatal commit error, and its commit returns as if it had
// succeeded) and failing table writes of a background flush. The process
// stays up, no write is reported durable that was not, and the drive is
// taken out of service with the reason.
func TestMetadataIOErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fails    func(op errorfs.Op) bool
		metadata bool
		// inject is the error injected (nil: errorfs.ErrInjected); full
		// says the fault must be one of space (Fault.Full).
		inject error
		full   bool
	}{
		{"wal-write", func(op errorfs.Op) bool {
			return strings.HasSuffix(op.Path, ".log") && op.Kind.ReadOrWrite() == errorfs.OpIsWrite
		}, false, nil, false},
		{"flush-table-write", func(op errorfs.Op) bool {
			return strings.HasSuffix(op.Path, ".sst") && op.Kind.ReadOrWrite() == errorfs.OpIsWrite
		}, false, nil, false},
		// pebble panics when it cannot create the next write-ahead log
		// (and the panic becomes a fatal error of the runtime): absorb.go
		// takes the failure instead.
		{"wal-rotate", func(op errorfs.Op) bool {
			return strings.HasSuffix(op.Path, ".log") && (op.Kind == errorfs.OpCreate || op.Kind == errorfs.OpReuseForWrite)
		}, false, nil, false},
		// A full disk: the next log cannot be preallocated. The drive is
		// out for lack of space, opened again as soon as space returns.
		{"wal-rotate-enospc", func(op errorfs.Op) bool {
			return strings.HasSuffix(op.Path, ".log") && (op.Kind == errorfs.OpCreate || op.Kind == errorfs.OpReuseForWrite || op.Kind == errorfs.OpFilePreallocate)
		}, false, syscall.ENOSPC, true},
		// pebble calls Fatalf when a MANIFEST write or sync fails.
		{"manifest-sync", func(op errorfs.Op) bool {
			return strings.Contains(op.Path, "MANIFEST") && (op.Kind == errorfs.OpFileSync || op.Kind == errorfs.OpFileSyncData || op.Kind == errorfs.OpFileWrite)
		}, false, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var on errorfs.Toggle
			inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
				if tc.fails(op) {
					if tc.inject != nil {
						return tc.inject
					}
					return errorfs.ErrInjected
				}
				return nil
			})
			on.Injector = inj
			fs := errorfs.Wrap(vfs.Default, &on)
			l, err := OpenLocal(t.TempDir(), Options{MemTableSize: 64 << 10, MetaFS: fs})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			ctx := context.Background()
			if err := l.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSObject, Key: "before", Value: []byte("v")}}}); err != nil {
				t.Fatalf("Apply before the faults: %v", err)
			}
			on.On()
			var failed error
			acked := map[string][]byte{}
			for i := range 400 {
				k := fmt.Sprintf("k%04d", i)
				v := bytes.Repeat([]byte{byte(i)}, 700)
				if err := l.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSObject, Key: k, Value: v}}}); err != nil {
					failed = err
					break
				}
				acked[k] = v
			}
			if failed == nil {
				t.Fatalf("400 writes of 700 bytes with the %s failing all succeeded", tc.name)
			}
			if !errors.Is(failed, ErrFaulty) {
				t.Errorf("failed write: got %v, want ErrFaulty", failed)
			}
			f := l.Fault()
			if f == nil || f.Metadata != tc.metadata || f.Reason == "" || f.Full != tc.full {
				t.Fatalf("fault: got %+v, want a fault with a reason, metadata %v, full %v", f, tc.metadata, tc.full)
			}
			t.Logf("fault after %d writes: %s", len(acked), f.Reason)
			if _, err := l.Get(ctx, NSObject, "before"); !errors.Is(err, ErrFaulty) {
				t.Errorf("Get on the faulty drive: got %v, want ErrFaulty", err)
			}
			on.Off()
			l.Close()
			// What was acknowledged is there once the drive opens again.
			l2, err := OpenLocal(l.Root(), Options{MemTableSize: 64 << 10})
			if err != nil {
				t.Fatal(err)
			}
			defer l2.Close()
			if l2.Fault() != nil {
				t.Skipf("the store did not survive the injected errors (%s): nothing more to check", l2.Fault().Reason)
			}
			for k, v := range acked {
				got, err := l2.Get(ctx, NSObject, k)
				if err != nil || !bytes.Equal(got, v) {
					t.Errorf("acknowledged %s after reopening: got %d bytes, %v", k, len(got), err)
				}
			}
		})
	}
}

// TestMetadataFolderRemoved removes the metadata store's folder under a
// running drive, as an operator's mistake or a vanished mount does: the
// next write-ahead log cannot be created (pebble would panic), the drive
// is taken out of service with the reason, and the process stays up.
func TestMetadataFolderRemoved(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	l, err := OpenLocal(root, Options{MemTableSize: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	if err := l.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSObject, Key: "before", Value: []byte("v")}}}); err != nil {
		t.Fatalf("Apply before the removal: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(root, sysDir, metaDir)); err != nil {
		t.Fatal(err)
	}
	var failed error
	for i := range 1000 {
		v := bytes.Repeat([]byte{byte(i)}, 700)
		if err := l.Apply(ctx, Batch{Mutations: []Mutation{{NS: NSObject, Key: fmt.Sprintf("k%04d", i), Value: v}}}); err != nil {
			failed = err
			break
		}
	}
	if !errors.Is(failed, ErrFaulty) {
		t.Fatalf("writes after the folder was removed: got %v, want ErrFaulty", failed)
	}
	if f := l.Fault(); f == nil || f.Reason == "" {
		t.Fatalf("fault: got %+v, want one with a reason", f)
	}
}

package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// storedLayout reads the erasure layout of bucket/key's current version.
func storedLayout(t *testing.T, l *Layer, bucket, key string) meta.Erasure {
	t.Helper()
	rec, err := l.setFor(bucket, key).readRecord(context.Background(), bucket, key)
	if err != nil {
		t.Fatalf("read record %s: %v", key, err)
	}
	return rec.Versions[0].Erasure
}

// TestStorageClassParity: REDUCED_REDUNDANCY objects are stored with the
// lower parity, per version, in single PUTs (inline and in files) and in
// multipart uploads, and are read, and refused, by their own layout's
// quorums.
func TestStorageClassParity(t *testing.T) {
	tests := []struct {
		drives, parity, reduced int
		wantStd, wantRRS        [2]int // data, parity
	}{
		{4, 0, 0, [2]int{2, 2}, [2]int{3, 1}},
		{6, 3, 0, [2]int{3, 3}, [2]int{5, 1}},
		{6, 3, 2, [2]int{3, 3}, [2]int{4, 2}},
		{8, 0, 0, [2]int{4, 4}, [2]int{6, 2}},
		{2, 0, 0, [2]int{1, 1}, [2]int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d drives parity %d reduced %d", tt.drives, tt.parity, tt.reduced), func(t *testing.T) {
			t.Parallel()
			l, faulty, _ := openFaulty(t, tt.drives, Config{Parity: tt.parity, ReducedParity: tt.reduced})
			ctx := context.Background()
			mustBucket(t, l, "bkt")
			bodies := map[string][]byte{"small": randBytes(5000, 1), "big": randBytes(1<<20+17, 2)}
			for name, b := range bodies {
				for _, sc := range []string{"", StorageClassReduced} {
					key := name + "-" + sc
					info, err := l.PutObject(ctx, "bkt", key, newPayload(b), storage.PutOptions{StorageClass: sc})
					want := map[string]string{"": "STANDARD", StorageClassReduced: StorageClassReduced}[sc]
					if err != nil || info.StorageClass != want {
						t.Fatalf("put %s: got %q, %v; want class %s", key, info.StorageClass, err, want)
					}
					e := storedLayout(t, l, "bkt", key)
					wantLayout := tt.wantStd
					if sc != "" {
						wantLayout = tt.wantRRS
					}
					if [2]int{e.Data, e.Parity} != wantLayout {
						t.Errorf("%s: stored layout %d+%d, want %d+%d", key, e.Data, e.Parity, wantLayout[0], wantLayout[1])
					}
					if p := verifyRedundancy(t, l, "bkt", key); len(p) != 0 {
						t.Errorf("%s: %v", key, p)
					}
				}
			}
			// With as many drives down as the reduced parity, both classes
			// read; one more and only objects with more parity do.
			rrs := tt.wantRRS[1]
			for down := rrs; down <= rrs+1 && down <= tt.wantStd[1]; down++ {
				for i := range down {
					faulty[i].SetMode(drive.FaultRemoved)
				}
				for name, b := range bodies {
					for _, sc := range []string{"", StorageClassReduced} {
						parity := tt.wantStd[1]
						if sc != "" {
							parity = rrs
						}
						got, err := readAll(l, "bkt", name+"-"+sc)
						readable := down <= parity
						if readable && (err != nil || !bytes.Equal(got, b)) {
							t.Errorf("%d down, %s-%s: got %d bytes, %v; want the body", down, name, sc, len(got), err)
						}
						if !readable && err == nil {
							t.Errorf("%d down, %s-%s: got the body, want an error (parity %d)", down, name, sc, parity)
						}
					}
				}
				for i := range down {
					faulty[i].SetMode(drive.FaultNone)
				}
			}
		})
	}
}

// TestStorageClassWriteQuorum: a reduced-redundancy write needs the write
// quorum of its own layout (3 of 4 for 3+1), which a standard 2+2 write
// needs too; with 5+1 on 6 drives it needs 5 while a standard 3+3 write
// needs 4.
func TestStorageClassWriteQuorum(t *testing.T) {
	l, faulty, _ := openFaulty(t, 6, Config{Parity: 3})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	faulty[0].SetMode(drive.FaultEIO)
	faulty[1].SetMode(drive.FaultEIO)
	body := randBytes(1<<20, 3)
	if _, err := l.PutObject(ctx, "bkt", "std", newPayload(body), storage.PutOptions{}); err != nil {
		t.Errorf("standard put with 2 of 6 down: got %v, want nil", err)
	}
	for _, size := range []int{100, 1 << 20} {
		_, err := l.PutObject(ctx, "bkt", fmt.Sprintf("rrs-%d", size), newPayload(randBytes(size, 4)), storage.PutOptions{StorageClass: StorageClassReduced})
		if !errors.Is(err, storage.ErrWriteQuorum) {
			t.Errorf("reduced put of %d bytes with 2 of 6 down: got %v, want ErrWriteQuorum", size, err)
		}
	}
	up, err := l.NewMultipartUpload(ctx, "bkt", "mp", storage.PutOptions{StorageClass: StorageClassReduced})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.PutObjectPart(ctx, "bkt", "mp", up.UploadID, 1, newPayload(body)); !errors.Is(err, storage.ErrWriteQuorum) {
		t.Errorf("reduced part with 2 of 6 down: got %v, want ErrWriteQuorum", err)
	}
	faulty[1].SetMode(drive.FaultNone)
	pi, err := l.PutObjectPart(ctx, "bkt", "mp", up.UploadID, 1, newPayload(body))
	if err != nil {
		t.Fatalf("reduced part with 1 of 6 down: got %v, want nil", err)
	}
	info, err := l.CompleteMultipartUpload(ctx, "bkt", "mp", up.UploadID, []storage.CompletePart{{Number: 1, ETag: pi.ETag}}, storage.CompleteOptions{})
	if err != nil || info.StorageClass != StorageClassReduced {
		t.Fatalf("complete: got %+v, %v", info, err)
	}
	if e := storedLayout(t, l, "bkt", "mp"); e.Data != 5 || e.Parity != 1 {
		t.Errorf("multipart layout: got %d+%d, want 5+1", e.Data, e.Parity)
	}
	got, err := readAll(l, "bkt", "mp")
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("read multipart: got %d bytes, %v", len(got), err)
	}
}

func TestReducedParityConfig(t *testing.T) {
	tests := []struct {
		parity, reduced int
		ok              bool
	}{
		{2, 1, true}, {2, 2, true}, {2, 3, false}, {2, -1, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("parity %d reduced %d", tt.parity, tt.reduced), func(t *testing.T) {
			dirs := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
			l, err := Open(context.Background(), Config{Drives: dirs, Parity: tt.parity, ReducedParity: tt.reduced})
			if err == nil {
				l.Close()
			}
			if (err == nil) != tt.ok {
				t.Errorf("Open: got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

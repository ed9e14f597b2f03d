package erasure

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestBucketRecordCodec(t *testing.T) {
	created := time.Date(2026, 12, 5, 10, 0, 0, 123, time.UTC)
	tests := []struct {
		name    string
		configs map[string][]byte
	}{
		{"none", nil},
		{"one", map[string][]byte{"cors": []byte("<CORSConfiguration/>")}},
		{"several", map[string][]byte{"cors": []byte("a"), "lifecycle": []byte("bb"), "z": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := encodeBucket(storage.BucketInfo{Name: "b", Created: created, Configs: tt.configs})
			if want := byte(bucketRecordV1); len(tt.configs) == 0 && rec[0] != want {
				t.Fatalf("record version %d; want %d without configurations", rec[0], want)
			}
			if !bytes.Equal(rec, encodeBucket(storage.BucketInfo{Created: created, Configs: tt.configs})) {
				t.Fatal("equal contents encode differently")
			}
			got, err := decodeBucket("b", rec)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Created.Equal(created) || len(got.Configs) != len(tt.configs) {
				t.Fatalf("decoded %+v", got)
			}
			for k, v := range tt.configs {
				if !bytes.Equal(got.Configs[k], v) {
					t.Errorf("config %s = %q; want %q", k, got.Configs[k], v)
				}
			}
			// Every truncation and any trailing byte is refused.
			for n := range len(rec) {
				if _, err := decodeBucket("b", rec[:n]); !errors.Is(err, storage.ErrCorrupt) {
					t.Errorf("truncated to %d bytes: got %v, want ErrCorrupt", n, err)
				}
			}
			if _, err := decodeBucket("b", append(rec, 0)); !errors.Is(err, storage.ErrCorrupt) {
				t.Errorf("trailing byte: got %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestSetBucketConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, dirs := openTest(t, 4, nil)
	mustBucket(t, l, "conf")
	cors := []byte("<CORSConfiguration><CORSRule/></CORSConfiguration>")
	if err := l.SetBucketConfig(ctx, "conf", storage.ConfigCORS, cors); err != nil {
		t.Fatal(err)
	}
	if err := l.SetBucketConfig(ctx, "conf", "other", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := l.SetBucketConfig(ctx, "conf", "other", nil); err != nil {
		t.Fatal(err)
	}
	if err := l.SetBucketConfig(ctx, "conf", "never-set", nil); err != nil {
		t.Fatalf("removing an absent configuration: got %v, want nil", err)
	}
	info, err := l.GetBucketInfo(ctx, "conf")
	if err != nil || !bytes.Equal(info.Configs[storage.ConfigCORS], cors) || len(info.Configs) != 1 {
		t.Fatalf("GetBucketInfo = %+v, %v; want the CORS document only", info, err)
	}
	if err := l.SetBucketConfig(ctx, "missing", storage.ConfigCORS, cors); !errors.Is(err, storage.ErrBucketNotFound) {
		t.Fatalf("missing bucket: got %v, want ErrBucketNotFound", err)
	}
	buckets, err := l.ListBuckets(ctx)
	if err != nil || len(buckets) != 1 || !buckets[0].Created.Equal(info.Created) {
		t.Fatalf("ListBuckets = %+v, %v", buckets, err)
	}

	// The configuration is on the drives, not only in memory.
	l.Close()
	l2, err := Open(ctx, Config{Drives: dirs})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	info, err = l2.GetBucketInfo(ctx, "conf")
	if err != nil || !bytes.Equal(info.Configs[storage.ConfigCORS], cors) {
		t.Fatalf("after reopening: GetBucketInfo = %+v, %v", info, err)
	}
	if err := l2.SetBucketConfig(ctx, "conf", storage.ConfigCORS, nil); err != nil {
		t.Fatal(err)
	}
	if info, err := l2.GetBucketInfo(ctx, "conf"); err != nil || info.Configs != nil {
		t.Fatalf("after removing: GetBucketInfo = %+v, %v; want no configurations", info, err)
	}
	if err := l2.DeleteBucket(ctx, "conf", false); err != nil {
		t.Fatal(err)
	}
}

func TestSetBucketConfigWithFailedDrives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, faulty, _ := healOpen(t, 4, Config{BucketCacheTTL: -1})
	mustBucket(t, l, "conf")
	v1, v2 := []byte("first"), []byte("second")

	// One drive of four away: the change has its quorum, and heal brings
	// the drive's record up to date.
	faulty[3].SetMode(drive.FaultRemoved)
	if err := l.SetBucketConfig(ctx, "conf", storage.ConfigCORS, v1); err != nil {
		t.Fatalf("one drive away: got %v, want nil", err)
	}
	faulty[3].SetMode(drive.FaultNone)
	if info, err := l.GetBucketInfo(ctx, "conf"); err != nil || !bytes.Equal(info.Configs[storage.ConfigCORS], v1) {
		t.Fatalf("GetBucketInfo = %+v, %v; want the new document", info, err)
	}
	res, err := l.HealBucket(ctx, "conf")
	if err != nil || !res.Exists || res.Healed != 1 {
		t.Fatalf("HealBucket = %+v, %v; want one drive healed", res, err)
	}
	want, err := l.sets[0].drives[0].Get(ctx, drive.NSBucket, "conf")
	if err != nil {
		t.Fatal(err)
	}
	for pos, d := range l.sets[0].drives {
		if got, err := d.Get(ctx, drive.NSBucket, "conf"); err != nil || !bytes.Equal(got, want) {
			t.Errorf("drive %d after heal: record %q, %v; want %q", pos, got, err, want)
		}
	}

	// Two drives of four away: no write quorum, and the drives that took
	// the change are put back.
	faulty[2].SetMode(drive.FaultRemoved)
	faulty[3].SetMode(drive.FaultRemoved)
	if err := l.SetBucketConfig(ctx, "conf", storage.ConfigCORS, v2); !errors.Is(err, storage.ErrWriteQuorum) {
		t.Fatalf("two drives away: got %v, want ErrWriteQuorum", err)
	}
	faulty[2].SetMode(drive.FaultNone)
	faulty[3].SetMode(drive.FaultNone)
	for pos, d := range l.sets[0].drives {
		if got, err := d.Get(ctx, drive.NSBucket, "conf"); err != nil || !bytes.Equal(got, want) {
			t.Errorf("drive %d after a failed change: record %q, %v; want the previous one", pos, got, err)
		}
	}
	if info, err := l.GetBucketInfo(ctx, "conf"); err != nil || !bytes.Equal(info.Configs[storage.ConfigCORS], v1) {
		t.Fatalf("GetBucketInfo after a failed change = %+v, %v; want the previous document", info, err)
	}
}

package erasure

import (
	"context"
	"fmt"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestUpdateObject(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	body := randBytes(300<<10, 1)
	_, err := l.PutObject(ctx, "bkt", "k", newPayload(body), storage.PutOptions{Metadata: map[string]string{"a": "1"}, Tags: map[string]string{"t": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		opts     storage.UpdateOptions
		wantMeta string
		wantTags string
		wantErr  error
	}{
		{"tags only", storage.UpdateOptions{Tags: map[string]string{"t": "2"}}, "map[a:1]", "map[t:2]", nil},
		{"metadata only", storage.UpdateOptions{Metadata: map[string]string{"b": "2"}}, "map[b:2]", "map[t:2]", nil},
		{"clear tags", storage.UpdateOptions{Tags: map[string]string{}}, "map[b:2]", "map[]", nil},
		{"bad version", storage.UpdateOptions{VersionID: "nope", Tags: map[string]string{}}, "", "", storage.ErrVersionNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.UpdateObject(ctx, "bkt", "k", tt.opts)
			wantErr(t, tt.name, err, tt.wantErr)
			if tt.wantErr != nil {
				return
			}
			st, _ := l.StatObject(ctx, "bkt", "k", storage.GetOptions{})
			if fmt.Sprint(st.Metadata) != tt.wantMeta || fmt.Sprint(st.Tags) != tt.wantTags {
				t.Errorf("got metadata %v tags %v, want %s %s", st.Metadata, st.Tags, tt.wantMeta, tt.wantTags)
			}
		})
	}
	_, err = l.UpdateObject(ctx, "bkt", "missing", storage.UpdateOptions{Tags: map[string]string{}})
	wantErr(t, "update missing", err, storage.ErrObjectNotFound)
	_, err = l.UpdateObject(ctx, "nob", "k", storage.UpdateOptions{Tags: map[string]string{}})
	wantErr(t, "update no bucket", err, storage.ErrBucketNotFound)
	got, err := readAll(l, "bkt", "k")
	if err != nil || md5hex(got) != md5hex(body) {
		t.Errorf("data after updates: got %d bytes, %v", len(got), err)
	}
}

func TestDeleteObjectsAndUsage(t *testing.T) {
	l, dirs := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	var total int64
	for i := 0; i < 10; i++ {
		n := i * 50000
		mustPut(t, l, "bkt", fmt.Sprintf("k%d", i), randBytes(n, uint64(i)))
		total += int64(n)
	}
	u, err := l.BucketUsage(ctx, "bkt")
	if err != nil || u.Objects != 10 || u.Bytes != uint64(total) {
		t.Errorf("usage: got %+v, %v; want 10 objects, %d bytes", u, err, total)
	}
	refs := []storage.ObjectRef{{Key: "k1"}, {Key: "k5"}, {Key: "missing"}, {Key: "k5"}, {Key: ""}, {Key: "k9", VersionID: "v1"}, {Key: "k9"}}
	res := l.DeleteObjects(ctx, "bkt", refs)
	want := []error{nil, nil, storage.ErrObjectNotFound, nil, storage.ErrObjectNotFound, storage.ErrVersionNotFound, nil}
	for i, r := range res {
		if r.Ref.Key != refs[i].Key || r.Ref.VersionID != refs[i].VersionID {
			t.Errorf("result %d ref: got %+v, want %+v", i, r.Ref, refs[i])
		}
		wantErr(t, fmt.Sprintf("result %d (%s)", i, refs[i].Key), r.Err, want[i])
	}
	u, _ = l.BucketUsage(ctx, "bkt")
	if u.Objects != 7 || u.Bytes != uint64(total-50000-250000-450000) {
		t.Errorf("usage after delete: got %+v", u)
	}
	// k0..k2 are inline (<=128 KiB); of the 7 remaining, k3,k4,k6,k7,k8 have data dirs.
	if n := dataDirs(t, dirs[0]); n != 5 {
		t.Errorf("data dirs: got %d, want 5", n)
	}
	for _, r := range l.DeleteObjects(ctx, "nob", []storage.ObjectRef{{Key: "a"}}) {
		wantErr(t, "batch delete no bucket", r.Err, storage.ErrBucketNotFound)
	}
	_, err = l.BucketUsage(ctx, "nob")
	wantErr(t, "usage no bucket", err, storage.ErrBucketNotFound)
	si, err := l.StorageInfo(ctx)
	if err != nil || len(si.Drives) != 1 || si.RawBytes == 0 || si.UsableBytes != si.RawBytes || si.DataShards != 1 || si.ParityShards != 0 {
		t.Errorf("StorageInfo: got %+v, %v", si, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	l, dirs := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	small, large := randBytes(10, 1), randBytes(2<<20, 2)
	mustPut(t, l, "bkt", "small", small)
	mustPut(t, l, "bkt", "large", large)
	l.Close()
	l2 := reopen(t, dirs[0])
	for k, want := range map[string][]byte{"small": small, "large": large} {
		got, err := readAll(l2, "bkt", k)
		if err != nil || md5hex(got) != md5hex(want) {
			t.Errorf("%s after reopen: got %d bytes, %v", k, len(got), err)
		}
	}
	if n := dataDirs(t, dirs[0]); n != 1 {
		t.Errorf("data dirs after reopen: got %d, want 1", n)
	}
}

package erasure

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(parts))
}

func TestMultipartComplete(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	up, err := l.NewMultipartUpload(ctx, "bkt", "big", storage.PutOptions{Metadata: map[string]string{"content-type": "x/y"}})
	if err != nil {
		t.Fatal(err)
	}
	p1 := randBytes(storage.MinPartSize, 1)
	p2 := randBytes(storage.MinPartSize+5, 2)
	p3 := randBytes(1000, 3)
	bodies := map[int][]byte{1: p1, 2: p2, 3: p3}
	// Part 2 is first uploaded with other content, then replaced.
	for _, n := range []int{2, 1, 3} {
		body := bodies[n]
		if n == 2 {
			if _, err := l.PutObjectPart(ctx, "bkt", "big", up.UploadID, 2, newPayload(randBytes(10, 9))); err != nil {
				t.Fatal(err)
			}
		}
		pi, err := l.PutObjectPart(ctx, "bkt", "big", up.UploadID, n, newPayload(body))
		if err != nil || pi.ETag != md5hex(body) {
			t.Fatalf("part %d: got %+v, %v", n, pi, err)
		}
	}
	lp, err := l.ListParts(ctx, "bkt", "big", up.UploadID, storage.ListPartsOptions{MaxParts: 2})
	if err != nil || len(lp.Parts) != 2 || !lp.IsTruncated || lp.NextPartNumberMarker != 2 || lp.Parts[1].Size != int64(len(p2)) {
		t.Fatalf("ListParts page 1: got %+v, %v", lp, err)
	}
	lp, err = l.ListParts(ctx, "bkt", "big", up.UploadID, storage.ListPartsOptions{PartNumberMarker: 2})
	if err != nil || len(lp.Parts) != 1 || lp.IsTruncated || lp.Parts[0].Number != 3 {
		t.Fatalf("ListParts page 2: got %+v, %v", lp, err)
	}
	cps := []storage.CompletePart{{Number: 1, ETag: md5hex(p1)}, {Number: 2, ETag: `"` + md5hex(p2) + `"`}, {Number: 3, ETag: md5hex(p3)}}
	info, err := l.CompleteMultipartUpload(ctx, "bkt", "big", up.UploadID, cps, storage.CompleteOptions{})
	if err != nil {
		t.Fatalf("Complete: got %v", err)
	}
	want := append(append(append([]byte{}, p1...), p2...), p3...)
	if info.ETag != multipartETag(p1, p2, p3) || info.Size != int64(len(want)) || len(info.Parts) != 3 {
		t.Errorf("Complete info: got etag %s size %d parts %d, want %s %d 3", info.ETag, info.Size, len(info.Parts), multipartETag(p1, p2, p3), len(want))
	}
	got, err := readAll(l, "bkt", "big")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read: got %d bytes, %v; want %d", len(got), err, len(want))
	}
	// A range across the part 1 / part 2 boundary and into part 3.
	off := int64(len(p1)) - 10
	got, err = readRange(l, "bkt", "big", off, int64(len(p2))+20)
	if err != nil || !bytes.Equal(got, want[off:off+int64(len(p2))+20]) {
		t.Errorf("cross-part range: got %d bytes, %v", len(got), err)
	}
	if _, err := l.GetMultipartUpload(ctx, "bkt", "big", up.UploadID); !errorsIs(err, storage.ErrUploadNotFound) {
		t.Errorf("upload after complete: got %v, want ErrUploadNotFound", err)
	}
	st, _ := l.StatObject(ctx, "bkt", "big", storage.GetOptions{})
	if st.Metadata["content-type"] != "x/y" {
		t.Errorf("metadata: got %v, want content-type x/y", st.Metadata)
	}
}

func TestMultipartErrors(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	up, _ := l.NewMultipartUpload(ctx, "bkt", "k", storage.PutOptions{})
	small := []byte("small")
	big := randBytes(storage.MinPartSize, 4)
	for n, b := range map[int][]byte{1: small, 2: big, 3: small} {
		if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, n, newPayload(b)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		parts []storage.CompletePart
		want  error
	}{
		{"empty", nil, storage.ErrInvalidPart},
		{"order", []storage.CompletePart{{Number: 2, ETag: md5hex(big)}, {Number: 1, ETag: md5hex(small)}}, storage.ErrInvalidPartOrder},
		{"duplicate", []storage.CompletePart{{Number: 2, ETag: md5hex(big)}, {Number: 2, ETag: md5hex(big)}}, storage.ErrInvalidPartOrder},
		{"missing", []storage.CompletePart{{Number: 2, ETag: md5hex(big)}, {Number: 7, ETag: md5hex(small)}}, storage.ErrInvalidPart},
		{"etag", []storage.CompletePart{{Number: 2, ETag: "0123"}}, storage.ErrInvalidPart},
		{"too small", []storage.CompletePart{{Number: 1, ETag: md5hex(small)}, {Number: 2, ETag: md5hex(big)}}, storage.ErrPartTooSmall},
		{"checksum", []storage.CompletePart{{Number: 2, ETag: md5hex(big), Checksum: storage.Checksum{Algorithm: storage.ChecksumCRC32, Value: "AAAAAA=="}}}, storage.ErrInvalidPart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, tt.parts, storage.CompleteOptions{})
			wantErr(t, tt.name, err, tt.want)
		})
	}
	other := []struct {
		name string
		err  error
		want error
	}{
		{"part unknown upload", func() error {
			_, e := l.PutObjectPart(ctx, "bkt", "k", "0190a0b0-0000-7000-8000-000000000000", 1, newPayload(small))
			return e
		}(), storage.ErrUploadNotFound},
		{"part garbage id", func() error { _, e := l.PutObjectPart(ctx, "bkt", "k", "../../x", 1, newPayload(small)); return e }(), storage.ErrUploadNotFound},
		{"part wrong key", func() error {
			_, e := l.PutObjectPart(ctx, "bkt", "other", up.UploadID, 1, newPayload(small))
			return e
		}(), storage.ErrUploadNotFound},
		{"part number 0", func() error { _, e := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, 0, newPayload(small)); return e }(), storage.ErrInvalidPart},
		{"new no bucket", func() error { _, e := l.NewMultipartUpload(ctx, "nob", "k", storage.PutOptions{}); return e }(), storage.ErrBucketNotFound},
		{"list parts unknown", func() error {
			_, e := l.ListParts(ctx, "bkt", "k", "0190a0b0-0000-7000-8000-000000000000", storage.ListPartsOptions{})
			return e
		}(), storage.ErrUploadNotFound},
		{"abort", l.AbortMultipartUpload(ctx, "bkt", "k", up.UploadID), nil},
		{"abort again", l.AbortMultipartUpload(ctx, "bkt", "k", up.UploadID), storage.ErrUploadNotFound},
		{"complete aborted", func() error {
			_, e := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, []storage.CompletePart{{Number: 2, ETag: md5hex(big)}}, storage.CompleteOptions{})
			return e
		}(), storage.ErrUploadNotFound},
	}
	for _, tt := range other {
		t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.err, tt.want) })
	}
}

func TestMultipartConditionalAndChecksum(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	mustPut(t, l, "bkt", "k", []byte("old"))
	up, _ := l.NewMultipartUpload(ctx, "bkt", "k", storage.PutOptions{ChecksumAlgorithm: storage.ChecksumCRC32, ChecksumType: storage.ChecksumComposite})
	body := []byte("only part")
	p := newPayload(body)
	p.sum = storage.Checksum{Algorithm: storage.ChecksumCRC32, Type: storage.ChecksumFullObject, Value: "w9Ay6Q=="}
	if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, 1, p); err != nil {
		t.Fatal(err)
	}
	cps := []storage.CompletePart{{Number: 1, ETag: md5hex(body)}}
	_, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, cps, storage.CompleteOptions{IfNoneMatch: "*"})
	wantErr(t, "if-none-match", err, storage.ErrPreconditionFailed)
	info, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, cps, storage.CompleteOptions{IfMatch: md5hex([]byte("old"))})
	if err != nil {
		t.Fatalf("complete: got %v", err)
	}
	if info.Checksum.Type != storage.ChecksumComposite || info.Checksum.Value == "" || info.Checksum.Value[len(info.Checksum.Value)-2:] != "-1" {
		t.Errorf("checksum: got %+v, want composite ending -1", info.Checksum)
	}
	got, err := readAll(l, "bkt", "k")
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("read: got %q, %v", got, err)
	}
}

func TestListUploadsAndCleanup(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	var ids []string
	for _, k := range []string{"a/1", "a/2", "b", "b", "c"} {
		up, err := l.NewMultipartUpload(ctx, "bkt", k, storage.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, up.UploadID)
		time.Sleep(2 * time.Millisecond) // distinct initiation times for UUIDv7 ordering
	}
	res, err := l.ListMultipartUploads(ctx, "bkt", storage.ListUploadsOptions{Delimiter: "/"})
	if err != nil || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0] != "a/" || len(res.Uploads) != 3 {
		t.Fatalf("list with delimiter: got %+v, %v", res, err)
	}
	if res.Uploads[0].UploadID != ids[2] || res.Uploads[1].UploadID != ids[3] {
		t.Errorf("uploads of b not in initiation order: got %s %s, want %s %s", res.Uploads[0].UploadID, res.Uploads[1].UploadID, ids[2], ids[3])
	}
	// Page through with markers, one upload per page.
	var seen []string
	o := storage.ListUploadsOptions{MaxUploads: 1}
	for i := 0; i < 10; i++ {
		r, err := l.ListMultipartUploads(ctx, "bkt", o)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range r.Uploads {
			seen = append(seen, u.UploadID)
		}
		if !r.IsTruncated {
			break
		}
		o.KeyMarker, o.UploadIDMarker = r.NextKeyMarker, r.NextUploadIDMarker
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("paged uploads: got %v, want %v", seen, ids)
	}
	r, _ := l.ListMultipartUploads(ctx, "bkt", storage.ListUploadsOptions{KeyMarker: "b"})
	if len(r.Uploads) != 1 || r.Uploads[0].Key != "c" {
		t.Errorf("key marker only: got %+v, want just c", r.Uploads)
	}
	n, err := l.CleanupStaleUploads(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 5 {
		t.Errorf("CleanupStaleUploads: got %d, %v; want 5", n, err)
	}
	r, _ = l.ListMultipartUploads(ctx, "bkt", storage.ListUploadsOptions{})
	if len(r.Uploads) != 0 {
		t.Errorf("after cleanup: got %d uploads, want 0", len(r.Uploads))
	}
}

func TestCompleteRemovesStrayPartFiles(t *testing.T) {
	dir := t.TempDir()
	var fail atomic.Bool
	fault := func(step string) error {
		if step == drive.FaultBeforeCommit && fail.CompareAndSwap(true, false) {
			return errCrash
		}
		return nil
	}
	l, err := Open(context.Background(), Config{Drives: []string{dir}, DriveOptions: drive.Options{Fault: fault}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	up, _ := l.NewMultipartUpload(ctx, "bkt", "k", storage.PutOptions{})
	p1, p2 := randBytes(storage.MinPartSize, 1), []byte("tail")
	// Part 3's file is moved in but its record never committed; part 2 is
	// uploaded twice; part 4 is uploaded and left out of Complete.
	fail.Store(true)
	if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, 3, newPayload([]byte("lost"))); !errors.Is(err, errCrash) {
		t.Fatalf("interrupted part: got %v, want the injected failure", err)
	}
	for n, b := range map[int][]byte{1: p1, 2: []byte("first"), 4: []byte("unused")} {
		if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, n, newPayload(b)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, 2, newPayload(p2)); err != nil {
		t.Fatal(err)
	}
	cps := []storage.CompletePart{{Number: 1, ETag: md5hex(p1)}, {Number: 2, ETag: md5hex(p2)}}
	if _, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, cps, storage.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, ".hoard.sys", "data", "*", "*", "part.*"))
	if len(files) != 2 {
		t.Errorf("part files after complete: got %d (%v), want 2", len(files), files)
	}
	got, err := readAll(l, "bkt", "k")
	if err != nil || !bytes.Equal(got, append(append([]byte{}, p1...), p2...)) {
		t.Errorf("read: got %d bytes, %v", len(got), err)
	}
}

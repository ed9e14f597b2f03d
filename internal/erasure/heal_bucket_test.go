package erasure

import (
	"context"
	"errors"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestHealBucketRecords(t *testing.T) {
	t.Parallel()
	l, faulty, _ := healOpen(t, 4, Config{})
	ctx := context.Background()
	faulty[3].SetMode(drive.FaultRemoved)
	mustBucket(t, l, "made")
	mustBucket(t, l, "gone")
	faulty[3].SetMode(drive.FaultNone)
	mustBucket(t, l, "gone2")
	faulty[2].SetMode(drive.FaultRemoved)
	if err := l.DeleteBucket(ctx, "gone2", false); err != nil {
		t.Fatal(err)
	}
	faulty[2].SetMode(drive.FaultNone)
	if err := l.DeleteBucket(ctx, "gone", false); err != nil {
		t.Fatal(err)
	}
	names, err := l.HealBuckets(ctx)
	if err != nil || len(names) != 2 || names[0] != "gone2" || names[1] != "made" {
		t.Fatalf("HealBuckets: got %v, %v; want [gone2 made]", names, err)
	}
	tests := []struct {
		bucket string
		exists bool
		drive  int
	}{
		{"made", true, 3},
		{"gone2", false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.bucket, func(t *testing.T) {
			res, err := l.HealBucket(ctx, tt.bucket)
			if err != nil || res.Exists != tt.exists || res.Healed != 1 {
				t.Fatalf("HealBucket: got exists %v healed %d, %v; want exists %v healed 1", res.Exists, res.Healed, err, tt.exists)
			}
			for pos, d := range l.sets[0].drives {
				_, err := d.Get(ctx, drive.NSBucket, tt.bucket)
				if (err == nil) != tt.exists {
					t.Errorf("drive %d: bucket record: got %v, want present %v", pos, err, tt.exists)
				}
			}
		})
	}
}

func TestHealUploads(t *testing.T) {
	t.Parallel()
	l, faulty, _ := healOpen(t, 4, Config{})
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	s := l.sets[0]
	// An upload drive 0 missed from the start, with one part it missed and
	// one it got; and an aborted upload drive 1 missed the abort of.
	faulty[0].SetMode(drive.FaultRemoved)
	up, err := l.NewMultipartUpload(ctx, "bkt", "mp", storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p1 := randBytes(storage.MinPartSize+11, 1)
	if _, err := l.PutObjectPart(ctx, "bkt", "mp", up.UploadID, 1, newPayload(p1)); err != nil {
		t.Fatal(err)
	}
	faulty[0].SetMode(drive.FaultNone)
	p2 := randBytes(300<<10, 2)
	if _, err := l.PutObjectPart(ctx, "bkt", "mp", up.UploadID, 2, newPayload(p2)); err != nil {
		t.Fatal(err)
	}
	ab, err := l.NewMultipartUpload(ctx, "bkt", "aborted", storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.PutObjectPart(ctx, "bkt", "aborted", ab.UploadID, 1, newPayload(p2)); err != nil {
		t.Fatal(err)
	}
	abRec, _ := s.drives[1].Get(ctx, drive.NSUpload, drive.UploadKey("bkt", "aborted", ab.UploadID))
	faulty[1].SetMode(drive.FaultRemoved)
	if err := l.AbortMultipartUpload(ctx, "bkt", "aborted", ab.UploadID); err != nil {
		t.Fatal(err)
	}
	faulty[1].SetMode(drive.FaultNone)

	res, err := l.HealBucket(ctx, "bkt")
	if err != nil || res.Uploads != 2 || res.UploadsHealed != 2 || res.Failed != 0 {
		t.Fatalf("HealBucket: got %+v, %v; want 2 uploads, both healed", res, err)
	}
	// Drive 0 now holds the upload, both part records and both part files.
	d0 := s.drives[0]
	if _, err := d0.Get(ctx, drive.NSUpload, drive.UploadKey("bkt", "mp", up.UploadID)); err != nil {
		t.Errorf("drive 0 upload record: got %v", err)
	}
	u, _ := l.readUpload(ctx, s, "bkt", "mp", up.UploadID)
	files, _ := d0.ListShards(ctx, u.DataDir)
	if len(files) != 2 {
		t.Errorf("drive 0 part files: got %v, want 2", files)
	}
	// Drive 1 no longer holds the aborted upload or its data.
	if _, err := s.drives[1].Get(ctx, drive.NSUpload, drive.UploadKey("bkt", "aborted", ab.UploadID)); !errors.Is(err, drive.ErrNotFound) {
		t.Errorf("drive 1 aborted upload: got %v, want not found", err)
	}
	if au, err := meta.DecodeUpload(abRec); err == nil {
		if files, _ := s.drives[1].ListShards(ctx, au.DataDir); len(files) != 0 {
			t.Errorf("drive 1 aborted upload files: got %v, want none", files)
		}
	}
	// The healed upload completes and reads back at full redundancy.
	cps := []storage.CompletePart{{Number: 1, ETag: md5hex(p1)}, {Number: 2, ETag: md5hex(p2)}}
	if _, err := l.CompleteMultipartUpload(ctx, "bkt", "mp", up.UploadID, cps, storage.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	body := append(append([]byte{}, p1...), p2...)
	if probs := healAudit(t, l, "bkt", "mp", body); len(probs) > 0 {
		t.Errorf("completed upload: %v", probs)
	}
}

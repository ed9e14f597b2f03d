package erasure

import (
	"context"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/storage"
)

// TestCompleteRepeated: a Complete repeated with the same parts answers as
// the first (ETag, version, checksum), and keeps answering so after the
// key changed; other part lists, other checksums and uploads whose trace
// is gone (swept, or the bucket deleted) are not found, on one drive and
// on an erasure set, unversioned and versioned.
func TestCompleteRepeated(t *testing.T) {
	for _, tc := range []struct {
		name       string
		drives     int
		versioning string
	}{
		{"1 drive", 1, ""},
		{"4 drives", 4, ""},
		{"4 drives versioned", 4, "Enabled"},
		{"1 drive suspended", 1, "Suspended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := openTest(t, tc.drives, nil)
			ctx := context.Background()
			mustBucket(t, l, "bkt")
			if tc.versioning != "" {
				setVersioning(t, l, "bkt", tc.versioning)
			}
			up, err := l.NewMultipartUpload(ctx, "bkt", "k", storage.PutOptions{ChecksumAlgorithm: storage.ChecksumCRC32C, ChecksumType: storage.ChecksumFullObject})
			if err != nil {
				t.Fatal(err)
			}
			bodies := [][]byte{randBytes(storage.MinPartSize, 1), randBytes(100, 2)}
			var cps []storage.CompletePart
			for i, b := range bodies {
				p := newPayload(b)
				sum, err := checksum.Sum(storage.ChecksumCRC32C, b)
				if err != nil {
					t.Fatal(err)
				}
				p.sum = storage.Checksum{Algorithm: storage.ChecksumCRC32C, Value: sum}
				if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, i+1, p); err != nil {
					t.Fatal(err)
				}
				cps = append(cps, storage.CompletePart{Number: i + 1, ETag: md5hex(b)})
			}
			first, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, cps, storage.CompleteOptions{})
			if err != nil {
				t.Fatalf("complete: %v", err)
			}
			again := func(parts []storage.CompletePart, opts storage.CompleteOptions) (storage.ObjectInfo, error) {
				return l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, parts, opts)
			}
			check := func(what string, got storage.ObjectInfo, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: got %v, want the first answer", what, err)
				}
				if !got.ModTime.Equal(first.ModTime) || got.Size != first.Size || !got.IsLatest {
					t.Errorf("%s: got mod time %v size %d latest %v, want %v %d true", what, got.ModTime, got.Size, got.IsLatest, first.ModTime, first.Size)
				}
				if got.ETag != first.ETag || got.VersionID != first.VersionID || got.Versioned != first.Versioned || got.Checksum != first.Checksum {
					t.Errorf("%s: got etag %q version %q versioned %v checksum %+v, want %q %q %v %+v", what,
						got.ETag, got.VersionID, got.Versioned, got.Checksum, first.ETag, first.VersionID, first.Versioned, first.Checksum)
				}
			}
			got, err := again(cps, storage.CompleteOptions{})
			check("repeated", got, err)
			quoted := []storage.CompletePart{{Number: 1, ETag: ` "` + cps[0].ETag + `"`}, cps[1]}
			got, err = again(quoted, storage.CompleteOptions{IfNoneMatch: "*"})
			check("repeated with quoted etags and a condition met the first time", got, err)
			mustPut(t, l, "bkt", "k", []byte("overwritten"))
			got, err = again(cps, storage.CompleteOptions{})
			check("repeated after the key changed", got, err)
			for _, bad := range []struct {
				name  string
				parts []storage.CompletePart
				opts  storage.CompleteOptions
				want  error
			}{
				{"fewer parts", cps[:1], storage.CompleteOptions{}, storage.ErrUploadNotFound},
				{"other etag", []storage.CompletePart{cps[0], {Number: 2, ETag: md5hex([]byte("x"))}}, storage.CompleteOptions{}, storage.ErrUploadNotFound},
				{"other number", []storage.CompletePart{cps[0], {Number: 3, ETag: cps[1].ETag}}, storage.CompleteOptions{}, storage.ErrUploadNotFound},
				{"other checksum", cps, storage.CompleteOptions{Checksum: storage.Checksum{Algorithm: storage.ChecksumCRC32C, Value: "AAAAAA=="}}, storage.ErrChecksumMismatch},
			} {
				_, err := again(bad.parts, bad.opts)
				wantErr(t, bad.name, err, bad.want)
			}
			if _, err := l.CompleteMultipartUpload(ctx, "bkt", "other", up.UploadID, cps, storage.CompleteOptions{}); !errorsIs(err, storage.ErrUploadNotFound) {
				t.Errorf("other key: got %v, want ErrUploadNotFound", err)
			}
			if _, err := l.GetMultipartUpload(ctx, "bkt", "k", up.UploadID); !errorsIs(err, storage.ErrUploadNotFound) {
				t.Errorf("GetMultipartUpload after complete: got %v, want ErrUploadNotFound", err)
			}
			if _, err := l.CleanupStaleUploads(ctx, time.Now()); err != nil {
				t.Fatal(err)
			}
			got, err = again(cps, storage.CompleteOptions{})
			check("repeated after a sweep of younger traces", got, err)
			for _, s := range l.sets {
				l.dropCompletions(ctx, s, "bkt", forever)
			}
			_, err = again(cps, storage.CompleteOptions{})
			wantErr(t, "trace swept", err, storage.ErrUploadNotFound)
		})
	}
}

// TestCompleteRepeatedAfterBucketDeleted: a bucket deleted and made again
// holds no trace of the old bucket's uploads.
func TestCompleteRepeatedAfterBucketDeleted(t *testing.T) {
	l, _ := openTest(t, 4, nil)
	ctx := context.Background()
	mustBucket(t, l, "bkt")
	up, err := l.NewMultipartUpload(ctx, "bkt", "k", storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("one part")
	if _, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, 1, newPayload(body)); err != nil {
		t.Fatal(err)
	}
	cps := []storage.CompletePart{{Number: 1, ETag: md5hex(body)}}
	if _, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, cps, storage.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteBucket(ctx, "bkt", true); err != nil {
		t.Fatal(err)
	}
	mustBucket(t, l, "bkt")
	_, err = l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID, cps, storage.CompleteOptions{})
	wantErr(t, "after the bucket was made again", err, storage.ErrUploadNotFound)
}

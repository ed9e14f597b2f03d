package erasure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/reedsolomon"
	"github.com/minio/highwayhash"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// healOpen opens n fresh drive folders, each wrapped in a drive.Faulty,
// and the engine over them.
func healOpen(t testing.TB, n int, cfg Config) (*Layer, []*drive.Faulty, []string) {
	t.Helper()
	dirs := make([]string, n)
	drives := make([]drive.Drive, n)
	faulty := make([]*drive.Faulty, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
		d, err := drive.OpenLocal(dirs[i], cfg.DriveOptions)
		if err != nil {
			t.Fatalf("OpenLocal: got %v, want nil", err)
		}
		faulty[i] = drive.NewFaulty(d)
		drives[i] = faulty[i]
	}
	l, err := New(context.Background(), cfg, drives)
	if err != nil {
		t.Fatalf("New: got %v, want nil", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, faulty, dirs
}

// healPutParts uploads parts as one multipart object.
func healPutParts(t testing.TB, l *Layer, bucket, key string, parts ...[]byte) {
	t.Helper()
	ctx := context.Background()
	up, err := l.NewMultipartUpload(ctx, bucket, key, storage.PutOptions{})
	if err != nil {
		t.Fatalf("NewMultipartUpload: got %v", err)
	}
	cps := make([]storage.CompletePart, len(parts))
	for i, p := range parts {
		pi, err := l.PutObjectPart(ctx, bucket, key, up.UploadID, i+1, newPayload(p))
		if err != nil {
			t.Fatalf("PutObjectPart %d: got %v", i+1, err)
		}
		cps[i] = storage.CompletePart{Number: i + 1, ETag: pi.ETag}
	}
	if _, err := l.CompleteMultipartUpload(ctx, bucket, key, up.UploadID, cps, storage.CompleteOptions{}); err != nil {
		t.Fatalf("CompleteMultipartUpload: got %v", err)
	}
}

// healAudit inspects bucket/key on every drive of its set directly, shard
// by shard, without the heal code: each drive must hold the quorum's
// record and every shard of the current version with the right length and
// a matching HighwayHash-256 on every block; the data shards must join to
// body and the parity shards must match a fresh Reed-Solomon encoding. It
// returns one line per problem.
func healAudit(t testing.TB, l *Layer, bucket, key string, body []byte) []string {
	t.Helper()
	ctx := context.Background()
	s := l.setFor(bucket, key)
	rec, err := s.readRecord(ctx, bucket, key)
	if err != nil {
		return []string{fmt.Sprintf("read record: %v", err)}
	}
	v := latest(rec)
	if v == nil {
		return []string{"no current version"}
	}
	var probs []string
	want := normalizeRecord(meta.EncodeRecord(rec))
	for pos, d := range s.drives {
		got, err := d.Get(ctx, drive.NSObject, drive.ObjectKey(bucket, key))
		if err != nil || !bytes.Equal(normalizeRecord(got), want) {
			probs = append(probs, fmt.Sprintf("drive %d: record missing or different (%v)", pos, err))
		}
	}
	var off int64
	for _, st := range auditStreams(v) {
		probs = append(probs, healAuditStream(ctx, s, v, st, body[off:off+st.size])...)
		off += st.size
	}
	return probs
}

// auditStream is one erasure-coded byte stream of a version: its shard
// file ("" for the inline blob) and its size.
type auditStream struct {
	file string
	size int64
}

// auditStreams lists the streams of v: the inline blob, the single file,
// or one file per part.
func auditStreams(v *meta.Version) []auditStream {
	switch {
	case v.DeleteMarker:
		return nil
	case v.Inline:
		return []auditStream{{size: v.Size}}
	case v.Parts == nil:
		return []auditStream{{file: meta.SingleFile, size: v.Size}}
	}
	out := make([]auditStream, len(v.Parts))
	for i, p := range v.Parts {
		out[i] = auditStream{file: meta.PartFile(p.Number, p.Nonce), size: p.Size}
	}
	return out
}

// healAuditStream checks one stream of v on every drive of s.
func healAuditStream(ctx context.Context, s *set, v *meta.Version, st auditStream, body []byte) []string {
	e := v.Erasure
	n := e.Data + e.Parity
	blocks := (st.size + e.BlockSize - 1) / e.BlockSize
	fileSize := blocks*hashSize + e.ShardSize(st.size)
	files := make([][]byte, n)
	var probs []string
	for pos, d := range s.drives {
		var b []byte
		var err error
		if v.Inline {
			b, err = d.Get(ctx, drive.NSInline, drive.InlineKey(v.DataDir))
		} else {
			var r io.ReadCloser
			if r, err = d.ReadShard(ctx, v.DataDir, st.file, 0, fileSize); err == nil {
				b, err = io.ReadAll(r)
				r.Close()
			}
		}
		switch {
		case err != nil:
			probs = append(probs, fmt.Sprintf("drive %d %q: %v", pos, st.file, err))
		case int64(len(b)) != fileSize:
			probs = append(probs, fmt.Sprintf("drive %d %q: %d bytes, want %d", pos, st.file, len(b), fileSize))
		default:
			files[int(e.Distribution[pos])-1] = b
		}
	}
	if len(probs) > 0 {
		return probs
	}
	rs, err := reedsolomon.New(e.Data, e.Parity)
	if err != nil {
		return []string{err.Error()}
	}
	var off int64
	for blk := int64(0); blk < blocks; blk++ {
		n := min(e.BlockSize, st.size-blk*e.BlockSize)
		sl := (n + int64(e.Data) - 1) / int64(e.Data)
		shards := make([][]byte, len(files))
		for i, f := range files {
			frame := f[off : off+hashSize+sl]
			if sum := highwayhash.Sum(frame[hashSize:], []byte(bitrotKey)); !bytes.Equal(sum[:], frame[:hashSize]) {
				probs = append(probs, fmt.Sprintf("shard %d %q block %d: bitrot hash mismatch", i+1, st.file, blk))
			}
			shards[i] = frame[hashSize:]
		}
		if ok, err := rs.Verify(shards); !ok || err != nil {
			probs = append(probs, fmt.Sprintf("%q block %d: parity does not match the data (%v)", st.file, blk, err))
		}
		joined := bytes.Join(shards[:e.Data], nil)[:n]
		if !bytes.Equal(joined, body[blk*e.BlockSize:blk*e.BlockSize+n]) {
			probs = append(probs, fmt.Sprintf("%q block %d: data shards do not join to the object's bytes", st.file, blk))
		}
		off += hashSize + sl
	}
	return probs
}

// healShardFiles lists the shard files named file of every data directory
// on a drive folder.
func healShardFiles(t testing.TB, root, file string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(root, ".hoard.sys", "data", "*", "*", file))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// healFlip flips count random bytes of the file at path.
func healFlip(t testing.TB, path string, count int, r *rand.Rand) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for range count {
		b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// healFlipInline flips a byte of the inline blob of bucket/key on drive
// position pos, through the drive API.
func healFlipInline(t testing.TB, l *Layer, bucket, key string, pos int, r *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	s := l.setFor(bucket, key)
	rec, err := s.readRecord(ctx, bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := rec.Versions[0].DataDir
	d := s.drives[pos]
	b, err := d.Get(ctx, drive.NSInline, drive.InlineKey(dir))
	if err != nil {
		t.Fatal(err)
	}
	b[r.IntN(len(b))] ^= 0x5a
	if err := d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSInline, Key: drive.InlineKey(dir), Value: b}}}); err != nil {
		t.Fatal(err)
	}
}

// healMustRead reads bucket/key and fails the test unless it equals want.
func healMustRead(t testing.TB, l *Layer, bucket, key string, want []byte) {
	t.Helper()
	got, err := readAll(l, bucket, key)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("GET %s/%s: got %d bytes, %v; want %d bytes", bucket, key, len(got), err, len(want))
	}
}

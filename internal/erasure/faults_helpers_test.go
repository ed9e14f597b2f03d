package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"testing"

	"github.com/minio/highwayhash"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// openFaultyDirs opens the drive folders dirs, each wrapped in a
// drive.Faulty, and the engine over them.
func openFaultyDirs(t testing.TB, dirs []string, cfg Config) (*Layer, []*drive.Faulty) {
	t.Helper()
	drives := make([]drive.Drive, len(dirs))
	faulty := make([]*drive.Faulty, len(dirs))
	for i, dir := range dirs {
		d, err := drive.OpenLocal(dir, cfg.DriveOptions)
		if err != nil {
			t.Fatalf("OpenLocal(%s): got %v, want nil", dir, err)
		}
		faulty[i] = drive.NewFaulty(d)
		drives[i] = faulty[i]
	}
	l, err := New(context.Background(), cfg, drives)
	if err != nil {
		for _, d := range drives {
			d.Close()
		}
		t.Fatalf("New: got %v, want nil", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, faulty
}

// wraps reports whether d is target or wraps it (the engine puts every
// drive behind a drive.Watchdog).
func wraps(d, target drive.Drive) bool {
	for range 8 {
		if d == target {
			return true
		}
		w, ok := d.(drive.Wrapper)
		if !ok {
			return false
		}
		d = w.Unwrap()
	}
	return false
}

// openFaulty opens n fresh drive folders wrapped in drive.Faulty.
func openFaulty(t testing.TB, n int, cfg Config) (*Layer, []*drive.Faulty, []string) {
	t.Helper()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	l, f := openFaultyDirs(t, dirs, cfg)
	return l, f, dirs
}

// listAllErr pages through a listing and returns the keys and prefixes.
func listAllErr(l *Layer, bucket string, o storage.ListOptions) (keys, prefixes []string, err error) {
	for range 10000 {
		res, err := l.ListObjects(context.Background(), bucket, o)
		if err != nil {
			return nil, nil, err
		}
		for _, ob := range res.Objects {
			keys = append(keys, ob.Key)
		}
		prefixes = append(prefixes, res.CommonPrefixes...)
		if !res.IsTruncated {
			return keys, prefixes, nil
		}
		o.Marker = res.NextMarker
	}
	return nil, nil, errors.New("listing did not end")
}

// isQuorumErr reports whether err is one of the engine's quorum errors
// (both are S3 503 SlowDown).
func isQuorumErr(err error) bool {
	return errors.Is(err, storage.ErrWriteQuorum) || errors.Is(err, storage.ErrReadQuorum)
}

// putParts uploads parts as one multipart object.
func putParts(ctx context.Context, l *Layer, bucket, key string, parts ...[]byte) error {
	up, err := l.NewMultipartUpload(ctx, bucket, key, storage.PutOptions{})
	if err != nil {
		return err
	}
	cps := make([]storage.CompletePart, len(parts))
	for i, p := range parts {
		pi, err := l.PutObjectPart(ctx, bucket, key, up.UploadID, i+1, newPayload(p))
		if err != nil {
			return err
		}
		cps[i] = storage.CompletePart{Number: i + 1, ETag: pi.ETag}
	}
	_, err = l.CompleteMultipartUpload(ctx, bucket, key, up.UploadID, cps, storage.CompleteOptions{})
	return err
}

// redundancyProblem is one defect found by verifyRedundancy on one drive.
type redundancyProblem struct {
	Pos int
	Msg string
}

func (p redundancyProblem) String() string { return fmt.Sprintf("drive %d: %s", p.Pos, p.Msg) }

// verifyRedundancy reads bucket/key's record and every shard of its current
// version from each drive of its set directly, and reports every drive
// that lacks the record, holds a different one, or lacks a shard or
// holds one that fails its bitrot hashes. An empty result means the
// object has full redundancy.
func verifyRedundancy(t testing.TB, l *Layer, bucket, key string) []redundancyProblem {
	t.Helper()
	ctx := context.Background()
	s := l.setFor(bucket, key)
	rec, err := s.readRecord(ctx, bucket, key)
	if err != nil {
		t.Fatalf("verifyRedundancy %s/%s: read record: %v", bucket, key, err)
	}
	v := latest(rec)
	if v == nil {
		t.Fatalf("verifyRedundancy %s/%s: no current version", bucket, key)
	}
	want := normalizeRecord(meta.EncodeRecord(rec))
	var probs []redundancyProblem
	for pos, d := range s.drives {
		got, err := d.Get(ctx, drive.NSObject, drive.ObjectKey(bucket, key))
		if err != nil {
			probs = append(probs, redundancyProblem{pos, "record: " + err.Error()})
			continue
		}
		if !bytes.Equal(normalizeRecord(got), want) {
			probs = append(probs, redundancyProblem{pos, "record differs from the quorum's"})
			continue
		}
		if msg := verifyDriveShards(ctx, l, d, pos, v); msg != "" {
			probs = append(probs, redundancyProblem{pos, msg})
		}
	}
	return probs
}

// verifyDriveShards verifies the shard that drive position pos holds for v.
func verifyDriveShards(ctx context.Context, l *Layer, d drive.Drive, pos int, v *meta.Version) string {
	c, err := l.codecFor(v.Erasure)
	if err != nil {
		return err.Error()
	}
	if v.Size == 0 {
		return ""
	}
	if v.Inline {
		b, err := d.Get(ctx, drive.NSInline, drive.InlineKey(v.DataDir))
		if err != nil {
			return "inline shard: " + err.Error()
		}
		return verifyShardFrames(c, b, v.Size)
	}
	streams := []struct {
		file string
		size int64
	}{{meta.SingleFile, v.Size}}
	if v.Parts != nil {
		streams = streams[:0]
		for _, p := range v.Parts {
			streams = append(streams, struct {
				file string
				size int64
			}{meta.PartFile(p.Number, p.Nonce), p.Size})
		}
	}
	for _, st := range streams {
		r, err := d.ReadShard(ctx, v.DataDir, st.file, 0, c.shardFileSize(st.size))
		if err != nil {
			return st.file + ": " + err.Error()
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return st.file + ": " + err.Error()
		}
		if msg := verifyShardFrames(c, b, st.size); msg != "" {
			return st.file + ": " + msg
		}
	}
	return ""
}

// verifyShardFrames checks that b is the framed shard of a stream of size
// bytes: the right length and a matching HighwayHash-256 on every block.
func verifyShardFrames(c *codec, b []byte, size int64) string {
	if int64(len(b)) != c.shardFileSize(size) {
		return fmt.Sprintf("shard is %d bytes, want %d", len(b), c.shardFileSize(size))
	}
	var off int64
	for blk := int64(0); blk*c.blockSize < size; blk++ {
		sl := c.shardLen(c.blockLen(size, blk))
		frame := b[off : off+hashSize+sl]
		sum := highwayhash.Sum(frame[hashSize:], c.key)
		if !bytes.Equal(sum[:], frame[:hashSize]) {
			return fmt.Sprintf("block %d fails its bitrot hash", blk)
		}
		off += hashSize + sl
	}
	return ""
}

// keysOf returns the keys of m in order.
func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

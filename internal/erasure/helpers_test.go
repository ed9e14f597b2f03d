package erasure

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"

	"github.com/hoardstore/hoard/internal/storage"
)

// payload is a test storage.Payload over a byte slice.
type payload struct {
	r    io.Reader
	size int64
	h    hash.Hash
	etag string
	sum  storage.Checksum
}

func newPayload(b []byte) *payload {
	return &payload{r: bytes.NewReader(b), size: int64(len(b)), h: md5.New()}
}

// readerPayload streams size bytes from r (which may fail).
func readerPayload(r io.Reader, size int64) *payload {
	return &payload{r: r, size: size, h: md5.New()}
}

func (p *payload) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.h.Write(b[:n])
	if err == io.EOF {
		p.etag = hex.EncodeToString(p.h.Sum(nil))
	}
	return n, err
}
func (p *payload) Size() int64                { return p.size }
func (p *payload) ETag() string               { return p.etag }
func (p *payload) Checksum() storage.Checksum { return p.sum }

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// openTest opens a layer over n fresh folders.
func openTest(t testing.TB, n int, mod func(*Config)) (*Layer, []string) {
	t.Helper()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	cfg := Config{Drives: dirs}
	if mod != nil {
		mod(&cfg)
	}
	l, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dirs
}

func mustBucket(t testing.TB, l *Layer, name string) {
	t.Helper()
	if err := l.MakeBucket(context.Background(), name); err != nil {
		t.Fatalf("MakeBucket(%s): got %v, want nil", name, err)
	}
}

func mustPut(t testing.TB, l *Layer, bucket, key string, body []byte) storage.ObjectInfo {
	t.Helper()
	info, err := l.PutObject(context.Background(), bucket, key, newPayload(body), storage.PutOptions{})
	if err != nil {
		t.Fatalf("PutObject(%s/%s): got %v, want nil", bucket, key, err)
	}
	return info
}

// readRange opens bucket/key and reads [off, off+n).
func readRange(l *Layer, bucket, key string, off, n int64) ([]byte, error) {
	o, err := l.OpenObject(context.Background(), bucket, key, storage.GetOptions{})
	if err != nil {
		return nil, err
	}
	defer o.Close()
	if n < 0 {
		n = o.Info().Size - off
	}
	r, err := o.Reader(off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func readAll(l *Layer, bucket, key string) ([]byte, error) { return readRange(l, bucket, key, 0, -1) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if want == nil && got != nil || want != nil && !errors.Is(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func readAllCloser(r io.ReadCloser) ([]byte, error) {
	defer r.Close()
	return io.ReadAll(r)
}

// fillRecords writes small inline objects in one batch: the same records
// PutObject writes, without a synced commit per key (benchmark setup only).
func fillRecords(ctx context.Context, l *Layer, s *set, bucket string, keys []string) error {
	var muts []drive.Mutation
	for _, k := range keys {
		v := meta.Version{Inline: true, ModTime: time.Now().UTC(), Size: 0, ETag: md5hex(nil), Erasure: s.codec.layout(), Bitrot: meta.BitrotHighwayHash256, DataDir: newDataDir()}
		v.Erasure.Distribution = l.distribution(s, bucket, k)
		rec := &meta.Record{Versions: []meta.Version{v}}
		muts = append(muts, drive.Mutation{NS: drive.NSObject, Key: drive.ObjectKey(bucket, k), Value: encodeFor(rec, 0)})
	}
	return s.drives[0].Apply(ctx, drive.Batch{Mutations: muts})
}

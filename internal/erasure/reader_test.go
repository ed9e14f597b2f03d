package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"unsafe"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// encodeInline codes body with c into framed shards held in memory, by
// shard number.
func encodeInline(t *testing.T, c *codec, body []byte) [][]byte {
	t.Helper()
	n := c.shards()
	bufs := make([]*bytes.Buffer, n)
	sinks := make([]io.Writer, n)
	for i := range bufs {
		bufs[i] = &bytes.Buffer{}
		sinks[i] = bufs[i]
	}
	if err := c.encode(bytes.NewReader(body), int64(len(body)), sinks, make([]error, n), n); err != nil {
		t.Fatalf("encode: got %v, want nil", err)
	}
	out := make([][]byte, n)
	for i, b := range bufs {
		out[i] = b.Bytes()
	}
	return out
}

// readBoth reads r's range with Read into a small buffer, or with
// WriteTo, depending on viaWriteTo.
func readBoth(r segmentReader, viaWriteTo bool) ([]byte, error) {
	defer r.Close()
	var out bytes.Buffer
	if viaWriteTo {
		_, err := r.WriteTo(&out)
		return out.Bytes(), err
	}
	buf := make([]byte, 1000) // smaller than a shard: reads span shards
	for range 1 << 20 {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
	return nil, errors.New("read did not end")
}

func TestInlineReader(t *testing.T) {
	const block = 8 << 10
	body := randBytes(3*block+1234, 7) // four blocks, the last one short
	corrupt := func(s []byte) []byte {
		c := bytes.Clone(s)
		c[len(c)-1] ^= 1 // last block's data
		return c
	}
	tests := []struct {
		name         string
		data, parity int
		damage       func(shards [][]byte)
		off, n       int64
		wantErr      error
		wantBad      int // shards reported to onBad, at least
	}{
		{"1+0 whole", 1, 0, nil, 0, -1, nil, 0},
		{"1+0 range in a block", 1, 0, nil, 100, 50, nil, 0},
		{"2+2 whole", 2, 2, nil, 0, -1, nil, 0},
		{"2+2 range across blocks", 2, 2, nil, block - 10, block + 20, nil, 0},
		{"2+2 last bytes", 2, 2, nil, int64(len(body)) - 3, 3, nil, 0},
		{"3+1 range", 3, 1, nil, 5000, 9000, nil, 0},
		{"2+2 data shard missing", 2, 2, func(s [][]byte) { s[0] = nil }, 0, -1, nil, 1},
		{"2+2 data shard corrupt", 2, 2, func(s [][]byte) { s[1] = corrupt(s[1]) }, 0, -1, nil, 1},
		{"2+2 data shard short", 2, 2, func(s [][]byte) { s[0] = s[0][:len(s[0])-5] }, 0, -1, nil, 1},
		{"2+2 two shards lost", 2, 2, func(s [][]byte) { s[0], s[3] = nil, nil }, 0, -1, nil, 1},
		{"1+1 data shard corrupt", 1, 1, func(s [][]byte) { s[0] = corrupt(s[0]) }, 0, -1, nil, 1},
		{"2+2 three shards lost", 2, 2, func(s [][]byte) { s[0], s[1], s[2] = nil, nil, nil }, 0, -1, storage.ErrCorrupt, 2},
		{"1+0 corrupt", 1, 0, func(s [][]byte) { s[0] = corrupt(s[0]) }, 0, -1, storage.ErrCorrupt, 1},
	}
	for _, tt := range tests {
		for _, viaWriteTo := range []bool{false, true} {
			name := tt.name + map[bool]string{false: " Read", true: " WriteTo"}[viaWriteTo]
			t.Run(name, func(t *testing.T) {
				c, err := newCodec(tt.data, tt.parity, block)
				if err != nil {
					t.Fatal(err)
				}
				shards := encodeInline(t, c, body)
				if tt.damage != nil {
					tt.damage(shards)
				}
				n := tt.n
				if n < 0 {
					n = int64(len(body)) - tt.off
				}
				r := newInlineReader(c, int64(len(body)), tt.off, n, shards, nil)
				bad := 0
				r.onBad = func(error) { bad++ }
				got, err := readBoth(r, viaWriteTo)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("error: got %v, want %v", err, tt.wantErr)
					}
				} else if err != nil || !bytes.Equal(got, body[tt.off:tt.off+n]) {
					t.Fatalf("got %d bytes (equal %v), %v; want %d bytes of the body", len(got), bytes.Equal(got, body[tt.off:tt.off+n]), err, n)
				}
				if bad < tt.wantBad {
					t.Errorf("shards reported bad: got %d, want at least %d", bad, tt.wantBad)
				}
			})
		}
	}
}

// failingWriter fails after accepting limit bytes.
type failingWriter struct{ limit int }

var errWriterGone = errors.New("writer gone")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errWriterGone
	}
	w.limit -= len(p)
	return len(p), nil
}

// TestObjectWriteTo reads inline and file objects through the engine with
// WriteTo and Read, and checks that a failing destination is reported as
// itself, not as damaged data.
func TestObjectWriteTo(t *testing.T) {
	for _, drives := range []int{1, 4} {
		l, _ := openTest(t, drives, func(c *Config) { c.BlockSize = 64 << 10 })
		mustBucket(t, l, "bkt")
		ctx := context.Background()
		for _, size := range []int{0, 1, 5000, 70 << 10, 300 << 10} {
			body := randBytes(size, uint64(size))
			mustPut(t, l, "bkt", "k", body)
			o, err := l.OpenObject(ctx, "bkt", "k", storage.GetOptions{})
			if err != nil {
				t.Fatalf("OpenObject: got %v, want nil", err)
			}
			ranges := [][2]int64{{0, int64(size)}}
			if size > 10 {
				ranges = append(ranges, [2]int64{int64(size / 3), int64(size / 2)})
			}
			for _, rg := range ranges {
				for _, viaWriteTo := range []bool{false, true} {
					r, err := o.Reader(rg[0], rg[1])
					if err != nil {
						t.Fatalf("Reader: got %v, want nil", err)
					}
					got, err := readBoth(r.(segmentReader), viaWriteTo)
					if err != nil || !bytes.Equal(got, body[rg[0]:rg[0]+rg[1]]) {
						t.Errorf("%d drives, %d bytes, range %v, WriteTo %v: got %d bytes, %v; want the body's %d", drives, size, rg, viaWriteTo, len(got), err, rg[1])
					}
				}
			}
			if size > 1000 {
				r, _ := o.Reader(0, int64(size))
				_, err := r.(io.WriterTo).WriteTo(&failingWriter{limit: 100})
				if !errors.Is(err, errWriterGone) || errors.Is(err, storage.ErrCorrupt) {
					t.Errorf("%d drives, %d bytes, failing writer: got %v, want %v", drives, size, err, errWriterGone)
				}
				r.Close()
			}
			o.Close()
		}
	}
}

// hangingShard is a shard stream that reads straight into the caller's
// buffer (drive.DirectReader) and "hangs" on its call number hangAt: it
// answers drive.ErrFaulty and keeps the buffer, as a read abandoned at
// its deadline that is still running would.
type hangingShard struct {
	r      *bytes.Reader
	calls  int
	hangAt int
	kept   *[]byte
}

func (s *hangingShard) Read(p []byte) (int, error) { panic("hangingShard: Read; want ReadDirect") }
func (s *hangingShard) Close() error               { return nil }
func (s *hangingShard) ReadDirect(p []byte) (int, error) {
	s.calls++
	if s.calls == s.hangAt {
		*s.kept = p
		return 0, fmt.Errorf("read shard: %w", drive.ErrFaulty)
	}
	return s.r.Read(p)
}

// TestBlockReaderGivesUpHungBuffer: when a direct shard read fails with
// drive.ErrFaulty, the block buffer it was reading into is never used
// again (nor pooled), the frames already read survive the move, and the
// stream decodes byte-exact from the other shards.
func TestBlockReaderGivesUpHungBuffer(t *testing.T) {
	const block = 8 << 10
	body := randBytes(4*block+99, 3)
	for _, tt := range []struct {
		name   string
		shard  int // the shard whose read hangs
		hangAt int // on its call number
	}{
		{"first data shard, first block", 0, 1},
		{"second data shard, third block", 1, 3},
		{"second data shard, first block", 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newCodec(2, 2, block)
			if err != nil {
				t.Fatal(err)
			}
			shards := encodeInline(t, c, body)
			var kept []byte
			srcs := make([]shardSource, len(shards))
			for i, s := range shards {
				srcs[i] = func(off, n int64) (io.ReadCloser, error) {
					h := &hangingShard{r: bytes.NewReader(s[off : off+n]), kept: &kept}
					if i == tt.shard {
						h.hangAt = tt.hangAt
					}
					return h, nil
				}
			}
			r := newBlockReader(c, int64(len(body)), 0, int64(len(body)), srcs)
			var got bytes.Buffer
			buf := make([]byte, 1000)
			for {
				n, err := r.Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if kept != nil && overlaps(*r.bp, kept) {
					t.Fatal("the block buffer still holds the abandoned read's memory")
				}
			}
			if kept == nil {
				t.Fatal("the hung read was never made")
			}
			if !bytes.Equal(got.Bytes(), body) {
				t.Errorf("decoded %d bytes, differ from the %d written", got.Len(), len(body))
			}
			r.Close()
			if p := c.pool.Get().(*[]byte); overlaps(*p, kept) {
				t.Error("the abandoned buffer went back to the pool")
			}
		})
	}
}

// overlaps reports whether b's memory contains p's first byte.
func overlaps(b, p []byte) bool {
	if len(b) == 0 || len(p) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return at >= start && at < start+uintptr(cap(b))
}

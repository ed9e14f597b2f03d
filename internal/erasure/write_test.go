package erasure

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

// TestEncodeInline checks that the in-place inline coder writes exactly
// the framed shards the streaming coder does, and refuses a payload
// shorter or longer than its size.
func TestEncodeInline(t *testing.T) {
	const block = 4 << 10
	tests := []struct {
		name         string
		data, parity int
		size         int
	}{
		{"1+0 empty", 1, 0, 0},
		{"1+0 one byte", 1, 0, 1},
		{"1+1 block and a bit", 1, 1, block + 1},
		{"2+2 odd size", 2, 2, 3*block - 7},
		{"2+2 whole blocks", 2, 2, 2 * block},
		{"3+1 small", 3, 1, 100},
		{"4+4 several blocks", 4, 4, 5*block + 333},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newCodec(tt.data, tt.parity, block)
			if err != nil {
				t.Fatal(err)
			}
			body := randBytes(tt.size, uint64(tt.size)+1)
			want := encodeInline(t, c, body)
			got, err := c.encodeInline(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				t.Fatalf("encodeInline: got %v, want nil", err)
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Errorf("shard %d: got %d bytes, want the streaming coder's %d (equal: false)", i, len(got[i]), len(want[i]))
				}
			}
			if tt.size > 0 {
				_, err = c.encodeInline(bytes.NewReader(body[:tt.size-1]), int64(tt.size))
				if !errors.Is(err, storage.ErrIncompleteBody) {
					t.Errorf("short payload: got %v, want %v", err, storage.ErrIncompleteBody)
				}
			}
			_, err = c.encodeInline(bytes.NewReader(append(bytes.Clone(body), 1)), int64(tt.size))
			if !errors.Is(err, storage.ErrIncompleteBody) {
				t.Errorf("long payload: got %v, want %v", err, storage.ErrIncompleteBody)
			}
		})
	}
}

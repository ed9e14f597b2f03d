package erasure

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// TestPickQuorumNewest: records read for their newest version agree
// whether a drive answered with that version alone (a drive that stores
// tails) or with the whole record (an older node ignoring the newest-only
// request); shard indexes differ.
func TestPickQuorumNewest(t *testing.T) {
	ver := func(id string, i, index int) meta.Version {
		return meta.Version{ID: id, ModTime: time.Unix(int64(i), 0).UTC(), ETag: id,
			Erasure: meta.Erasure{Data: 2, Parity: 2, BlockSize: 1 << 20, Index: index, Distribution: []uint8{1, 2, 3, 4}}}
	}
	rec := func(index int, ids ...string) []byte {
		r := &meta.Record{}
		for i, id := range ids {
			r.Versions = append(r.Versions, ver(id, 10-i, index))
		}
		return meta.EncodeRecord(r)
	}
	tests := []struct {
		name  string
		vals  [][]byte
		errs  []error
		agree int
		id    string
	}{
		{"head, whole, head, whole", [][]byte{rec(1, "c"), rec(2, "c", "b", "a"), rec(3, "c"), rec(4, "c", "b", "a")}, make([]error, 4), 4, "c"},
		{"null newest with next, whole", [][]byte{rec(1, "", "b"), rec(2, "", "b", "a"), rec(3, "", "b"), nil}, []error{nil, nil, nil, drive.ErrNotFound}, 3, ""},
		{"one drive behind", [][]byte{rec(1, "c", "b"), rec(2, "b"), rec(3, "c"), rec(4, "c", "b")}, make([]error, 4), 3, "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, agree, err := pickQuorumCount(tt.vals, tt.errs, 3, normalizeNewest)
			if err != nil || agree != tt.agree {
				t.Fatalf("got %d agreeing, %v; want %d", agree, err, tt.agree)
			}
			l, ok, err := meta.DecodeListed(v)
			if err != nil || !ok || !bytes.Equal(l.ID, []byte(tt.id)) {
				t.Fatalf("newest: got %q, %v, %v; want %q", l.ID, ok, err, tt.id)
			}
		})
	}
	// Whole records still disagree where their older versions do.
	vals := [][]byte{rec(1, "c", "b"), rec(2, "c"), rec(3, "c", "a"), rec(4, "c", "x")}
	if _, _, err := pickQuorumCount(vals, make([]error, 4), 3, normalizeRecord); err == nil || errors.Is(err, drive.ErrNotFound) {
		t.Fatalf("whole records: got %v, want a quorum error", err)
	}
}

package erasure

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// TestPickRecordQuorum: the shortcut for copies that differ only in
// their erasure indexes answers exactly what the full vote answers, in
// every case, and whatever the normalizer.
func TestPickRecordQuorum(t *testing.T) {
	rec := func(index int, ids ...string) []byte {
		r := &meta.Record{}
		for i, id := range ids {
			r.Versions = append(r.Versions, meta.Version{ID: id, ModTime: time.Unix(int64(10-i), 0).UTC(), ETag: id,
				Erasure: meta.Erasure{Data: 2, Parity: 2, BlockSize: 1 << 20, Index: index, Distribution: []uint8{1, 2, 3, 4}}})
		}
		return meta.EncodeRecord(r)
	}
	nf, bad := drive.ErrNotFound, errors.New("drive offline")
	tests := []struct {
		name string
		vals [][]byte
		errs []error
	}{
		{"all the same", [][]byte{rec(1, "c", "b"), rec(2, "c", "b"), rec(3, "c", "b"), rec(4, "c", "b")}, make([]error, 4)},
		{"one drive behind", [][]byte{rec(1, "c", "b"), rec(2, "b"), rec(3, "c", "b"), rec(4, "c", "b")}, make([]error, 4)},
		{"first drive behind", [][]byte{rec(1, "b"), rec(2, "c", "b"), rec(3, "c", "b"), rec(4, "c", "b")}, make([]error, 4)},
		{"two and two", [][]byte{rec(1, "b"), rec(2, "c", "b"), rec(3, "b"), rec(4, "c", "b")}, make([]error, 4)},
		{"one not found", [][]byte{rec(1, "c"), nil, rec(3, "c"), rec(4, "c")}, []error{nil, nf, nil, nil}},
		{"not found wins", [][]byte{rec(1, "c"), nil, nil, nil}, []error{nil, nf, nf, nf}},
		{"two found, two not", [][]byte{rec(1, "c"), nil, rec(3, "c"), nil}, []error{nil, nf, nil, nf}},
		{"offline drives, too few left", [][]byte{rec(1, "c"), nil, nil, rec(4, "c")}, []error{nil, bad, bad, nil}},
		{"offline drive, quorum left", [][]byte{rec(1, "c"), rec(2, "c"), nil, rec(4, "c")}, []error{nil, nil, bad, nil}},
		{"a copy that does not decode", [][]byte{rec(1, "c"), []byte("junk"), rec(3, "c"), rec(4, "c")}, make([]error, 4)},
		{"only undecodable copies", [][]byte{[]byte("junk"), []byte("junk"), []byte("junk"), nil}, []error{nil, nil, nil, nf}},
		{"nothing answered", make([][]byte, 4), []error{bad, bad, bad, bad}},
		{"trailing bytes on one copy", [][]byte{rec(1, "c"), append(rec(2, "c"), 0), rec(3, "c"), rec(4, "c")}, make([]error, 4)},
		{"records without versions", [][]byte{rec(1), rec(2), rec(3), rec(4)}, make([]error, 4)},
		{"newest only beside whole records", [][]byte{rec(1, "c"), rec(2, "c", "b"), rec(3, "c"), rec(4, "c", "b")}, make([]error, 4)},
	}
	for _, tt := range tests {
		for _, norm := range []struct {
			name string
			f    func([]byte) []byte
		}{{"record", normalizeRecord}, {"newest", normalizeNewest}, {"raw", nil}} {
			t.Run(tt.name+"/"+norm.name, func(t *testing.T) {
				gv, gn, gerr := pickRecordQuorum(tt.vals, tt.errs, 3, norm.f)
				wv, wn, werr := pickQuorumCount(tt.vals, tt.errs, 3, norm.f)
				if !bytes.Equal(gv, wv) || gn != wn || fmt.Sprint(gerr) != fmt.Sprint(werr) {
					t.Fatalf("got %x, %d, %v; want %x, %d, %v", gv, gn, gerr, wv, wn, werr)
				}
			})
		}
	}
}

package repair

import (
	"errors"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

func TestDecideRecord(t *testing.T) {
	t.Parallel()
	rec := func(etag string, at int64, pos int) []byte {
		r := &meta.Record{Versions: []meta.Version{{ETag: etag, ModTime: time.Unix(at, 0), Erasure: meta.Erasure{Data: 2, Parity: 2, BlockSize: 1 << 20, Distribution: []uint8{1, 2, 3, 4}}}}}
		return meta.EncodeFor(r, pos)
	}
	// Drive answers: "A"/"B" are records (B newer), "-" absent, "x" offline, "?" undecodable.
	answers := func(s string) ([][]byte, []error) {
		vals, errs := make([][]byte, len(s)), make([]error, len(s))
		for i, c := range s {
			switch c {
			case 'A':
				vals[i] = rec("a", 100, i)
			case 'B':
				vals[i] = rec("b", 200, i)
			case '-':
				errs[i] = drive.ErrNotFound
			case 'x':
				errs[i] = errors.New("offline")
			case '?':
				vals[i] = []byte{1, 'O', 0xff}
			}
		}
		return vals, errs
	}
	tests := []struct {
		drives   string
		want     string // etag of the authoritative record, "" for absent
		dangling bool
		states   string // o ok, m missing, s stale, c corrupt, x offline
		err      bool
	}{
		{drives: "AAAA", want: "a", states: "oooo"},
		{drives: "AAA-", want: "a", states: "ooom"},
		{drives: "AABx", want: "a", states: "oosx"},
		{drives: "BBAA", want: "b", states: "ooss"},                // a tie goes to the newer record
		{drives: "AA--", want: "a", states: "oomm"},                // readers too take the value on a tie with absent
		{drives: "A---", want: "", states: "sooo"},                 // deleted on a quorum: the copy is left over
		{drives: "AB-?", want: "", dangling: true, states: "ssoc"}, // no copy can reach quorum
		{drives: "A?--", want: "", states: "scoo"},
		{drives: "ABxx", err: true, states: "xxxx"}, // the offline drives may hold the answer
		{drives: "----", want: "", states: "oooo"},
	}
	for _, tt := range tests {
		t.Run(tt.drives, func(t *testing.T) {
			vals, errs := answers(tt.drives)
			d, err := decideRecord(vals, errs, nil, 2)
			if (err != nil) != tt.err {
				t.Fatalf("error: got %v, want error %v", err, tt.err)
			}
			if err != nil {
				return
			}
			got := ""
			if d.rec != nil {
				got = d.rec.Versions[0].ETag
			}
			states := ""
			for _, s := range d.states {
				states += map[State]string{OK: "o", Missing: "m", Stale: "s", Corrupt: "c", Offline: "x"}[s]
			}
			if got != tt.want || d.dangling != tt.dangling || states != tt.states {
				t.Errorf("got record %q dangling %v states %s; want %q dangling %v states %s", got, d.dangling, states, tt.want, tt.dangling, tt.states)
			}
		})
	}
}

func TestDecideValue(t *testing.T) {
	t.Parallel()
	nf, off := drive.ErrNotFound, errors.New("offline")
	tests := []struct {
		name    string
		vals    []string
		errs    []error
		want    string
		present bool
		err     bool
	}{
		{"all agree", []string{"v", "v", "v", "v"}, []error{nil, nil, nil, nil}, "v", true, false},
		{"one missing", []string{"v", "v", "v", ""}, []error{nil, nil, nil, nf}, "v", true, false},
		{"deleted on quorum", []string{"v", "", "", ""}, []error{nil, nf, nf, nf}, "", false, false},
		{"minority copy, all answered", []string{"v", "w", "", "u"}, []error{nil, nil, nf, nil}, "", false, false},
		{"undecided with drives offline", []string{"v", "", "", ""}, []error{nil, nf, off, off}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := make([][]byte, len(tt.vals))
			for i, v := range tt.vals {
				vals[i] = []byte(v)
			}
			got, present, err := decideValue(vals, tt.errs, 2)
			if string(got) != tt.want || present != tt.present || (err != nil) != tt.err {
				t.Errorf("got %q present %v err %v; want %q present %v error %v", got, present, err, tt.want, tt.present, tt.err)
			}
		})
	}
}

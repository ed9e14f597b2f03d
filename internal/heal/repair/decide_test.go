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

func TestDecideRecordStaleDrives(t *testing.T) {
	t.Parallel()
	rec := func(etag string, at int64) []byte {
		return meta.EncodeRecord(&meta.Record{Versions: []meta.Version{{ETag: etag, ModTime: time.Unix(at, 0)}}})
	}
	off := errors.New("offline")
	tests := []struct {
		name   string
		vals   []string // etag, "" absent, "x" offline
		stale  string   // 1: the drive is stale
		want   string
		states string
		err    bool
	}{
		{"a stale drive's record does not vote", []string{"a", "a", "b", "b"}, "0011", "a", "ooss", false},
		{"a stale drive missing the object gets it", []string{"a", "a", "a", ""}, "0001", "a", "ooom", false},
		{"the drives that count disagree and every drive answered: all vote", []string{"b", "b", "a", "c"}, "1100", "b", "ooss", false},
		{"the drives that count disagree with one offline: undecided", []string{"b", "b", "a", "x"}, "1100", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.vals)
			vals, errs, stale := make([][]byte, n), make([]error, n), make([]bool, n)
			for i, v := range tt.vals {
				switch v {
				case "":
					errs[i] = drive.ErrNotFound
				case "x":
					errs[i] = off
				default:
					vals[i] = rec(v, int64(v[0]))
				}
				stale[i] = tt.stale[i] == '1'
			}
			d, err := decideRecord(vals, errs, stale, 2)
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
			if got != tt.want || letters(d.states) != tt.states {
				t.Errorf("got record %q states %s; want %q states %s", got, letters(d.states), tt.want, tt.states)
			}
		})
	}
}

// staleSet is a Set of which value decisions use only the quorum and the
// stale drives.
type staleSet struct {
	Set
	stale []bool
}

func (s staleSet) ReadQuorum() int { return 2 }
func (s staleSet) Stale() []bool   { return s.stale }

func TestDecideSetValue(t *testing.T) {
	t.Parallel()
	nf, off := drive.ErrNotFound, errors.New("offline")
	tests := []struct {
		name    string
		vals    []string
		errs    []error
		stale   []bool
		want    string
		present bool
		err     bool
	}{
		{"no stale drive", []string{"v", "v", "w", "w"}, []error{nil, nil, nil, nil}, nil, "w", true, false},
		{"stale drives do not vote", []string{"v", "v", "w", "w"}, []error{nil, nil, nil, nil}, []bool{false, false, true, true}, "v", true, false},
		{"a stale drive's leftover is not a vote to keep it", []string{"", "", "", "v"}, []error{nf, nf, nf, nil}, []bool{false, false, false, true}, "", false, false},
		{"undecided without the stale drives, every drive answered: all vote", []string{"v", "v", "w", ""}, []error{nil, nil, nil, nf}, []bool{true, true, false, false}, "v", true, false},
		{"undecided with a drive offline", []string{"v", "v", "w", ""}, []error{nil, nil, nil, off}, []bool{true, true, false, false}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := make([][]byte, len(tt.vals))
			for i, v := range tt.vals {
				vals[i] = []byte(v)
			}
			got, present, err := decideSetValue(staleSet{stale: tt.stale}, vals, tt.errs)
			if string(got) != tt.want || present != tt.present || (err != nil) != tt.err {
				t.Errorf("got %q present %v err %v; want %q present %v error %v", got, present, err, tt.want, tt.present, tt.err)
			}
		})
	}
}

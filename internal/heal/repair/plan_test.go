package repair

import (
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// stateOf maps the letters of the tables below to states.
var stateOf = map[byte]State{'o': OK, 'm': Missing, 's': Stale, 'c': Corrupt, 'x': Offline}

// states parses one letter per drive.
func states(s string) []State {
	out := make([]State, len(s))
	for i := range s {
		out[i] = stateOf[s[i]]
	}
	return out
}

// letters is the inverse of states.
func letters(ss []State) string {
	b := make([]byte, len(ss))
	for i, s := range ss {
		for c, st := range stateOf {
			if st == s {
				b[i] = c
			}
		}
	}
	return string(b)
}

// shardPlan builds a plan over one record of len(shards) versions, each
// with one stream, whose record states are recs and whose shard states
// are shards[version] (a letter per drive).
func shardPlan(recs string, shards ...string) *healPlan {
	n := len(recs)
	p := &healPlan{ds: make([]drive.Drive, n), dec: recordDecision{
		states: states(recs), rec: &meta.Record{}, recs: make([]*meta.Record, n), norms: make([][]byte, n),
	}}
	for _, sh := range shards {
		p.dec.rec.Versions = append(p.dec.rec.Versions, meta.Version{Size: 1})
		vs := make([][]State, len(sh))
		for pos := range sh {
			vs[pos] = []State{stateOf[sh[pos]]}
		}
		p.states = append(p.states, vs)
		p.blobs = append(p.blobs, make([][]byte, n))
		p.codecs = append(p.codecs, layout{data: 2})
	}
	for _, st := range p.dec.states {
		if st == Offline {
			p.dec.offline++
		}
	}
	return p
}

// layout is a Codec of which plan decisions use only the data shard count.
type layout struct {
	Codec
	data int
}

func (l layout) Data() int { return l.data }

func TestPlanBefore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		recs   string
		shards []string
		before string
		work   bool
	}{
		{"intact", "oooo", []string{"oooo"}, "oooo", false},
		{"shards missing and corrupt", "oooo", []string{"ommc"}, "ommc", true},
		{"the worst shard of every version", "oooo", []string{"omoo", "oooc"}, "omoc", true},
		{"record states first", "oscm", []string{"oooo"}, "oscm", true},
		{"an offline drive alone is no work", "ooox", []string{"ooox"}, "ooox", false},
		{"a shard the drive could not be asked for", "oooo", []string{"ooxo"}, "ooxo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := shardPlan(tt.recs, tt.shards...)
			p.summarise()
			if got := letters(p.before); got != tt.before {
				t.Errorf("before: got %s, want %s", got, tt.before)
			}
			if got := p.needsWork(); got != tt.work {
				t.Errorf("needsWork: got %v, want %v", got, tt.work)
			}
		})
	}
}

func TestPlanAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		recs    string
		shards  string
		fixed   string // per drive: 1 the drive's stream was rebuilt
		touched string // per drive: 1 the drive had a commit
		written string // per drive: 1 its commit succeeded
		after   string
	}{
		{"every damaged shard rebuilt and committed", "oooo", "ommc", "0111", "0111", "0111", "oooo"},
		{"a commit that failed leaves the drive as it was", "oooo", "ommc", "0111", "0111", "0101", "oomo"},
		{"a shard that could not be rebuilt stays missing", "oooo", "ommo", "0100", "0110", "0110", "oomo"},
		{"a stale record rewritten", "ooso", "oooo", "0000", "0010", "0010", "oooo"},
		{"an offline drive stays offline", "ooxo", "ooxo", "0000", "0000", "0000", "ooxo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := shardPlan(tt.recs, tt.shards)
			p.summarise()
			n := len(tt.recs)
			p.fixed = [][][]bool{make([][]bool, n)}
			p.touched, p.written = make([]bool, n), make([]bool, n)
			for pos := range n {
				p.fixed[0][pos] = []bool{tt.fixed[pos] == '1'}
				p.touched[pos], p.written[pos] = tt.touched[pos] == '1', tt.written[pos] == '1'
			}
			after := make([]State, n)
			for pos := range n {
				after[pos] = p.after(pos)
			}
			if got := letters(after); got != tt.after {
				t.Errorf("after: got %s, want %s", got, tt.after)
			}
		})
	}
}

func TestPlanDropDangling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		recs     string
		shards   []string
		keepAll  bool
		kept     int // versions left
		dangling bool
	}{
		{"every version readable", "oooo", []string{"oooo", "mmoo"}, false, 2, false},
		{"a version on fewer drives than its data shards", "oooo", []string{"oooo", "mmmo"}, false, 1, false},
		{"damaged shards still count as present", "oooo", []string{"cccm"}, false, 1, false},
		{"no version readable: dangling", "oooo", []string{"mmmo"}, false, 0, true},
		{"a drive offline may hold the data", "ooox", []string{"mmmx"}, false, 1, false},
		{"upload parts are kept for their owner", "oooo", []string{"mmmo"}, true, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := shardPlan(tt.recs, tt.shards...)
			p.keepAll = tt.keepAll
			p.dropDangling()
			kept := 0
			if p.dec.rec != nil {
				kept = len(p.dec.rec.Versions)
			}
			if kept != tt.kept || p.dec.dangling != tt.dangling || len(p.states) != tt.kept {
				t.Errorf("got %d versions (%d state rows) dangling %v; want %d dangling %v", kept, len(p.states), p.dec.dangling, tt.kept, tt.dangling)
			}
		})
	}
}

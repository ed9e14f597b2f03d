package bench

import (
	"slices"
	"time"
)

// opKind is one kind of S3 request the generator measures.
type opKind int

const (
	opPut opKind = iota
	opGet
	opStat
	opDelete
	opList
	opPart
	opMultipart
	opListVersions
	numOpKinds
)

// String returns the name reports use for k.
func (k opKind) String() string {
	return [...]string{"PUT", "GET", "STAT", "DELETE", "LIST", "PART", "MULTIPART", "LISTVERSIONS"}[k]
}

// opRecord collects one worker's results for one kind of operation. It is
// owned by that worker, so recording takes no lock.
type opRecord struct {
	ops, errors  int64
	bytes, items int64
	latency      []time.Duration // of successful operations
	firstErr     error
}

// recorder is one worker's set of records.
type recorder struct {
	rec [numOpKinds]opRecord
}

func (r *recorder) ok(k opKind, d time.Duration, bytes, items int64) {
	o := &r.rec[k]
	o.ops++
	o.bytes += bytes
	o.items += items
	o.latency = append(o.latency, d)
}

func (r *recorder) fail(k opKind, err error) {
	o := &r.rec[k]
	o.ops++
	o.errors++
	if o.firstErr == nil {
		o.firstErr = err
	}
}

// Latency holds latency figures in milliseconds.
type Latency struct {
	Mean float64 `json:"mean_ms"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
}

// OpStats sums up one kind of operation over the measured phase.
type OpStats struct {
	// Op is PUT, GET, STAT, DELETE, LIST, PART (one multipart part),
	// MULTIPART (a whole multipart upload) or TOTAL.
	Op string `json:"op"`
	// Ops counts operations, failed ones included; Errors the failed ones.
	Ops    int64 `json:"ops"`
	Errors int64 `json:"errors"`
	// Bytes counts payload bytes moved by successful operations.
	Bytes int64 `json:"bytes"`
	// Items counts keys listed (LIST) or parts sent (MULTIPART).
	Items int64 `json:"items,omitempty"`
	// OpsPerSec, MiBPerSec and ItemsPerSec are rates over the measured
	// phase's wall-clock time.
	OpsPerSec   float64 `json:"ops_per_sec"`
	MiBPerSec   float64 `json:"mib_per_sec"`
	ItemsPerSec float64 `json:"items_per_sec,omitempty"`
	// Latency is over successful operations.
	Latency Latency `json:"latency"`
	// FirstError is the first failure's message, when any failed.
	FirstError string `json:"first_error,omitempty"`
}

// summarize merges the workers' records of each kind into stats over
// elapsed, kinds with no operation left out; with more than one kind a
// TOTAL row follows.
func summarize(recs []*recorder, elapsed time.Duration) []OpStats {
	var out []OpStats
	var all []time.Duration
	total := OpStats{Op: "TOTAL"}
	kinds := 0
	for k := range numOpKinds {
		s := OpStats{Op: k.String()}
		var lat []time.Duration
		var firstErr error
		for _, r := range recs {
			o := &r.rec[k]
			s.Ops += o.ops
			s.Errors += o.errors
			s.Bytes += o.bytes
			s.Items += o.items
			lat = append(lat, o.latency...)
			if firstErr == nil {
				firstErr = o.firstErr
			}
		}
		if s.Ops == 0 {
			continue
		}
		if firstErr != nil {
			s.FirstError = firstErr.Error()
		}
		s.rates(elapsed)
		s.Latency = latencyOf(lat)
		out = append(out, s)
		kinds++
		if k == opPart { // parts are inside MULTIPART; not counted twice
			continue
		}
		total.Ops += s.Ops
		total.Errors += s.Errors
		total.Bytes += s.Bytes
		all = append(all, lat...)
		if total.FirstError == "" {
			total.FirstError = s.FirstError
		}
	}
	if kinds > 1 && !(kinds == 2 && hasOps(out, "PART")) {
		total.rates(elapsed)
		total.Latency = latencyOf(all)
		out = append(out, total)
	}
	return out
}

func hasOps(stats []OpStats, op string) bool {
	return slices.ContainsFunc(stats, func(s OpStats) bool { return s.Op == op })
}

func (s *OpStats) rates(elapsed time.Duration) {
	sec := elapsed.Seconds()
	if sec <= 0 {
		return
	}
	s.OpsPerSec = float64(s.Ops-s.Errors) / sec
	s.MiBPerSec = float64(s.Bytes) / (1 << 20) / sec
	s.ItemsPerSec = float64(s.Items) / sec
}

// latencyOf sorts lat and returns its figures; percentiles are the
// nearest rank.
func latencyOf(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	pct := func(p float64) float64 {
		i := int(p*float64(len(lat))+0.999999) - 1
		return ms(lat[max(0, min(i, len(lat)-1))])
	}
	return Latency{
		Mean: ms(sum / time.Duration(len(lat))),
		P50:  pct(0.50),
		P90:  pct(0.90),
		P99:  pct(0.99),
		Max:  ms(lat[len(lat)-1]),
	}
}

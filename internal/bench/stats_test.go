package bench

import (
	"errors"
	"testing"
	"time"
)

func TestLatencyPercentiles(t *testing.T) {
	t.Parallel()
	lat := make([]time.Duration, 0, 100)
	for i := 100; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	got := latencyOf(lat)
	want := Latency{Mean: 50.5, P50: 50, P90: 90, P99: 99, Max: 100}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := latencyOf([]time.Duration{7 * time.Millisecond}); got.P50 != 7 || got.P99 != 7 || got.Max != 7 {
		t.Errorf("one sample: got %+v, want 7 everywhere", got)
	}
	if got := latencyOf(nil); got != (Latency{}) {
		t.Errorf("no samples: got %+v, want zeros", got)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	a, b := &recorder{}, &recorder{}
	a.ok(opGet, 2*time.Millisecond, 100, 0)
	b.ok(opGet, 4*time.Millisecond, 100, 0)
	b.fail(opGet, errors.New("boom"))
	a.ok(opPut, time.Millisecond, 1<<20, 0)
	stats := summarize([]*recorder{a, b}, 2*time.Second)
	if len(stats) != 3 || stats[0].Op != "PUT" || stats[1].Op != "GET" || stats[2].Op != "TOTAL" {
		t.Fatalf("got rows %+v, want PUT, GET, TOTAL", stats)
	}
	get, total := stats[1], stats[2]
	if get.Ops != 3 || get.Errors != 1 || get.Bytes != 200 || get.OpsPerSec != 1 || get.FirstError != "boom" {
		t.Errorf("got GET %+v", get)
	}
	if get.Latency.P50 != 2 || get.Latency.Max != 4 {
		t.Errorf("got GET latency %+v, want p50 2, max 4", get.Latency)
	}
	if total.Ops != 4 || total.MiBPerSec < 0.5 || total.MiBPerSec > 0.51 || total.Latency.Max != 4 {
		t.Errorf("got TOTAL %+v", total)
	}

	m := &recorder{}
	m.ok(opPart, time.Millisecond, 5, 0)
	m.ok(opPart, time.Millisecond, 5, 0)
	m.ok(opMultipart, 3*time.Millisecond, 10, 2)
	if stats := summarize([]*recorder{m}, time.Second); len(stats) != 2 {
		t.Errorf("multipart: got rows %+v, want PART and MULTIPART without TOTAL", stats)
	}
}

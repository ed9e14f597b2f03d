package bench

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Resources describes what the measured phase cost the machine. The CPU
// and memory figures come from /proc and are zero where it is missing.
type Resources struct {
	// Cores is the number of CPUs the generator sees.
	Cores int `json:"cores"`
	// GeneratorCPU is the generator process's CPU time over the phase, in
	// percent of one core.
	GeneratorCPU float64 `json:"generator_cpu_pct"`
	// ServerCPU is the same for the server process given by ServerPID.
	ServerCPU float64 `json:"server_cpu_pct,omitempty"`
	// ServerRSSMiB is the largest resident set of the server sampled
	// (every 200 ms) during the phase; ServerPeakMiB is the kernel's
	// high-water mark (VmHWM) at its end, covering the server's lifetime.
	ServerRSSMiB  float64 `json:"server_rss_mib,omitempty"`
	ServerPeakMiB float64 `json:"server_peak_mib,omitempty"`
	// MachineBusy is the share of all cores' time spent busy, and IOWait
	// the share spent idle waiting for I/O, over the phase, in percent.
	MachineBusy float64 `json:"machine_busy_pct"`
	IOWait      float64 `json:"iowait_pct"`
}

// clockTick is the Linux USER_HZ of /proc CPU times.
const clockTick = 100

// procCPU returns the CPU time (user plus system) of /proc/<pid>/stat.
func procCPU(pid string) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name may hold spaces; fields count from after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTick, true
}

// procMemory returns VmRSS and VmHWM of /proc/<pid>/status in bytes.
func procMemory(pid string) (rss, hwm int64, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0, false
	}
	for line := range strings.Lines(string(b)) {
		name, val, found := strings.Cut(line, ":")
		if !found || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) < 1 {
			continue
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm, rss > 0
}

// machineCPU returns the total and the busy and iowait clock ticks of the
// "cpu" line of /proc/stat.
func machineCPU() (total, busy, iowait int64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, 0, false
	}
	for i, s := range f[1:min(len(f), 9)] { // user nice system idle iowait irq softirq steal
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, 0, false
		}
		total += n
		switch i {
		case 3:
		case 4:
			iowait = n
		default:
			busy += n
		}
	}
	return total, busy, iowait, true
}

// resourceMeter measures Resources between start and stop.
type resourceMeter struct {
	serverPID string // "" when not sampling a server
	start     time.Time
	genCPU    time.Duration
	srvCPU    time.Duration
	total     int64
	busy      int64
	iowait    int64

	mu     sync.Mutex
	maxRSS int64
	stopc  chan struct{}
	done   chan struct{}
}

func startMeter(serverPID int) *resourceMeter {
	m := &resourceMeter{start: time.Now(), stopc: make(chan struct{}), done: make(chan struct{})}
	if serverPID > 0 {
		m.serverPID = strconv.Itoa(serverPID)
	}
	m.genCPU, _ = procCPU("self")
	m.total, m.busy, m.iowait, _ = machineCPU()
	if m.serverPID != "" {
		m.srvCPU, _ = procCPU(m.serverPID)
		go m.sample()
	} else {
		close(m.done)
	}
	return m
}

// sample records the server's resident set every 200 ms until stopped.
func (m *resourceMeter) sample() {
	defer close(m.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		if rss, _, ok := procMemory(m.serverPID); ok {
			m.mu.Lock()
			m.maxRSS = max(m.maxRSS, rss)
			m.mu.Unlock()
		}
		select {
		case <-m.stopc:
			return
		case <-t.C:
		}
	}
}

func (m *resourceMeter) stop() Resources {
	close(m.stopc)
	<-m.done
	elapsed := time.Since(m.start)
	r := Resources{Cores: runtime.NumCPU()}
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / elapsed.Seconds() }
	if cpu, ok := procCPU("self"); ok && elapsed > 0 {
		r.GeneratorCPU = pct(cpu - m.genCPU)
	}
	if total, busy, iowait, ok := machineCPU(); ok && total > m.total {
		r.MachineBusy = 100 * float64(busy-m.busy) / float64(total-m.total)
		r.IOWait = 100 * float64(iowait-m.iowait) / float64(total-m.total)
	}
	if m.serverPID == "" {
		return r
	}
	if cpu, ok := procCPU(m.serverPID); ok && elapsed > 0 {
		r.ServerCPU = pct(cpu - m.srvCPU)
	}
	rss, hwm, _ := procMemory(m.serverPID)
	m.mu.Lock()
	maxRSS := max(m.maxRSS, rss)
	m.mu.Unlock()
	r.ServerRSSMiB = float64(maxRSS) / (1 << 20)
	// The kernel updates the high-water mark lazily (per-CPU counters), so
	// it can lag a sample just taken; the peak is at least the largest.
	r.ServerPeakMiB = float64(max(hwm, maxRSS)) / (1 << 20)
	return r
}

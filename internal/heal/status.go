package heal

import (
	"slices"
	"time"
)

// Run describes a heal an operator started (the current or last one).
type Run struct {
	Running  bool      `json:"running"`
	Bucket   string    `json:"bucket,omitempty"`
	Prefix   string    `json:"prefix,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	Scanned  uint64    `json:"scanned"`
	Healed   uint64    `json:"healed"`
	Failed   uint64    `json:"failed"`
}

// DriveProgress is the progress of a drive being rebuilt.
type DriveProgress struct {
	Endpoint string `json:"endpoint"`
	// Reason is "replaced" (a blank drive in the place of a lost one) or
	// "returned" (a drive back online after missing writes).
	Reason  string    `json:"reason"`
	Started time.Time `json:"started"`
	// Total is the number of objects of the drive's set when the rebuild
	// started (counted first); Done those visited so far.
	Total  uint64 `json:"total"`
	Done   uint64 `json:"done"`
	Failed uint64 `json:"failed"`
}

// Percent is Done as a share of Total (100 when there is nothing to do).
func (p DriveProgress) Percent() float64 {
	if p.Total == 0 || p.Done >= p.Total {
		return 100
	}
	return float64(p.Done) * 100 / float64(p.Total)
}

// ScannerStatus describes the background scanner.
type ScannerStatus struct {
	// Rate is the pace in objects per second (0: the scanner is off).
	Rate         float64   `json:"rate"`
	Cycles       uint64    `json:"cycles"`
	Running      bool      `json:"running"`
	CycleStarted time.Time `json:"cycleStarted,omitzero"`
	LastCycle    time.Time `json:"lastCycle,omitzero"`
	Scanned      uint64    `json:"scanned"`
	Healed       uint64    `json:"healed"`
	Failed       uint64    `json:"failed"`
}

// QueueStatus describes the healing of objects reads found damaged.
type QueueStatus struct {
	Queued  int    `json:"queued"`
	Dropped uint64 `json:"dropped"`
	Healed  uint64 `json:"healed"`
	Failed  uint64 `json:"failed"`
}

// Status is everything the Healer reports.
type Status struct {
	Run     Run             `json:"run"`
	Drives  []DriveProgress `json:"drives,omitempty"`
	Scanner ScannerStatus   `json:"scanner"`
	Queue   QueueStatus     `json:"queue"`
}

// Status reports the current or last operator heal, the drives being
// rebuilt, the scanner and the queue.
func (h *Healer) Status() Status {
	h.mu.Lock()
	st := Status{Run: h.run, Scanner: h.scanner, Queue: h.queue}
	for _, p := range h.drives {
		st.Drives = append(st.Drives, *p)
	}
	h.mu.Unlock()
	slices.SortFunc(st.Drives, func(a, b DriveProgress) int {
		if a.Endpoint < b.Endpoint {
			return -1
		}
		if a.Endpoint > b.Endpoint {
			return 1
		}
		return 0
	})
	st.Queue.Queued, st.Queue.Dropped = h.cfg.Queue.Stats()
	return st
}

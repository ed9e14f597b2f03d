package heal

import (
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/storage"
)

// Bounds of the retries of queued heals.
const (
	// maxRetries is how many queued heals wait for drives at most; more
	// are left to the scanner and to drive catch-up passes.
	maxRetries = 10000
	// retryAttempts is how often a queued heal is retried while every
	// drive answers before it is left to the scanner.
	retryAttempts = 5
)

// reachedOffline says whether a heal could not reach some drive of the
// object's set (or could not decide because of it).
func reachedOffline(res repair.Result) bool {
	for _, d := range res.Drives {
		if d.After == repair.Offline {
			return true
		}
	}
	return len(res.Drives) == 0
}

// holdForRetry keeps a queued heal that met an offline drive (a write
// that missed a drive is queued at once, usually while the drive is still
// away) until the drives answer again; h.mu is held.
func (h *Healer) holdForRetry(q Queued) {
	if _, ok := h.retries[q]; !ok && len(h.retries) < maxRetries {
		h.retries[q] = 0
	}
}

// requeueRetries hands every held heal back to the queue (the worker
// holds it again if it still meets an offline drive), dropping those
// tried too often while every drive answered; h.mu is held.
func (h *Healer) requeueRetries() {
	for q, n := range h.retries {
		if n > retryAttempts {
			delete(h.retries, q)
			continue
		}
		h.cfg.Queue.Push(q.Bucket, q.Key, q.Deep)
		h.retries[q] = n + 1
	}
}

// anyOffline says whether some drive does not answer.
func anyOffline(drives []storage.DriveInfo) bool {
	for _, d := range drives {
		if d.State == "offline" || d.State == "corrupt" {
			return true
		}
	}
	return false
}

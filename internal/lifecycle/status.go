package lifecycle

import "time"

// Counts are what a pass (or every pass since start) did.
type Counts struct {
	// Scanned counts versions and uploads looked at.
	Scanned uint64 `json:"scanned"`
	// Expired counts current versions expired (deleted, or hidden
	// behind a new delete marker in a versioned bucket).
	Expired uint64 `json:"expired"`
	// DeleteMarkers counts expired object delete markers removed.
	DeleteMarkers uint64 `json:"deleteMarkers"`
	// Noncurrent counts noncurrent versions deleted.
	Noncurrent uint64 `json:"noncurrent"`
	// Aborted counts incomplete multipart uploads aborted.
	Aborted uint64 `json:"aborted"`
	// Held counts due actions a version's object lock (retention or legal
	// hold) refused: the version stays, as S3 keeps it, and is looked at
	// again next pass.
	Held uint64 `json:"held"`
	// Errors counts actions or listings that failed; they are tried
	// again next pass.
	Errors uint64 `json:"errors"`
}

// add adds o to c.
func (c *Counts) add(o Counts) {
	c.Scanned += o.Scanned
	c.Expired += o.Expired
	c.DeleteMarkers += o.DeleteMarkers
	c.Noncurrent += o.Noncurrent
	c.Aborted += o.Aborted
	c.Held += o.Held
	c.Errors += o.Errors
}

// count records one action done.
func (c *Counts) count(a Action) {
	switch a {
	case ActionExpire:
		c.Expired++
	case ActionDeleteMarker:
		c.DeleteMarkers++
	case ActionDeleteNoncurrent:
		c.Noncurrent++
	case ActionAbortUpload:
		c.Aborted++
	}
}

// Status reports the worker of one node.
type Status struct {
	// Running says a pass is under way.
	Running bool `json:"running"`
	// Passes counts the passes completed since the server started.
	Passes uint64 `json:"passes"`
	// PassStarted and PassFinished bound the current or last pass.
	PassStarted  time.Time `json:"passStarted,omitzero"`
	PassFinished time.Time `json:"passFinished,omitzero"`
	// Sets lists the erasure sets this node processes (its share).
	Sets []int `json:"sets"`
	// Current is what the running (or last) pass did so far.
	Current Counts `json:"current"`
	// Total is what every pass since the server started did.
	Total Counts `json:"total"`
	// LastError is the most recent failure, if any.
	LastError string `json:"lastError,omitempty"`
	// DayLength is the length of a lifecycle day (24h except in tests).
	DayLength string `json:"dayLength"`
	// Interval is the pause between passes.
	Interval string `json:"interval"`
}

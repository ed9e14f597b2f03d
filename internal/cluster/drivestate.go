package cluster

import (
	"sync"
	"sync/atomic"
	"time"
)

// Every node's engine keeps records of drive states on the drives
// themselves (a stale drive is recorded on every drive of its set), and
// reads them at start. While they run, nodes learn of each other's
// changes through their pings: a node counts the changes it makes
// (DriveStateChanged) and answers the count in PingInfo.DriveState; its
// peers, which ping it every heartbeat, call their OnPeerDriveState
// handler when the count (or the node's start time) moves, and the
// handler reads the records again. No state travels in the ping itself,
// so the drives stay the one source of truth and a missed or repeated
// notification costs one needless read at most.

// driveStates holds this node's change count and the last count seen
// of every peer.
type driveStates struct {
	local   atomic.Uint64
	handler atomic.Pointer[func()]

	mu   sync.Mutex
	seen map[string]driveStateMark // by peer host
}

// driveStateMark is what a peer last answered.
type driveStateMark struct {
	started time.Time
	count   uint64
}

// observe records a peer's ping answer and calls the handler if its
// count or start time moved (or the peer is seen for the first time).
func (s *driveStates) observe(host string, info PingInfo) {
	mark := driveStateMark{started: info.Started, count: info.DriveState}
	s.mu.Lock()
	if s.seen == nil {
		s.seen = map[string]driveStateMark{}
	}
	last, ok := s.seen[host]
	s.seen[host] = mark
	s.mu.Unlock()
	if ok && last.count == mark.count && last.started.Equal(mark.started) {
		return
	}
	if fn := s.handler.Load(); fn != nil {
		(*fn)()
	}
}

// DriveStateChanged records that this node changed drive-state records
// on the drives (its engine wrote or removed stale-drive records): its
// peers see the count move in their next ping (within a heartbeat) and
// read the records again. It never blocks.
func (c *Cluster) DriveStateChanged() { c.states.local.Add(1) }

// OnPeerDriveState sets the function called when a peer reports that it
// changed drive-state records (or restarted, or answered for the first
// time): it runs on the peer's monitor, so it must not block. A later
// call replaces it; nil removes it.
func (c *Cluster) OnPeerDriveState(fn func()) {
	if fn == nil {
		c.states.handler.Store(nil)
		return
	}
	c.states.handler.Store(&fn)
}

// LocalDrive reports whether the drive named endpoint (its URL) is one of
// this node's own drives.
func (c *Cluster) LocalDrive(endpoint string) bool {
	for _, e := range c.topo.Drives {
		if e.URL == endpoint {
			return e.Node == c.topo.Local
		}
	}
	return false
}

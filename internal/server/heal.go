package server

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal"
	"github.com/hoardstore/hoard/internal/storage"
)

// healing runs the engine's Healer once the engine is open (at Start, or
// when a cluster has formed) and serves the admin API's Healer interface
// over it (admin and heal sit on one level and do not import each other).
type healing struct {
	// queue carries the objects the engine finds damaged (or writes that
	// missed drives) to the Healer: the engine is given it when it opens,
	// the Healer when it starts.
	queue *heal.Queue

	mu     sync.Mutex
	h      *heal.Healer
	closed bool
}

var _ admin.Healer = (*healing)(nil)

// errHealNotReady answers heal requests before the engine is open.
var errHealNotReady = fmt.Errorf("server: healing starts once the drives are ready: %w", storage.ErrReadQuorum)

// attach creates and starts the Healer over layer, unless the server is
// shutting down.
func (s *Server) attachHealer(layer *erasure.Layer) {
	rate := s.cfg.ScannerRate
	if rate <= 0 {
		rate = -1 // off
	}
	cfg := heal.Config{Engine: layer, Queue: s.healing.queue, Logger: s.log, Rate: rate}
	if s.cluster != nil {
		cfg.ScanHere = s.cluster.c.Coordinator // one scanner per cluster
		// Every node learns of stale drives; each rebuilds its own.
		cfg.RebuildHere = s.cluster.c.LocalDrive
	}
	h, err := heal.New(cfg)
	if err != nil {
		s.log.Error("healing not started", "err", err)
		return
	}
	s.healing.mu.Lock()
	defer s.healing.mu.Unlock()
	if s.healing.closed || s.healing.h != nil {
		return
	}
	s.healing.h = h
	h.Start()
	if s.cluster != nil {
		// A peer that wrote or removed stale-drive records has them read
		// again here at once (not only at the next periodic check).
		s.cluster.c.OnPeerDriveState(h.DrivesChanged)
	}
	s.log.Info("healing started", "scanner_rate", s.cfg.ScannerRate)
}

// close stops the Healer, if any; later attaches are refused.
func (a *healing) close() {
	a.mu.Lock()
	h := a.h
	a.closed = true
	a.mu.Unlock()
	if h != nil {
		h.Close()
	}
}

func (a *healing) get() *heal.Healer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.h
}

// StartHeal starts an operator heal of bucket (all if "") under prefix.
func (a *healing) StartHeal(ctx context.Context, bucket, prefix string) error {
	h := a.get()
	if h == nil {
		return errHealNotReady
	}
	err := h.StartHeal(ctx, bucket, prefix)
	if errors.Is(err, heal.ErrRunning) {
		return fmt.Errorf("%w: follow it with the status", err)
	}
	return err
}

// HealStatus reports the current or last operator heal and the drives
// being rebuilt; Running covers both.
func (a *healing) HealStatus() admin.HealStatus {
	h := a.get()
	if h == nil {
		return admin.HealStatus{}
	}
	st := h.Status()
	out := admin.HealStatus{
		Running: st.Run.Running || len(st.Drives) > 0,
		Bucket:  st.Run.Bucket, Prefix: st.Run.Prefix,
		Started: st.Run.Started, Finished: st.Run.Finished,
		Scanned: st.Run.Scanned, Healed: st.Run.Healed, Failed: st.Run.Failed,
	}
	for _, d := range st.Drives {
		out.Drives = append(out.Drives, admin.DriveHeal{Endpoint: d.Endpoint, Percent: d.Percent()})
	}
	return out
}

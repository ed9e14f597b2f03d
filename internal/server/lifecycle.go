package server

import (
	"context"
	"sync"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/lifecycle"
	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/storage"
)

// lifecycleRun runs the lifecycle worker once the engine is open (at
// Start, or when a cluster has formed) and reports it to the admin API.
type lifecycleRun struct {
	mu     sync.Mutex
	w      *lifecycle.Worker
	closed bool
}

var _ admin.Lifecycle = (*lifecycleRun)(nil)

// lifecycleStore backs the worker's Store with the erasure engine; its
// deletes go through object lock's enforcement (objects), so expiration
// never removes a version object lock protects.
type lifecycleStore struct {
	*erasure.Layer
	objects storage.ObjectLayer
}

// DeleteObject deletes through object lock's enforcement.
func (s lifecycleStore) DeleteObject(ctx context.Context, bucket, key string, opts storage.DeleteOptions) (storage.ObjectInfo, error) {
	return s.objects.DeleteObject(ctx, bucket, key, opts)
}

// Sets is the number of erasure sets.
func (s lifecycleStore) Sets() int { return s.SetCount() }

var _ lifecycle.Store = lifecycleStore{}

// attachLifecycle creates and starts the lifecycle worker over layer,
// unless it is disabled or the server is shutting down. In a cluster each
// node processes the erasure sets it owns (cluster.OwnsSet), so every
// set is worked on by one node.
func (s *Server) attachLifecycle(layer *erasure.Layer) {
	if s.cfg.LifecycleRate <= 0 {
		s.log.Info("lifecycle worker disabled")
		return
	}
	cfg := lifecycle.WorkerConfig{
		Store:     lifecycleStore{Layer: layer, objects: objectlock.Enforce(layer, nil)},
		Calendar:  lifecycle.Calendar{DayLength: s.cfg.LifecycleDay},
		Interval:  s.cfg.LifecycleInterval,
		Rate:      s.cfg.LifecycleRate,
		Protected: objectlock.IsLocked,
		Logger:    s.log,
	}
	if s.cluster != nil {
		cfg.Owns = s.cluster.c.OwnsSet
	}
	w := lifecycle.NewWorker(cfg)
	s.ilm.mu.Lock()
	defer s.ilm.mu.Unlock()
	if s.ilm.closed || s.ilm.w != nil {
		return
	}
	s.ilm.w = w
	w.Start()
	s.log.Info("lifecycle worker started", "rate", s.cfg.LifecycleRate, "interval", s.cfg.LifecycleInterval)
}

// close stops the worker, if any; later attaches are refused.
func (a *lifecycleRun) close() {
	a.mu.Lock()
	w := a.w
	a.closed = true
	a.mu.Unlock()
	if w != nil {
		w.Close()
	}
}

// LifecycleStatus reports this node's worker, and false before it runs.
func (a *lifecycleRun) LifecycleStatus() (lifecycle.Status, bool) {
	a.mu.Lock()
	w := a.w
	a.mu.Unlock()
	if w == nil {
		return lifecycle.Status{}, false
	}
	return w.Status(), true
}

// collectInfo is the admin API's Info with this node's lifecycle worker,
// for the console's dashboard.
func (s *Server) collectInfo(ctx context.Context) (admin.Info, error) {
	info, err := admin.CollectInfo(ctx, s.layer)
	if err != nil {
		return info, err
	}
	if st, ok := s.ilm.LifecycleStatus(); ok {
		info.Lifecycle = &st
	}
	return info, nil
}

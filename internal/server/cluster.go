package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/cluster"
	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/erasure"
)

// The cluster's quorum locks serve the engine.
var _ erasure.Locker = (*cluster.Locker)(nil)

// Options carry the settings of TLS and cluster mode.
type Options struct {
	// CertsDir holds public.crt and private.key (and optionally CAs/ for
	// peers); when set the server speaks HTTPS and reloads changed files.
	CertsDir string
	// ClusterSecret keys node-to-node calls; empty derives the key from
	// the root credentials (which every node then shares).
	ClusterSecret string
	// DriveOptions tune the local drives (their Logger and Cache are the
	// server's when unset). Tests use a small memtable so that metadata
	// stores flush and compact tables after a few writes.
	DriveOptions drive.Options
}

// driveOptions are the options of the local drives: opts.DriveOptions
// with the server's logger, and cache when one is given.
func (s *Server) driveOptions(opts Options, cache *drive.Cache) drive.Options {
	o := opts.DriveOptions
	if o.Logger == nil {
		o.Logger = s.log
	}
	if o.Cache == nil && o.CacheSize == 0 {
		o.Cache = cache
	}
	return o
}

// clusterNode is the cluster-mode state of a server.
type clusterNode struct {
	c        *cluster.Cluster
	local    []drive.Drive
	cache    *drive.Cache // shared by the local drives; released at stop
	deferred *deferredLayer
	setSize  int
	parity   int

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// openCluster parses the endpoint list in s.cfg.Drives, opens this
// node's drives and builds the cluster view. The object layer is a
// deferredLayer until the cluster forms (see bootCluster).
func (s *Server) openCluster(opts Options) error {
	topo, err := cluster.ParseTopology(s.cfg.Drives, s.cfg.Address, cluster.Resolver{})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if topo.Scheme == "https" && s.certs == nil {
		return fmt.Errorf("server: https endpoints need --certs-dir")
	}
	if s.cfg.RootUser == "" {
		return fmt.Errorf("server: cluster mode needs the root credentials (HOARD_ROOT_USER, HOARD_ROOT_PASSWORD) set, the same on every node")
	}
	secret := opts.ClusterSecret
	if secret == "" {
		secret = s.cfg.RootUser + "\x00" + s.cfg.RootPassword
	}
	// The local drives share one metadata cache; each holds a reference
	// until it closes, and the node holds one until it stops: a drive
	// repaired or opened again in place (CheckDrives) closes the old
	// store before it opens the new one with the same cache, which must
	// not be freed in between.
	cache := drive.NewCache(erasure.DefaultCachePerDrive * int64(len(topo.LocalNode().Drives)))
	cn := &clusterNode{deferred: &deferredLayer{}, cache: cache}
	locals := map[string]drive.Drive{}
	for _, p := range topo.LocalNode().Drives {
		d, err := erasure.OpenRepairable(p, s.driveOptions(opts, cache))
		if err != nil {
			cn.closeLocal()
			return fmt.Errorf("server: opening drive %s: %w", p, err)
		}
		// The deadline is kept where the drive is: the node's engine and
		// its peers (served by the cluster) call it through one watchdog,
		// so once a call hangs here every later call, a peer's too, fails
		// at once instead of each waiting out its own deadline (a peer's
		// watchdog sees its own call return when it gives up on it, and
		// would let the drive rejoin while it still hangs here).
		if timeout := s.cfg.EngineDriveTimeout(); timeout > 0 {
			d = drive.NewWatchdog(d, drive.WatchdogOptions{Timeout: timeout, Logger: s.log})
		}
		locals[p] = d
		cn.local = append(cn.local, d)
	}
	ccfg := cluster.Config{Topology: topo, LocalDrives: locals, Secret: secret, Logger: s.log}
	if s.certs != nil {
		ccfg.ClientTLS = s.certs.ClientConfig()
	}
	cn.c, err = cluster.New(ccfg)
	if err != nil {
		cn.closeLocal()
		return fmt.Errorf("server: %w", err)
	}
	cn.setSize = defaultSetSize(len(topo.Drives))
	cn.parity = s.cfg.Parity
	if cn.parity == 0 {
		cn.parity = erasure.DefaultParity(cn.setSize)
	}
	if share := topo.MaxNodeShare(cn.setSize); share > cn.parity {
		s.log.Warn("one node holds more drives of an erasure set than its parity: losing that node stops the set",
			"drives_per_node", share, "parity", cn.parity, "set_size", cn.setSize)
	}
	s.log.Info("cluster mode", "nodes", len(topo.Nodes), "drives", len(topo.Drives), "this_node", topo.LocalNode().Host,
		"write_quorum_nodes", topo.WriteQuorum(), "topology", topo.ID)
	s.cluster = cn
	s.layer = cn.deferred
	return nil
}

// defaultSetSize mirrors the engine's choice: the largest divisor of n
// not above erasure.MaxSetSize.
func defaultSetSize(n int) int {
	for size := min(n, erasure.MaxSetSize); size >= 2; size-- {
		if n%size == 0 {
			return size
		}
	}
	return 1
}

// closeLocal closes the local drives and releases their cache (the
// layer was never opened over them).
func (cn *clusterNode) closeLocal() {
	for _, d := range cn.local {
		d.Close()
	}
	cn.cache.Release()
}

// bootCluster waits for quorum and opens the storage layer over every
// node's drives, retrying until it succeeds or the server stops.
func (s *Server) bootCluster() {
	cn := s.cluster
	ctx, cancel := context.WithCancel(context.Background())
	cn.cancel = cancel
	cn.done.Add(1)
	go func() {
		defer cn.done.Done()
		var lastErr string
		for {
			if err := cn.c.AwaitStart(ctx); err != nil {
				return
			}
			// Drives of nodes that were down at start are probed every
			// second (a call to a node still down fails at once).
			layer, err := erasure.New(ctx, erasure.Config{Parity: s.cfg.Parity, Logger: s.log, Locker: cn.c.Locker(), MonitorInterval: time.Second, DriveTimeout: s.cfg.EngineDriveTimeout(), HealQueue: s.healing.queue, StaleChanged: cn.c.DriveStateChanged}, cn.c.Drives())
			if err == nil {
				cn.deferred.set(layer)
				s.attachHealer(layer)
				s.attachLifecycle(layer)
				cn.c.SetReady(true)
				s.log.Info("cluster storage ready", "online_nodes", cn.c.OnlineNodes(), "nodes", len(cn.c.Topology().Nodes))
				return
			}
			if msg := err.Error(); msg != lastErr {
				s.log.Warn("opening the cluster's drives failed; retrying", "err", err)
				lastErr = msg
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
}

// stopCluster ends start-up, closes the layer (and with it the drives)
// and the cluster's clients.
func (s *Server) stopCluster() error {
	cn := s.cluster
	if cn.cancel != nil {
		cn.cancel()
	}
	cn.done.Wait()
	var err error
	if cn.deferred.ready() {
		err = cn.deferred.Close()
		cn.cache.Release()
	} else {
		cn.closeLocal()
	}
	cn.c.Close()
	return err
}

// clusterReady answers 200 when this node serves reads and writes: its
// storage layer is open and it sees write quorum.
func (s *Server) clusterReady(w http.ResponseWriter, r *http.Request) {
	cn := s.cluster
	health(w, cn.deferred.ready() && cn.c.HasWriteQuorum(cn.setSize, cn.parity))
}

// clusterHealth answers 200 when, as far as this node sees, the cluster
// has write quorum (whether or not this node finished starting).
func (s *Server) clusterHealth(w http.ResponseWriter, r *http.Request) {
	if s.cluster == nil {
		s.ready(w, r)
		return
	}
	cn := s.cluster
	health(w, cn.c.HasWriteQuorum(cn.setSize, cn.parity))
}

func health(w http.ResponseWriter, ok bool) {
	w.Header().Set("Cache-Control", "no-store")
	if ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}

// loadCerts reads the TLS certificates of opts, if any.
func (s *Server) loadCerts(opts Options) error {
	if opts.CertsDir == "" {
		return nil
	}
	certs, err := cluster.LoadCerts(opts.CertsDir, s.log)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.certs = certs
	return nil
}

// serve runs the main listener, over TLS when certificates are loaded.
func (s *Server) serve() error {
	var err error
	if s.certs != nil {
		err = s.http.ServeTLS(s.ln, "", "")
	} else {
		err = s.http.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

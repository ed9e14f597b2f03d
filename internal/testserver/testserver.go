package testserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/server"
)

// Default credentials and region of a test server.
const (
	DefaultAccessKey = "hoard-test-access"
	DefaultSecretKey = "hoard-test-secret-key-0123456789"
	DefaultRegion    = "us-east-1"
)

// readyTimeout bounds how long a server may take to become ready.
const readyTimeout = 30 * time.Second

// Options configure a test server. The zero value starts one drive in
// us-east-1 with the default credentials.
type Options struct {
	// Drives is the number of drive folders (1 is the single-drive backend,
	// 2 or more the erasure-coded engine); 0 means 1.
	Drives int
	// Region is the S3 region; empty means DefaultRegion.
	Region string
	// Domains enable virtual-host-style requests (bucket.DOMAIN).
	Domains []string
	// AccessKey and SecretKey are the root credentials; empty means the defaults.
	AccessKey, SecretKey string
	// Configure, when set, adjusts the configuration last, before the
	// server is created.
	Configure func(*config.Server)
	// Server are the options passed to server.NewWithOptions; their
	// DriveOptions tune the local drives (a small MemTableSize makes
	// metadata stores flush and compact tables after a few writes).
	Server server.Options
}

func (o Options) withDefaults() Options {
	if o.Drives <= 0 {
		o.Drives = 1
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.AccessKey == "" {
		o.AccessKey = DefaultAccessKey
	}
	if o.SecretKey == "" {
		o.SecretKey = DefaultSecretKey
	}
	return o
}

// Server is a running in-process Hoard server. Its Endpoint builds clients
// for it; it is stopped, and its drives removed, when the test ends.
type Server struct {
	Endpoint
	// DriveDirs are the drive folders, in order.
	DriveDirs []string

	// cfg, opts, log and logs start the server again (Restart).
	cfg        config.Server
	opts       server.Options
	log        *slog.Logger
	logs       *tbWriter
	registered bool // the shutdown is registered with tb.Cleanup

	mu  sync.Mutex
	srv *server.Server // nil while stopped
}

// Start starts an in-process server on 127.0.0.1:0 with opts.Drives fresh
// temporary drive folders, waits until /hoard/health/ready answers 200 and
// registers its shutdown with tb.Cleanup. It fails the test on any error.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	opts = opts.withDefaults()
	root := tb.TempDir()
	drives := make([]string, opts.Drives)
	for i := range drives {
		drives[i] = filepath.Join(root, fmt.Sprintf("drive%d", i+1))
		if err := os.MkdirAll(drives[i], 0o755); err != nil {
			tb.Fatalf("testserver: %v", err)
		}
	}
	cfg := config.Defaults()
	cfg.Address = "127.0.0.1:0"
	cfg.ConsoleAddress = ""
	cfg.Drives = drives
	cfg.RootUser, cfg.RootPassword = opts.AccessKey, opts.SecretKey
	cfg.Region = opts.Region
	cfg.Domains = opts.Domains
	cfg.ShutdownTimeout = 5 * time.Second
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		tb.Fatalf("testserver: invalid configuration: %v", err)
	}

	s := &Server{
		Endpoint: Endpoint{
			Region:    opts.Region,
			AccessKey: opts.AccessKey,
			SecretKey: opts.SecretKey,
		},
		DriveDirs: drives,
		cfg:       cfg,
		opts:      opts.Server,
		logs:      newTBWriter(tb),
	}
	s.log = newLogger(s.logs)
	s.launch(tb)
	s.URL = "http://" + s.srv.Addr()
	// Later starts (Restart) listen on the address the first one got.
	s.cfg.Address = s.srv.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := s.WaitReady(ctx, nil); err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	return s
}

// launch creates and starts the server of s.cfg with log and, the first
// time, registers its shutdown with tb.Cleanup. It fails the test on any
// error.
func (s *Server) launch(tb testing.TB) {
	tb.Helper()
	srv, err := server.NewWithOptions(s.cfg, s.log, s.opts)
	if err != nil {
		tb.Fatalf("testserver: new server %s: %v", s.cfg.Address, err)
	}
	if err := srv.Start(); err != nil {
		tb.Fatalf("testserver: start %s: %v", s.cfg.Address, err)
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	if !s.registered {
		s.registered = true
		tb.Cleanup(func() {
			s.stop(tb)
			s.logs.close()
		})
	}
}

// stop shuts the server down, if it runs.
func (s *Server) stop(tb testing.TB) {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		tb.Errorf("testserver: shutdown of %s: %v", s.cfg.Address, err)
	}
}

// Stop shuts the server down, as an operator stopping the process would;
// its drives stay. Restart starts it again.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.stop(tb)
}

// Running reports whether the server runs (it was not stopped).
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv != nil
}

// Restart stops the server if it runs and starts it again on the same
// address and drives, with the same configuration, as a restarted
// process would. It returns once the server listens; WaitReady waits
// until it serves (a cluster node, once its cluster has formed).
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.stop(tb)
	s.launch(tb)
}

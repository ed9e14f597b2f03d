package testserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

	srv *server.Server
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

	logs := newTBWriter(tb)
	srv, err := server.New(cfg, newLogger(logs))
	if err != nil {
		tb.Fatalf("testserver: new server: %v", err)
	}
	if err := srv.Start(); err != nil {
		tb.Fatalf("testserver: start: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Errorf("testserver: shutdown: %v", err)
		}
		logs.close()
	})

	s := &Server{
		Endpoint: Endpoint{
			URL:       "http://" + srv.Addr(),
			Region:    opts.Region,
			AccessKey: opts.AccessKey,
			SecretKey: opts.SecretKey,
		},
		DriveDirs: drives,
		srv:       srv,
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := s.WaitReady(ctx, nil); err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	return s
}

package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/cluster"
	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/console"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal"
	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/lifecycle"
	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/oidc"
	"github.com/hoardstore/hoard/internal/s3api"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
	"github.com/hoardstore/hoard/internal/sts"
)

// Server is one running Hoard node.
type Server struct {
	cfg  config.Server
	log  *slog.Logger
	cred sigv4.Credentials
	// sso signs people in to the console through the OpenID Connect
	// provider (nil when not configured).
	sso   *consoleSSO
	layer storage.ObjectLayer
	// objects is layer under object lock's enforcement: what every
	// consumer of objects (S3, admin, background workers) is given, so
	// none can remove a locked version.
	objects storage.ObjectLayer
	s3      *s3api.Handler
	admin   *admin.Handler
	// trusted are the reverse proxies whose forwarding headers name the
	// client (of S3 and console requests alike).
	trusted clientip.Trusted
	// iam holds users, groups, policies and service accounts; sts issues
	// temporary credentials.
	iam *iam.Manager
	sts *sts.Handler

	http *http.Server
	ln   net.Listener

	// console serves the web console on cfg.ConsoleAddress; nil when disabled.
	console   *http.Server
	consoleLn net.Listener

	// healing runs the engine's Healer and serves the admin heal API.
	healing healing
	// ilm runs the lifecycle worker and reports it to the admin API.
	ilm lifecycleRun

	// certs is the TLS certificate set (nil: plain HTTP); cluster is the
	// cluster-mode state (nil: local drives only).
	certs   *cluster.Certs
	cluster *clusterNode

	stop chan struct{}
	wg   sync.WaitGroup
}

// New opens the drives and prepares a server; Start makes it listen.
func New(cfg config.Server, log *slog.Logger) (*Server, error) {
	return NewWithOptions(cfg, log, Options{})
}

// NewWithOptions is New with TLS and cluster settings. Drive arguments
// that are endpoint URLs (http://host:port/path) select cluster mode.
func NewWithOptions(cfg config.Server, log *slog.Logger, opts Options) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.ConsoleAddress = cfg.ConsoleListen()
	trusted, err := clientip.ParseTrusted(cfg.TrustedProxies)
	if err != nil {
		return nil, err // Validate has checked them
	}
	s := &Server{cfg: cfg, log: log, trusted: trusted, stop: make(chan struct{})}
	s.healing.queue = heal.NewQueue(heal.DefaultQueueSize)
	if !trusted.Empty() {
		log.Info("client addresses are taken from the forwarding headers of trusted proxies", "trusted_proxies", trusted.String())
	}
	if err := s.loadCerts(opts); err != nil {
		return nil, err
	}
	if cluster.IsCluster(cfg.Drives) {
		if err := s.openCluster(opts); err != nil {
			return nil, err
		}
	} else {
		layer, err := erasure.Open(context.Background(), erasure.Config{
			Drives: cfg.Drives,
			Parity: cfg.Parity,
			Logger: log,
			// Every drive is a folder of this process: no other engine can
			// take writes on the other half of a set.
			DegradedWrites: true,
			DriveTimeout:   cfg.EngineDriveTimeout(),
			DriveOptions:   s.driveOptions(opts, nil),
			HealQueue:      s.healing.queue,
		})
		if err != nil {
			return nil, fmt.Errorf("server: opening drives: %w", err)
		}
		s.layer = layer
	}
	s.objects = objectlock.Enforce(s.layer, nil)
	layer := s.objects
	if err := s.loadCredentials(); err != nil {
		s.closeLayer()
		return nil, err
	}
	if err := s.openIAM(); err != nil {
		s.closeLayer()
		return nil, err
	}
	s.s3 = s3api.New(s3api.Config{
		Layer:         layer,
		Region:        cfg.Region,
		Domains:       cfg.Domains,
		Credentials:   s.lookup,
		RootAccessKey: s.cred.AccessKey,
		Identities:    s.identity,
		Users:         s.userNames,
		Sessions:      s.iam.OpenSession,
		// The display name is not the root access key, which every
		// user listing buckets would otherwise learn; the canonical ID
		// stays the one derived from it, as before.
		OwnerName:   "hoard",
		OwnerIDSeed: s.cred.AccessKey,
		Logger:      log,
		Lifecycle:   lifecycle.Calendar{DayLength: cfg.LifecycleDay},
	})
	stsCfg := sts.Config{Region: cfg.Region, Lookup: s.lookup, IAM: s.iam, RootAccessKey: s.cred.AccessKey, Logger: log}
	if cfg.OpenID.Enabled() {
		v, err := oidc.New(cfg.OpenID.Config())
		if err != nil {
			return nil, fmt.Errorf("server: OpenID Connect: %w", err)
		}
		stsCfg.WebIdentity = v
		if web, ok := cfg.OpenID.Web(); ok {
			name := cfg.OpenID.DisplayName
			if name == "" {
				name = "SSO"
			}
			s.sso = &consoleSSO{name: name, v: v, web: web, iam: s.iam}
		}
		log.Info("OpenID Connect sign-on enabled", "provider", cfg.OpenID.Config().Issuer(), "clients", cfg.OpenID.ClientIDs)
	}
	s.sts = sts.New(stsCfg)
	s.admin = admin.New(admin.Config{
		Layer:         layer,
		Verifier:      &sigv4.Verifier{Region: cfg.Region, Lookup: s.lookup},
		RootAccessKey: s.cred.AccessKey,
		IAM:           s.iam,
		Region:        cfg.Region,
		Healer:        &s.healing,
		Lifecycle:     &s.ilm,
		Logger:        log,
	})
	if err := s.newConsole(); err != nil {
		s.closeLayer()
		return nil, err
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if s.certs != nil {
		s.http.TLSConfig = s.certs.ServerConfig()
	}
	return s, nil
}

// closeLayer closes the object layer (in cluster mode, also the cluster).
func (s *Server) closeLayer() error {
	if s.cluster != nil {
		return s.stopCluster()
	}
	return s.layer.Close()
}

// newConsole prepares the web console's HTTP server, unless disabled.
func (s *Server) newConsole() error {
	if s.cfg.ConsoleAddress == "" {
		return nil
	}
	h, err := console.New(console.Config{
		S3:        s.s3,
		Info:      s.collectInfo,
		AdminAPI:  s.admin,
		Region:    s.cfg.Region,
		S3Address: s.Addr,
		Secure:    s.certs != nil,
		Logger:    s.log,
		SSO:       s.consoleSSO(),
	})
	if err != nil {
		return fmt.Errorf("server: console: %w", err)
	}
	s.console = &http.Server{
		Handler:           bodyDeadline(clientip.Handler(s.trusted, h), s.cfg.BodyTimeout, s.cfg.BodyMinRate),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.certs != nil {
		s.console.TLSConfig = s.certs.ServerConfig()
	}
	return nil
}

// loadCredentials takes the configured root credentials or, when none are
// configured, the ones stored in the first drive (generating them on the
// first start and printing them once).
func (s *Server) loadCredentials() error {
	if s.cfg.RootUser != "" {
		s.cred = sigv4.Credentials{AccessKey: s.cfg.RootUser, SecretKey: s.cfg.RootPassword}
		return nil
	}
	cred, created, err := loadOrCreateCredentials(s.cfg.Drives[0])
	if err != nil {
		return err
	}
	s.cred = cred
	if created {
		s.log.Warn("generated root credentials; they are shown only this once and stored (mode 0600) in the first drive",
			"access_key", cred.AccessKey, "secret_key", cred.SecretKey, "file", s.cfg.Drives[0]+"/"+credentialsFile)
	} else {
		s.log.Info("using the root credentials stored in the first drive", "access_key", cred.AccessKey)
	}
	return nil
}

// lookup resolves an access key to its credentials: the root user's
// first (compared in constant time with respect to the key's content),
// then IAM's users and service accounts that may sign now.
func (s *Server) lookup(accessKey string) (sigv4.Credentials, bool) {
	if subtle.ConstantTimeCompare([]byte(accessKey), []byte(s.cred.AccessKey)) == 1 {
		return s.cred, true
	}
	return s.iamCredentials(accessKey)
}

// Credentials returns the root credentials the server accepts.
func (s *Server) Credentials() sigv4.Credentials { return s.cred }

// Layer returns the engine's object layer itself, for in-process tools
// and tests that reach below S3 (object lock binds only through Objects).
func (s *Server) Layer() storage.ObjectLayer { return s.layer }

// Objects returns the object layer under object lock's enforcement: what
// a consumer of objects inside the process (a background worker) must use.
func (s *Server) Objects() storage.ObjectLayer { return s.objects }

// routes mounts Hoard's own endpoints beside the S3 API.
func (s *Server) routes() http.Handler {
	internal := http.NewServeMux()
	internal.HandleFunc("/hoard/health/live", s.live)
	internal.HandleFunc("/hoard/health/ready", s.ready)
	internal.HandleFunc("/hoard/health/cluster", s.clusterHealth)
	internal.Handle(admin.Prefix, s.admin)
	var rpc http.Handler
	if s.cluster != nil {
		rpc = s.cluster.c.Handler()
		internal.Handle(cluster.Prefix, rpc)
	}
	// Client requests get body deadlines (and "100 Continue" when they
	// ask for it without a body, see expect.go); node-to-node calls do not (a
	// shard stream runs at a fraction of its client's rate, and the
	// cluster cuts streams that stall on its own).
	// Behind trusted proxies the client is the one they forward.
	clients := continueEmpty(bodyDeadline(clientip.Handler(s.trusted, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.refuseStaleIAM(w, r) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/"+s3api.ReservedBucket+"/") && s3api.BucketFromHost(r.Host, s.cfg.Domains) == "" {
			internal.ServeHTTP(w, r)
			return
		}
		if sts.IsSTS(r) && s3api.BucketFromHost(r.Host, s.cfg.Domains) == "" {
			s.sts.ServeHTTP(w, r)
			return
		}
		s.s3.ServeHTTP(w, r)
	})), s.cfg.BodyTimeout, s.cfg.BodyMinRate))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rpc != nil && cluster.IsRPC(r) {
			rpc.ServeHTTP(w, r)
			return
		}
		clients.ServeHTTP(w, r)
	})
}

// live answers 200 while the process serves HTTP.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// ready answers 200 when the drives can serve reads and writes.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.cluster != nil {
		s.clusterReady(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.layer.StorageInfo(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Start binds the listener and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Address)
	if err != nil {
		return fmt.Errorf("server: listening on %s: %w", s.cfg.Address, err)
	}
	s.ln = limitListen(ln, s.cfg.MaxConns, s.cfg.MaxConnsPerIP, s.log)
	if s.console != nil {
		cln, err := net.Listen("tcp", s.cfg.ConsoleAddress)
		if err != nil {
			ln.Close()
			return fmt.Errorf("server: console listening on %s: %w", s.cfg.ConsoleAddress, err)
		}
		cln = limitListen(cln, s.cfg.MaxConns, s.cfg.MaxConnsPerIP, s.log)
		s.consoleLn = cln
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			serve := s.console.Serve
			if s.certs != nil {
				serve = func(l net.Listener) error { return s.console.ServeTLS(l, "", "") }
			}
			if err := serve(cln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("console server stopped", "err", err)
			}
		}()
		s.log.Info("serving the web console", "address", cln.Addr().String())
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.serve(); err != nil {
			s.log.Error("http server stopped", "err", err)
		}
	}()
	if s.certs != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.certs.Watch(s.stop, 5*time.Second)
		}()
	}
	if s.cluster != nil {
		s.bootCluster()
	}
	s.wg.Add(1)
	go s.cleanupLoop()
	s.wg.Add(1)
	go s.iamLoop()
	if l, ok := s.layer.(*erasure.Layer); ok {
		s.attachHealer(l)
		s.attachLifecycle(l)
	}
	s.log.Info("serving S3", "address", ln.Addr().String(), "drives", len(s.cfg.Drives), "region", s.cfg.Region)
	return nil
}

// Addr returns the address the S3 listener is bound to.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// ConsoleAddr returns the address the web console listens on, or "" when
// it is disabled.
func (s *Server) ConsoleAddr() string {
	if s.consoleLn == nil {
		return ""
	}
	return s.consoleLn.Addr().String()
}

// cleanupLoop periodically aborts stale multipart uploads (unless
// StaleUploadAge is 0) and forgets old completed ones.
func (s *Server) cleanupLoop() {
	defer s.wg.Done()
	interval := time.Hour
	if s.cfg.StaleUploadAge > 0 {
		interval = min(s.cfg.StaleUploadAge/4, time.Hour)
	}
	t := time.NewTicker(max(interval, time.Second))
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			var cutoff time.Time // zero: no upload is stale
			if s.cfg.StaleUploadAge > 0 {
				cutoff = time.Now().Add(-s.cfg.StaleUploadAge)
			}
			ctx, cancel := context.WithTimeout(context.Background(), interval)
			n, err := s.layer.CleanupStaleUploads(ctx, cutoff)
			cancel()
			if err != nil {
				s.log.Warn("cleaning stale multipart uploads", "err", err)
			} else if n > 0 {
				s.log.Info("aborted stale multipart uploads", "count", n)
			}
		}
	}
}

// Shutdown stops accepting requests, lets in-flight ones finish until ctx
// ends, stops background work and closes the drives.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if err != nil {
		s.log.Warn("in-flight requests did not finish in time; closing them", "err", err)
		s.http.Close()
	}
	if s.console != nil && s.consoleLn != nil {
		if cerr := s.console.Shutdown(ctx); cerr != nil {
			s.console.Close()
			err = errors.Join(err, cerr)
		}
	}
	close(s.stop)
	s.wg.Wait()
	s.healing.close()
	s.ilm.close()
	if cerr := s.closeLayer(); cerr != nil {
		return errors.Join(err, cerr)
	}
	return err
}

// consoleSSO is the console's sign-in through the identity provider, nil
// (no such button) when none is configured for it.
func (s *Server) consoleSSO() console.SSO {
	if s.sso == nil {
		return nil
	}
	return s.sso
}

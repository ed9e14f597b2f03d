package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/hoardstore/hoard/internal/admin"
)

// Defaults of a Config's zero fields.
const (
	// DefaultSessionTTL is the longest a session lives, however active.
	DefaultSessionTTL = 12 * time.Hour
	// DefaultIdleTimeout ends a session nobody used for this long.
	DefaultIdleTimeout = time.Hour
	// DefaultMaxSessions bounds the sessions held in memory.
	DefaultMaxSessions = 10000
)

// Config wires the console to the S3 handler and the cluster's state.
type Config struct {
	// S3 is the S3 API handler; every console action is a signed request
	// dispatched into it in-process.
	S3 http.Handler
	// Info reports drives, capacity and per-bucket usage for the dashboard
	// and the bucket list's object counts and sizes.
	Info func(ctx context.Context) (admin.Info, error)
	// AdminAPI is the admin API handler; the IAM pages' calls and the
	// caller's access checks are signed requests dispatched into it
	// in-process, authorized there. nil leaves the console without IAM
	// pages and the dashboard (nothing is reported allowed).
	AdminAPI http.Handler
	// Region is the region requests are signed for.
	Region string
	// S3Address returns the S3 listener's address (host:port) that share
	// links point at; an unspecified host (":9000", "0.0.0.0:9000") is
	// replaced by the host name the browser used to reach the console. It
	// is called per link, so it may be set before the listener is bound.
	S3Address func() string
	// S3URL, when set, is the base URL share links use instead of one
	// derived from S3Address (for a proxy or a public name).
	S3URL string
	// Secure marks the console as served over TLS: cookies get the Secure
	// flag and the __Host- prefix, and links use https. A request a
	// trusted proxy forwards from HTTPS (clientip) is treated the same
	// way even when this listener is plain HTTP.
	Secure bool
	// SessionTTL, IdleTimeout and MaxSessions bound sessions; zero values
	// take the defaults.
	SessionTTL  time.Duration
	IdleTimeout time.Duration
	MaxSessions int
	// Logger receives warnings and security events.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// SSO, when set, offers signing in through an identity provider.
	SSO SSO
}

// Handler serves the console's pages and its JSON API.
type Handler struct {
	cfg      Config
	sessions *sessionStore
	limiter  *loginLimiter
	usage    *usageCache
	mux      *http.ServeMux
	assets   *assetServer
	sso      ssoPending
}

// New returns the console handler for cfg. It fails when cfg.S3 is nil.
func New(cfg Config) (*Handler, error) {
	if cfg.S3 == nil {
		return nil, errors.New("console: no S3 handler configured")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	assets, err := newAssetServer()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg:      cfg,
		sessions: newSessionStore(cfg.SessionTTL, cfg.IdleTimeout, cfg.MaxSessions, cfg.Now),
		limiter:  newLoginLimiter(cfg.Now),
		usage:    newUsageCache(cfg.Info, cfg.Now),
		mux:      http.NewServeMux(),
		assets:   assets,
	}
	h.routes()
	return h, nil
}

// routes registers the pages and the API.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /{$}", h.assets.index)
	m.HandleFunc("GET /assets/", h.assets.serve)
	m.HandleFunc("GET /favicon.ico", h.assets.favicon)

	m.HandleFunc("GET /api/session", h.getSession)
	m.HandleFunc("POST /api/login", h.login)
	m.HandleFunc("GET /api/sso", h.ssoInfo)
	m.HandleFunc("GET /sso/start", h.ssoStart)
	m.HandleFunc("GET /sso/callback", h.ssoCallback)
	m.HandleFunc("POST /api/logout", h.authed(h.logout))

	m.HandleFunc("GET /api/buckets", h.authed(h.listBuckets))
	m.HandleFunc("GET /api/usage", h.authed(h.bucketUsage))
	m.HandleFunc("POST /api/buckets", h.authed(h.createBucket))
	m.HandleFunc("DELETE /api/buckets/{bucket}", h.authed(h.deleteBucket))

	m.HandleFunc("GET /api/buckets/{bucket}/objects", h.authed(h.listObjects))
	m.HandleFunc("GET /api/buckets/{bucket}/object", h.authed(h.objectDetails))
	m.HandleFunc("GET /api/buckets/{bucket}/content", h.authed(h.objectContent))
	m.HandleFunc("PUT /api/buckets/{bucket}/object", h.authed(h.putObject))
	m.HandleFunc("POST /api/buckets/{bucket}/delete", h.authed(h.deleteObjects))
	m.HandleFunc("POST /api/buckets/{bucket}/share", h.authed(h.shareObject))
	m.HandleFunc("PUT /api/buckets/{bucket}/tags", h.authed(h.putTags))
	m.HandleFunc("GET /api/buckets/{bucket}/versions", h.authed(h.objectVersions))
	m.HandleFunc("POST /api/buckets/{bucket}/restore", h.authed(h.restoreVersion))

	m.HandleFunc("POST /api/buckets/{bucket}/uploads", h.authed(h.createUpload))
	m.HandleFunc("PUT /api/buckets/{bucket}/uploads/part", h.authed(h.uploadPart))
	m.HandleFunc("POST /api/buckets/{bucket}/uploads/complete", h.authed(h.completeUpload))
	m.HandleFunc("DELETE /api/buckets/{bucket}/uploads", h.authed(h.abortUpload))

	m.HandleFunc("GET /api/buckets/{bucket}/config/{doc}", h.authed(h.getBucketDocument))
	m.HandleFunc("PUT /api/buckets/{bucket}/config/{doc}", h.authed(h.putBucketDocument))
	m.HandleFunc("POST /api/buckets/{bucket}/public", h.authed(h.makePublic))

	m.HandleFunc("GET /api/admin/{path...}", h.authed(h.adminProxy))
	m.HandleFunc("POST /api/admin/{path...}", h.authed(h.adminProxy))
	m.HandleFunc("PUT /api/admin/{path...}", h.authed(h.adminProxy))
	m.HandleFunc("DELETE /api/admin/{path...}", h.authed(h.adminProxy))

	m.HandleFunc("GET /api/dashboard", h.authed(h.dashboard))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", "There is no such console API endpoint.")
	})
}

// ServeHTTP applies the console's security headers and dispatches r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
	hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if h.secure(r) {
		hdr.Set("Strict-Transport-Security", "max-age=31536000")
	}
	h.mux.ServeHTTP(w, r)
}

package s3api

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hoardstore/hoard/internal/authguard"
	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/cors"
	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/lifecycle"
	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// Config wires a Handler to storage and credentials.
type Config struct {
	// Layer is the object layer every operation runs against.
	Layer storage.ObjectLayer
	// Region is the region requests must be signed for.
	Region string
	// Domains enable virtual-host-style requests (bucket.DOMAIN).
	Domains []string
	// Credentials looks up the secret of an access key: the root user's
	// and, with IAM, every user's and service account's.
	Credentials sigv4.Lookup
	// RootAccessKey is the root user's key, which may do everything.
	RootAccessKey string
	// Identities returns the IAM identity of any other key (nil: only the
	// root user exists and every signed request is the root user's).
	Identities func(accessKey string) (*iam.Identity, bool)
	// Users lists the IAM users' names (nil: there are none), whose
	// canonical IDs (acl.CanonicalID of the name) ACL grants may name.
	Users func() []string
	// Sessions opens an STS session token (nil: none is accepted).
	Sessions func(token string) (*iam.Identity, error)
	// OwnerName is the display name reported as the owner of everything.
	OwnerName string
	// OwnerIDSeed, when set, is what the owner's canonical ID is derived
	// from (SHA-256, hex) instead of OwnerName, so the display name can
	// change without the ID changing.
	OwnerIDSeed string
	// Logger receives one line per request.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Guard throttles failed signatures; nil means one with the default
	// budget.
	Guard *authguard.Guard
	// Lifecycle is the calendar of lifecycle rules (the length of a day),
	// for the x-amz-expiration and x-amz-abort-date headers.
	Lifecycle lifecycle.Calendar
}

// Handler serves the S3 API.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
	owner    owner
	hostID   string
	idBase   uint64
	idSeq    atomic.Uint64
	ops      map[Op]func(*request) error
	guard    *authguard.Guard
	// corsRules and policies keep parsed bucket configurations.
	corsRules *configCache[*cors.Config]
	policies  *configCache[*policy.Policy]
	// lifecycles keeps parsed lifecycle configurations, lifecycleDocs
	// their documents for a moment (see lifecycleDocTTL).
	lifecycles    *configCache[*lifecycle.Config]
	lifecycleDocs docTTLCache
	// lockConfigs keeps parsed object lock configurations.
	lockConfigs *configCache[objectlock.Config]
	// sessions holds the temporary credentials of session tokens seen.
	sessions sessionKeys
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	seedID := cfg.OwnerIDSeed
	if seedID == "" {
		seedID = cfg.OwnerName
	}
	sum := sha256.Sum256([]byte(seedID))
	h := &Handler{
		cfg: cfg,
		verifier: &sigv4.Verifier{
			Region:  cfg.Region,
			Service: "s3",
			Lookup:  nil, // set below: sessions first, then cfg.Credentials
			Now:     cfg.Now,
			MaxSkew: 15 * time.Minute,
		},
		owner:  owner{ID: hex.EncodeToString(sum[:]), DisplayName: cfg.OwnerName},
		hostID: hex.EncodeToString(seed[:]),
		idBase: binary.BigEndian.Uint64(seed[:]) &^ 0xFFFFFFFF,
	}
	h.verifier.Lookup = h.lookup
	h.ops = h.operations()
	h.guard = cfg.Guard
	if h.guard == nil {
		h.guard = authguard.New(authguard.Options{Now: cfg.Now})
	}
	h.corsRules = newConfigCache(func(_ string, doc []byte) (*cors.Config, error) { return cors.Parse(doc) })
	h.lifecycles = newConfigCache(func(_ string, doc []byte) (*lifecycle.Config, error) { return lifecycle.Parse(doc) })
	h.policies = newConfigCache(func(bucket string, doc []byte) (*policy.Policy, error) { return policy.Parse(doc, bucket) })
	h.lockConfigs = newConfigCache(func(_ string, doc []byte) (objectlock.Config, error) { return objectlock.ParseConfig(doc) })
	return h
}

// request is one S3 request in flight.
type request struct {
	h     *Handler
	r     *http.Request
	w     *responseWriter
	route Route
	id    string
	// cause is the error behind a 5xx answer, for the log line: the S3
	// error a client gets names no cause (a lost quorum is "SlowDown").
	cause error
	// auth is the verified signature: the body to read, its length, trailers.
	auth *sigv4.Result
	// session is the identity of the session token the request carried.
	session *iam.Identity
	// access is set for a request that is not the root user's, once
	// authorize allowed it: later checks (per key, per bucket, a copy's
	// source) go through it.
	access *access
	// taggingBody is the body of a PutObjectTagging read to authorise it
	// (its tags are condition keys of a policy that applies); nil
	// otherwise.
	taggingBody []byte
	// smallBody is the bounded body once readSmallBody has read it.
	smallBody []byte
	// bucket is the request's bucket record once bucketConfig has read it
	// (bucketRead), or the error reading it gave.
	bucket     storage.BucketInfo
	bucketErr  error
	bucketRead bool
}

// responseWriter records the status and bytes written, for the log line.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP authenticates and runs one S3 request.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req := &request{
		h:     h,
		r:     r,
		w:     &responseWriter{ResponseWriter: rw},
		route: Parse(r, h.cfg.Domains),
		id:    fmt.Sprintf("%016X", h.idBase|h.idSeq.Add(1)&0xFFFFFFFF),
	}
	hdr := rw.Header()
	hdr.Set("x-amz-request-id", req.id)
	hdr.Set("x-amz-id-2", h.hostID)
	hdr.Set("Server", "Hoard")
	defer func() {
		if p := recover(); p != nil {
			h.cfg.Logger.Error("panic serving request", "request_id", req.id, "panic", p, "stack", string(debug.Stack()))
			if req.w.status == 0 {
				req.writeError(newError("InternalError"))
			}
		}
		h.logRequest(req, start)
	}()
	if err := h.serve(req); err != nil {
		apiErr := toAPIError(err)
		if apiErr.Status >= 500 {
			req.cause = err
		}
		req.writeError(apiErr)
	}
}

func (h *Handler) serve(req *request) error {
	req.applyCORS()
	switch req.route.Op {
	case OpPostObject:
		// A browser POST upload is authorised by the policy in its form.
		return req.postObject()
	case OpPreflight:
		// A preflight carries no credentials; the bucket's CORS rules decide.
		return req.preflight()
	}
	auth, err := h.authenticate(req)
	if err != nil {
		return err
	}
	req.auth = auth
	if err := req.authorize(); err != nil {
		return err
	}
	fn, ok := h.ops[req.route.Op]
	if !ok {
		what := string(req.route.Op)
		if req.route.Subresource != "" {
			what = req.route.Subresource
		}
		return newError("NotImplemented", "Hoard does not implement "+what+" requests.")
	}
	if req.r.Method == http.MethodPut {
		if err := checkHeaderSection(req.r.Header); err != nil {
			return err
		}
	}
	if req.route.Key != "" {
		// S3's key limits hold on every object operation: checked here
		// once, so the handlers take the route's key as valid.
		if err := validateKey(req.route.Key); err != nil {
			return err
		}
	}
	if err := req.refuseUnhonoured(); err != nil {
		return err
	}
	return req.hideMissing(fn(req))
}

func (h *Handler) logRequest(req *request, start time.Time) {
	status := req.w.status
	if status == 0 {
		status = http.StatusOK
	}
	level, cause := slog.LevelInfo, slog.Attr{}
	if req.cause != nil {
		// A server-side failure: say why, at a level operators watch.
		level, cause = slog.LevelWarn, slog.String("error", req.cause.Error())
	}
	h.cfg.Logger.LogAttrs(req.r.Context(), level, "request",
		slog.String("request_id", req.id),
		slog.String("method", req.r.Method),
		slog.String("op", string(req.route.Op)),
		slog.String("bucket", req.route.Bucket),
		slog.String("key", req.route.Key),
		slog.Int("status", status),
		slog.Int64("bytes_in", max(req.r.ContentLength, 0)),
		slog.Int64("bytes_out", req.w.bytes),
		slog.Duration("duration", time.Since(start)),
		remoteAttr(req.r),
		cause,
	)
}

// remoteAttr is where the request came from, for its log line: the TCP
// peer (host:port), or behind a trusted proxy the client it forwarded
// with the proxy beside it.
func remoteAttr(r *http.Request) slog.Attr {
	c := clientip.FromRequest(r)
	if !c.Proxied {
		return slog.String("remote", r.RemoteAddr)
	}
	return slog.Group("", slog.String("remote", c.String()), slog.String("proxy", r.RemoteAddr))
}

// writeError answers with an S3 error document (no body for HEAD).
func (req *request) writeError(e *APIError) {
	hdr := req.w.Header()
	for _, k := range []string{"ETag", "Last-Modified", "Accept-Ranges", "Content-Disposition", "Content-Encoding", "Content-Language", "Cache-Control", "Expires"} {
		hdr.Del(k)
	}
	if e.Code != "InvalidRange" {
		hdr.Del("Content-Range")
	}
	for k, v := range e.Header {
		hdr[k] = v
	}
	if req.r.Method == http.MethodHead {
		// A HEAD answer has no body to carry the code; minio-go (and
		// clients built on it) read it from these headers instead.
		hdr.Set("X-Minio-Error-Code", e.Code)
		hdr.Set("X-Minio-Error-Desc", e.Message)
		hdr.Del("Content-Type")
		hdr.Set("Content-Length", "0")
		req.w.WriteHeader(e.Status)
		return
	}
	body := errorResponse{
		Code:      e.Code,
		Message:   e.Message,
		Resource:  req.r.URL.Path,
		RequestID: req.id,
		HostID:    req.h.hostID,
	}
	for _, d := range e.Details {
		if d.Name == "Method" && d.Value == "" {
			d.Value = req.r.Method // the method refused (MethodNotAllowed)
		}
		body.Details = append(body.Details, errorDetailXML{XMLName: xml.Name{Local: d.Name}, Value: d.Value})
	}
	switch e.Code {
	case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyOwnedByYou", "InvalidBucketName":
		body.BucketName = req.route.Bucket
	case "NoSuchKey":
		body.Key = req.route.Key
	}
	req.writeXMLStatus(e.Status, body)
}

// writeXML answers 200 with an XML document.
func (req *request) writeXML(v any) error {
	req.writeXMLStatus(http.StatusOK, v)
	return nil
}

func (req *request) writeXMLStatus(status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		req.h.cfg.Logger.Error("encoding xml answer", "request_id", req.id, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
	}
	hdr := req.w.Header()
	hdr.Set("Content-Type", "application/xml")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	req.w.WriteHeader(status)
	_, _ = req.w.Write(buf.Bytes())
}

// writeRawXML answers 200 with a fixed XML document.
func (req *request) writeRawXML(doc string) {
	hdr := req.w.Header()
	hdr.Set("Content-Type", "application/xml")
	hdr.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(doc)))
	req.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(req.w, xml.Header+doc)
}

// noContent answers 204.
func (req *request) noContent() error {
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxXMLBody bounds request documents (Complete with 10,000 parts is ~1 MiB).
const maxXMLBody = 4 << 20

// readXML decodes the request body into v, answering MalformedXML for
// anything that does not parse.
func (req *request) readXML(v any) error {
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	return xmlUnmarshal(data, v)
}

// readSmallBody reads a bounded request body, verifying its signature and
// digests.
// A body read once (to authorise the request on what it holds) is kept,
// so the handler reads the same bytes again.
func (req *request) readSmallBody(limit int64) ([]byte, error) {
	if req.smallBody != nil {
		return req.smallBody, nil
	}
	body, err := req.payload(limit)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	req.smallBody = data
	return data, nil
}

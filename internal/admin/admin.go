package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/lifecycle"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// Prefix is the path every admin endpoint lives under.
const Prefix = "/hoard/admin/v1/"

// Healer runs and reports healing; the server hands in the engine's.
type Healer interface {
	// StartHeal begins healing bucket (all buckets if "") under prefix.
	StartHeal(ctx context.Context, bucket, prefix string) error
	// HealStatus reports the current or last heal.
	HealStatus() HealStatus
}

// HealStatus describes a heal run.
type HealStatus struct {
	Running  bool      `json:"running"`
	Bucket   string    `json:"bucket,omitempty"`
	Prefix   string    `json:"prefix,omitempty"`
	Started  time.Time `json:"started,omitempty"`
	Finished time.Time `json:"finished,omitempty"`
	Scanned  uint64    `json:"scanned"`
	Healed   uint64    `json:"healed"`
	Failed   uint64    `json:"failed"`
	// Drives lists drives being rebuilt with their progress.
	Drives []DriveHeal `json:"drives,omitempty"`
}

// DriveHeal is the rebuild progress of one replaced drive.
type DriveHeal struct {
	Endpoint string  `json:"endpoint"`
	Percent  float64 `json:"percent"`
}

// LifecycleStatus is the lifecycle worker's report, as the admin API and
// the console's dashboard show it.
type LifecycleStatus = lifecycle.Status

// Lifecycle reports the lifecycle worker; the server hands in its own.
type Lifecycle interface {
	// LifecycleStatus reports this node's worker, and false while none runs.
	LifecycleStatus() (lifecycle.Status, bool)
}

// Config wires the admin API.
type Config struct {
	Layer    storage.ObjectLayer
	Verifier *sigv4.Verifier
	// RootAccessKey is the root user's key, allowed every call; any other
	// key is allowed the calls its policies grant (admin:* actions).
	RootAccessKey string
	// IAM holds users, groups, policies and service accounts; without it
	// only the root user may call the API and the iam endpoints answer 501.
	IAM    *iam.Manager
	Region string
	// Healer is optional; without it the heal endpoints answer 501.
	Healer Healer
	// Lifecycle is optional; without it the ilm endpoint answers 501.
	Lifecycle Lifecycle
	Logger    *slog.Logger
}

// Handler serves the admin API.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the admin API handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.route("GET info", "admin:ServerInfo", h.info)
	h.route("POST heal", "admin:Heal", h.startHeal)
	h.route("GET heal", "admin:ServerInfo", h.healStatus)
	h.route("GET ilm", "admin:ServerInfo", h.ilmStatus)
	h.route("POST access", "", h.access)
	if cfg.IAM != nil {
		h.iamRoutes()
	}
	return h
}

// ServeHTTP authenticates the request (the root user, an IAM user or
// service account, or a session's temporary key with its token) and
// dispatches it; each route checks its own action.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	session, err := h.openSession(r)
	var res *sigv4.Result
	if err == nil {
		verifier := h.cfg.Verifier
		if session != nil {
			// A session's temporary key verifies with its own secret.
			verifier = verifier.ForKey(sigv4.Credentials{AccessKey: session.AccessKey, SecretKey: session.Secret})
		}
		res, err = verifier.Verify(r)
	}
	if err == nil && res.Anonymous {
		err = sigv4.ErrAccessDenied
	}
	var c caller
	switch {
	case err == nil && session != nil:
		c = caller{accessKey: res.AccessKey, body: res}
		c.Identity = session
	case err == nil:
		c, err = h.callerOf(res)
	}
	if err != nil {
		code, _ := sigv4.Code(err)
		msg := sigv4.Message(err)
		switch {
		case errors.Is(err, errInvalidToken):
			code, msg = "InvalidToken", "The provided token is malformed or otherwise invalid."
		case code == "":
			code = "AccessDenied"
		}
		writeJSON(w, http.StatusForbidden, errorBody{Code: code, Message: msg})
		return
	}
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Line and Column locate a policy document's syntax error.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// Info is the answer of GET info.
type Info struct {
	Mode         string                `json:"mode"`
	Region       string                `json:"region"`
	Drives       []storage.DriveInfo   `json:"drives"`
	RawBytes     uint64                `json:"rawBytes"`
	RawFree      uint64                `json:"rawFree"`
	UsableBytes  uint64                `json:"usableBytes"`
	UsableFree   uint64                `json:"usableFree"`
	DataShards   int                   `json:"dataShards"`
	ParityShards int                   `json:"parityShards"`
	Buckets      []storage.BucketUsage `json:"buckets"`
	UsedBytes    uint64                `json:"usedBytes"`
	Objects      uint64                `json:"objects"`
	// Nodes lists the cluster's servers (empty on a single server).
	Nodes []NodeInfo `json:"nodes,omitempty"`
	// Lifecycle is the answering node's lifecycle worker, when it runs.
	Lifecycle *LifecycleStatus `json:"lifecycle,omitempty"`
}

// NodeInfo is one server of a cluster, as its drives show it.
type NodeInfo struct {
	Address string `json:"address"`
	// State is online (every drive answers), degraded (some do) or offline.
	State        string `json:"state"`
	Drives       int    `json:"drives"`
	OnlineDrives int    `json:"onlineDrives"`
}

// nodesOf groups drives with URL endpoints (cluster mode) by server.
func nodesOf(drives []storage.DriveInfo) []NodeInfo {
	var nodes []NodeInfo
	index := map[string]int{}
	for _, d := range drives {
		u, err := url.Parse(d.Endpoint)
		if err != nil || u.Host == "" {
			continue
		}
		i, ok := index[u.Host]
		if !ok {
			i = len(nodes)
			index[u.Host] = i
			nodes = append(nodes, NodeInfo{Address: u.Host})
		}
		nodes[i].Drives++
		if d.State == "online" || d.State == "healing" {
			nodes[i].OnlineDrives++
		}
	}
	for i := range nodes {
		switch n := &nodes[i]; {
		case n.OnlineDrives == n.Drives:
			n.State = "online"
		case n.OnlineDrives == 0:
			n.State = "offline"
		default:
			n.State = "degraded"
		}
	}
	return nodes
}

func (h *Handler) info(w http.ResponseWriter, r *http.Request) {
	info, err := CollectInfo(r.Context(), h.cfg.Layer)
	if err != nil {
		h.cfg.Logger.Warn("admin info", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: "ServiceUnavailable", Message: err.Error()})
		return
	}
	info.Region = h.cfg.Region
	if h.cfg.Lifecycle != nil {
		if st, ok := h.cfg.Lifecycle.LifecycleStatus(); ok {
			info.Lifecycle = &st
		}
	}
	writeJSON(w, http.StatusOK, info)
}

// ilmStatus answers the lifecycle worker's progress on this node. In a
// cluster every node reports its own share (the erasure sets it owns).
func (h *Handler) ilmStatus(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Lifecycle == nil {
		writeJSON(w, http.StatusNotImplemented, errorBody{Code: "NotImplemented", Message: "lifecycle is not available in this mode"})
		return
	}
	st, ok := h.cfg.Lifecycle.LifecycleStatus()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: "ServiceUnavailable", Message: "the lifecycle worker is not running (disabled, or the drives are not ready yet)"})
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// CollectInfo gathers capacity, drive states and per-bucket usage.
func CollectInfo(ctx context.Context, layer storage.ObjectLayer) (Info, error) {
	si, err := layer.StorageInfo(ctx)
	if err != nil {
		return Info{}, err
	}
	info := Info{
		Mode:         "erasure",
		Drives:       si.Drives,
		RawBytes:     si.RawBytes,
		RawFree:      si.RawFree,
		UsableBytes:  si.UsableBytes,
		UsableFree:   si.UsableFree,
		DataShards:   si.DataShards,
		ParityShards: si.ParityShards,
		Buckets:      []storage.BucketUsage{},
	}
	if len(si.Drives) == 1 {
		info.Mode = "single-drive"
	}
	if info.Nodes = nodesOf(si.Drives); len(info.Nodes) > 1 {
		info.Mode = "cluster"
	}
	buckets, err := layer.ListBuckets(ctx)
	if err != nil {
		return Info{}, err
	}
	for _, b := range buckets {
		u, err := layer.BucketUsage(ctx, b.Name)
		if errors.Is(err, storage.ErrBucketNotFound) {
			continue
		}
		if err != nil {
			return Info{}, err
		}
		info.Buckets = append(info.Buckets, u)
		info.UsedBytes += u.Bytes
		info.Objects += u.Objects
	}
	return info, nil
}

func (h *Handler) startHeal(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Healer == nil {
		writeJSON(w, http.StatusNotImplemented, errorBody{Code: "NotImplemented", Message: "healing is not available in this mode"})
		return
	}
	q := r.URL.Query()
	if err := h.cfg.Healer.StartHeal(context.WithoutCancel(r.Context()), q.Get("bucket"), q.Get("prefix")); err != nil {
		status := http.StatusConflict
		if errors.Is(err, storage.ErrBucketNotFound) {
			status = http.StatusNotFound
		}
		writeJSON(w, status, errorBody{Code: "HealNotStarted", Message: err.Error()})
		return
	}
	writeJSON(w, http.StatusAccepted, h.cfg.Healer.HealStatus())
}

func (h *Handler) healStatus(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Healer == nil {
		writeJSON(w, http.StatusNotImplemented, errorBody{Code: "NotImplemented", Message: "healing is not available in this mode"})
		return
	}
	writeJSON(w, http.StatusOK, h.cfg.Healer.HealStatus())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"code":"InternalError"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// errInvalidToken refuses a session token that does not open (altered,
// expired, revoked, or its user's permissions changed).
var errInvalidToken = errors.New("admin: invalid session token")

// openSession returns the identity of the request's session token (the
// X-Amz-Security-Token header or query value), nil when it has none.
func (h *Handler) openSession(r *http.Request) (*iam.Identity, error) {
	token := sigv4.SessionToken(r)
	if token == "" {
		return nil, nil
	}
	if h.cfg.IAM == nil {
		return nil, errInvalidToken
	}
	id, err := h.cfg.IAM.OpenSession(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errInvalidToken, err)
	}
	return id, nil
}

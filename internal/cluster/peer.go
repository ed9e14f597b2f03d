package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// rpcPrefix is the path every node-to-node call lives under.
const rpcPrefix = "/hoard/rpc/v1/"

// Timeouts of node-to-node calls; PeerOptions override them.
const (
	// DefaultDialTimeout bounds connecting to a peer.
	DefaultDialTimeout = 3 * time.Second
	// DefaultCallTimeout bounds a metadata call (the time to its answer).
	DefaultCallTimeout = 15 * time.Second
	// DefaultStreamTimeout bounds how long a shard stream may make no
	// progress before it is cut.
	DefaultStreamTimeout = 30 * time.Second
	// DefaultProbeInterval is how often an offline peer is probed.
	DefaultProbeInterval = 500 * time.Millisecond
	// DefaultHeartbeat is how often an online peer is pinged, so a node
	// that died while nothing was sent to it is noticed too.
	DefaultHeartbeat = time.Second
)

// PeerOptions tune the clients of remote nodes. The zero value is usable.
type PeerOptions struct {
	DialTimeout   time.Duration
	CallTimeout   time.Duration
	StreamTimeout time.Duration
	ProbeInterval time.Duration
	Heartbeat     time.Duration
	// TLS is the client configuration for https peers.
	TLS *tls.Config
	// Logger receives state changes of peers.
	Logger *slog.Logger
	// onPing, when set, receives every answer to the peer's heartbeat and
	// probes (the cluster watches DriveState with it).
	onPing func(host string, info PingInfo)
}

func (o PeerOptions) withDefaults() PeerOptions {
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.StreamTimeout <= 0 {
		o.StreamTimeout = DefaultStreamTimeout
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// PingInfo is what a node answers to a ping.
type PingInfo struct {
	// Host is the node's host:port as the endpoints name it.
	Host string `json:"host"`
	// Topology is the digest of the node's endpoint list.
	Topology string `json:"topology"`
	// Ready says the node's storage layer is open.
	Ready bool `json:"ready"`
	// Started is when the node's process started.
	Started time.Time `json:"started"`
	// DriveState counts the changes the node made to the drive-state
	// records its peers read from the drives (stale drives): a peer that
	// sees it (or Started) change reads them again. Nodes that predate it
	// omit it; their peers fall back to reading the records periodically.
	DriveState uint64 `json:"drive_state,omitempty"`
}

// Peer is the client of one remote node: it signs and sends RPCs over a
// pool of kept-alive connections and tracks the node's health. The first
// network failure marks the node offline; from then on calls fail at once
// with ErrOffline while a background probe pings the node until it
// answers, so a dead node costs one timeout, not one per call.
type Peer struct {
	host     string
	base     string
	topology string
	opts     PeerOptions
	auth     *authenticator
	client   *http.Client
	log      *slog.Logger

	online   atomic.Bool
	lastErr  atomic.Pointer[string]
	logged   string       // last probe error logged (monitor goroutine only)
	changed  atomic.Int64 // unix nanos of the last state change
	closed   chan struct{}
	closeOne sync.Once
	wg       sync.WaitGroup
}

// NewPeer returns a client of node host of topology t, keyed by secret:
// the client the cluster uses, for tools and tests that talk to a node's
// drives directly. Close it when done.
func NewPeer(t *Topology, host, secret string, opts PeerOptions) *Peer {
	return newPeer(t.Scheme, host, t.ID, newAuthenticator(DeriveKey(secret), "", 0, nil), opts)
}

// newPeer returns a client of the node at scheme://host; it starts
// offline, and its monitor probes it at once.
func newPeer(scheme, host, topology string, auth *authenticator, opts PeerOptions) *Peer {
	opts = opts.withDefaults()
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 15 * time.Second}).DialContext,
		TLSClientConfig:        opts.TLS,
		TLSHandshakeTimeout:    opts.DialTimeout,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    128,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  opts.CallTimeout,
		DisableCompression:     true,
		WriteBufferSize:        128 << 10,
		ReadBufferSize:         128 << 10,
		MaxResponseHeaderBytes: 64 << 10,
	}
	p := &Peer{
		host: host, base: scheme + "://" + host, topology: topology, opts: opts, auth: auth,
		client: &http.Client{Transport: tr},
		log:    opts.Logger.With("peer", host),
		closed: make(chan struct{}),
	}
	p.wg.Add(1)
	go p.monitor()
	return p
}

// Host returns the peer's host:port.
func (p *Peer) Host() string { return p.host }

// Online reports whether the peer answered its last call or probe.
func (p *Peer) Online() bool { return p.online.Load() }

// LastError returns the failure that marked the peer offline, if any.
func (p *Peer) LastError() string {
	if s := p.lastErr.Load(); s != nil {
		return *s
	}
	return ""
}

// Close stops the probe and closes idle connections.
func (p *Peer) Close() {
	p.closeOne.Do(func() {
		close(p.closed)
		p.wg.Wait()
		p.client.CloseIdleConnections()
	})
}

// markOffline records a network failure; the monitor probes the peer
// until it answers again.
func (p *Peer) markOffline(err error) {
	msg := err.Error()
	p.lastErr.Store(&msg)
	if p.online.CompareAndSwap(true, false) {
		p.changed.Store(time.Now().UnixNano())
		p.log.Warn("node offline; calls to it fail fast until it answers again", "err", err)
	}
}

// monitor pings the peer for its whole life: every heartbeat while it is
// online (a failure marks it offline), every probe interval while it is
// offline (an answer from a node with the same endpoint list marks it
// online).
func (p *Peer) monitor() {
	defer p.wg.Done()
	for {
		wait := p.opts.Heartbeat
		if !p.online.Load() {
			if err := p.probe(); err == nil {
				if p.online.CompareAndSwap(false, true) {
					p.changed.Store(time.Now().UnixNano())
					p.log.Info("node online")
				}
				p.logged = ""
			} else {
				msg := err.Error()
				p.lastErr.Store(&msg)
				if errors.Is(err, ErrAuth) || errors.Is(err, ErrTopology) {
					if msg != p.logged {
						p.log.Error("peer refused", "err", err)
						p.logged = msg
					}
				}
				wait = p.opts.ProbeInterval
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-p.closed:
			t.Stop()
			return
		case <-t.C:
		}
		if p.online.Load() {
			if err := p.probe(); err != nil {
				select {
				case <-p.closed:
					return
				default:
				}
				p.markOffline(err)
			}
		}
	}
}

// probe pings the peer and checks it runs with the same endpoint list.
func (p *Peer) probe() error {
	ctx, cancel := context.WithTimeout(context.Background(), max(p.opts.DialTimeout, time.Second))
	defer cancel()
	info, err := p.ping(ctx)
	if err != nil {
		return err
	}
	if info.Topology != p.topology {
		return fmt.Errorf("%w: node %s runs with a different endpoint list (digest %s, ours %s)", ErrTopology, p.host, info.Topology, p.topology)
	}
	if p.opts.onPing != nil {
		p.opts.onPing(p.host, info)
	}
	return nil
}

// Ping asks the peer for its state, even while it is marked offline.
func (p *Peer) Ping(ctx context.Context) (PingInfo, error) { return p.ping(ctx) }

func (p *Peer) ping(ctx context.Context) (PingInfo, error) {
	var info PingInfo
	resp, err := p.send(ctx, http.MethodGet, "ping", nil, nil, false)
	if err != nil {
		return info, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&info); err != nil {
		return info, fmt.Errorf("%w: ping answer: %v", ErrProtocol, err)
	}
	return info, nil
}

// newRequest builds a signed request for an RPC.
func (p *Peer) newRequest(ctx context.Context, method, op string, q url.Values, body io.Reader) (*http.Request, error) {
	u := p.base + rpcPrefix + op
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("cluster: request %s: %w", op, err)
	}
	return req, nil
}

// send performs an RPC whose answer headers arrive within the call
// timeout and returns the response of a successful call (the caller
// closes its body). Failed calls come back as errors: the peer's error
// marker, or ErrOffline for network failures (which mark the peer
// offline) and for calls made while it is offline (unless force).
func (p *Peer) send(ctx context.Context, method, op string, q url.Values, body []byte, check bool) (*http.Response, error) {
	if check && !p.online.Load() {
		return nil, fmt.Errorf("%w: %s (%s)", ErrOffline, p.host, p.LastError())
	}
	cctx, cancel := context.WithTimeout(ctx, p.opts.CallTimeout)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := p.newRequest(cctx, method, op, q, rd)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := p.do(ctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// do signs and sends req; ctx is the caller's context (req's may be a
// shorter one): a failure while ctx is still live is the peer's fault.
func (p *Peer) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	p.auth.sign(req, p.host)
	resp, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cluster: %s: %w", p.host, ctx.Err())
		}
		p.markOffline(err)
		return nil, fmt.Errorf("%w: %s: %v", ErrOffline, p.host, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		code := resp.Header.Get(errorHeader)
		if code == "" {
			return nil, fmt.Errorf("%w: %s answered %s: %s", ErrProtocol, p.host, resp.Status, msg)
		}
		return nil, decodeError(p.host, code, string(msg))
	}
	return resp, nil
}

// call performs a metadata RPC and returns its whole answer body.
func (p *Peer) call(ctx context.Context, method, op string, q url.Values, body []byte) ([]byte, error) {
	resp, err := p.send(ctx, method, op, q, body, true)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() == nil {
			p.markOffline(err)
			return nil, fmt.Errorf("%w: %s: reading answer: %v", ErrOffline, p.host, err)
		}
		return nil, fmt.Errorf("cluster: %s: %w", p.host, ctx.Err())
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("%w: %s: answer larger than %d bytes", ErrProtocol, p.host, maxBody)
	}
	return b, nil
}

// maxBody bounds the body of a metadata RPC (either way).
const maxBody = 256 << 20

// cancelBody releases a call's context when its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

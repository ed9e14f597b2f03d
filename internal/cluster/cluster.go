package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// Config configures a Cluster.
type Config struct {
	// Topology is the parsed endpoint list.
	Topology *Topology
	// LocalDrives are this node's opened drives keyed by their folder as
	// the endpoints name it (Endpoint.Path).
	LocalDrives map[string]drive.Drive
	// Secret is the shared secret the RPC key is derived from.
	Secret string
	// ClientTLS is the TLS configuration for https peers.
	ClientTLS *tls.Config
	// Peer and Locks tune the peer clients and the distributed locks.
	Peer  PeerOptions
	Locks LockerOptions
	// ReplayWindow bounds the clock difference between nodes (default
	// DefaultReplayWindow).
	ReplayWindow time.Duration
	// RemovalGrace delays the removal of unreferenced data directories
	// (default DefaultRemovalGrace; negative: remove at once).
	RemovalGrace time.Duration
	// StartGrace is how long start-up waits for every node before it
	// settles for a quorum (default DefaultStartGrace).
	StartGrace time.Duration
	Logger     *slog.Logger
}

// Cluster is this node's view of the cluster: the clients of the other
// nodes, every drive in erasure order (local or remote), the RPC server
// for peers, the lock table and the distributed Locker.
type Cluster struct {
	topo    *Topology
	log     *slog.Logger
	peers   []*Peer // by node index; nil for this node
	drives  []drive.Drive
	rpc     *RPCServer
	table   *LockTable
	locker  *Locker
	removal *removals
	grace   time.Duration
	ready   atomic.Bool
	started time.Time
	// states carries drive-state changes between nodes (drivestate.go).
	states driveStates

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// New builds the cluster view: a Peer per other node (probing at once),
// a Remote for every drive of another node, and the RPC server over the
// local drives. Every local drive of the topology must be in LocalDrives.
func New(cfg Config) (*Cluster, error) {
	t := cfg.Topology
	if t == nil || t.Local < 0 {
		return nil, fmt.Errorf("%w: no local node", ErrTopology)
	}
	if cfg.Secret == "" {
		return nil, fmt.Errorf("%w: the cluster needs a secret (root credentials or a cluster secret)", ErrAuth)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	auth := newAuthenticator(DeriveKey(cfg.Secret), t.LocalNode().Host, cfg.ReplayWindow, nil)
	c := &Cluster{topo: t, log: log, peers: make([]*Peer, len(t.Nodes)), started: time.Now(), stop: make(chan struct{}), grace: cfg.StartGrace}
	if c.grace <= 0 {
		c.grace = DefaultStartGrace
	}
	popts := cfg.Peer
	popts.TLS = cfg.ClientTLS
	popts.Logger = log
	popts.onPing = c.states.observe
	nodes := make([]lockNode, len(t.Nodes))
	c.table = NewLockTable(cfg.Locks.TTL, nil)
	for i, n := range t.Nodes {
		if n.Local {
			nodes[i] = localLocks{c.table}
			continue
		}
		c.peers[i] = newPeer(t.Scheme, n.Host, t.ID, auth, popts)
		nodes[i] = remoteLocks{c.peers[i]}
	}
	for _, e := range t.Drives {
		if e.Node == t.Local {
			d, ok := cfg.LocalDrives[e.Path]
			if !ok {
				c.Close()
				return nil, fmt.Errorf("%w: local drive %s not opened", ErrTopology, e.Path)
			}
			c.drives = append(c.drives, &namedDrive{Drive: d, url: e.URL})
			continue
		}
		c.drives = append(c.drives, NewRemote(c.peers[e.Node], e.URL, e.Path))
	}
	if cfg.RemovalGrace == 0 {
		cfg.RemovalGrace = DefaultRemovalGrace
	}
	if cfg.RemovalGrace > 0 {
		c.removal = newRemovals(cfg.RemovalGrace, log)
		for i, d := range c.drives {
			c.drives[i] = &graceDrive{Drive: d, q: c.removal}
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.removal.run(c.stop, min(cfg.RemovalGrace/4, time.Second))
		}()
	}
	lopts := cfg.Locks
	lopts.Logger = log
	c.locker = newLocker(nodes, t.WriteQuorum(), t.ReadQuorum(), lopts)
	c.rpc = newRPCServer(auth, cfg.LocalDrives, c.table, c.pingInfo, log)
	c.wg.Add(1)
	go c.sweepLocks()
	return c, nil
}

func (c *Cluster) pingInfo() PingInfo {
	return PingInfo{Host: c.topo.LocalNode().Host, Topology: c.topo.ID, Ready: c.ready.Load(), Started: c.started, DriveState: c.states.local.Load()}
}

func (c *Cluster) sweepLocks() {
	defer c.wg.Done()
	t := time.NewTicker(c.table.ttl)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.table.Sweep()
		}
	}
}

// Topology returns the endpoint list the cluster was built from.
func (c *Cluster) Topology() *Topology { return c.topo }

// Handler returns the RPC server; mount it at Prefix.
func (c *Cluster) Handler() http.Handler { return c.rpc }

// Drives returns every drive in erasure order: local drives and Remotes.
func (c *Cluster) Drives() []drive.Drive { return append([]drive.Drive(nil), c.drives...) }

// Locker returns the distributed locker.
func (c *Cluster) Locker() *Locker { return c.locker }

// SetReady records whether this node's storage layer is open; peers see
// it in pings.
func (c *Cluster) SetReady(ready bool) { c.ready.Store(ready) }

// NodeState is one node's state as this node sees it.
type NodeState struct {
	Host   string `json:"host"`
	Local  bool   `json:"local,omitempty"`
	Online bool   `json:"online"`
	Error  string `json:"error,omitempty"`
}

// Nodes returns the state of every node.
func (c *Cluster) Nodes() []NodeState {
	out := make([]NodeState, len(c.topo.Nodes))
	for i, n := range c.topo.Nodes {
		out[i] = NodeState{Host: n.Host, Local: n.Local, Online: n.Local}
		if p := c.peers[i]; p != nil {
			out[i].Online = p.Online()
			if !out[i].Online {
				out[i].Error = p.LastError()
			}
		}
	}
	return out
}

// Coordinator reports whether this node should run the cluster's
// singleton background work (such as the heal scanner): it is the first
// node of the endpoint list that this node sees online. Views of
// different nodes may disagree for a moment after a failure, so such
// work must tolerate running twice (heals are serialised by the locks).
func (c *Cluster) Coordinator() bool {
	for i, s := range c.Nodes() {
		if s.Online {
			return i == c.topo.Local
		}
	}
	return false
}

// OwnsSet reports whether this node does the per-set background work of
// erasure set index now (such as the lifecycle worker's): the sets are
// dealt out in turn to the nodes this node sees online, in endpoint
// order, the view Coordinator decides from (the owner of set 0 is the
// coordinator). Every set has one owner as long as the nodes agree on
// who is online; for a moment after a failure they may not, so such work
// must tolerate a set done twice or skipped once.
func (c *Cluster) OwnsSet(index int) bool {
	var online []int
	for i, s := range c.Nodes() {
		if s.Online {
			online = append(online, i)
		}
	}
	if len(online) == 0 || index < 0 {
		return false
	}
	return online[index%len(online)] == c.topo.Local
}

// OnlineNodes counts the nodes (this one included) that answer.
func (c *Cluster) OnlineNodes() int {
	n := 0
	for _, s := range c.Nodes() {
		if s.Online {
			n++
		}
	}
	return n
}

// HasWriteQuorum reports whether, as far as this node sees, writes can
// succeed: a majority of nodes answers (for locks) and every erasure set
// (consecutive runs of setSize drives in erasure order) has at least its
// write quorum of drives on answering nodes.
func (c *Cluster) HasWriteQuorum(setSize, parity int) bool {
	if c.OnlineNodes() < c.topo.WriteQuorum() {
		return false
	}
	if setSize <= 0 || len(c.drives)%setSize != 0 {
		return false
	}
	data := setSize - parity
	wq := data
	if data == parity {
		wq++
	}
	for start := 0; start < len(c.drives); start += setSize {
		online := 0
		for _, e := range c.topo.Drives[start : start+setSize] {
			if e.Node == c.topo.Local || c.peers[e.Node].Online() {
				online++
			}
		}
		if online < wq {
			return false
		}
	}
	return true
}

// Close stops the peers' probes, the lock refresher and the sweeper.
// Local drives are not closed (their owner closes them).
func (c *Cluster) Close() {
	c.once.Do(func() {
		close(c.stop)
		if c.locker != nil {
			c.locker.Close()
		}
		for _, p := range c.peers {
			if p != nil {
				p.Close()
			}
		}
	})
	c.wg.Wait()
}

// missing returns the hosts of the nodes not answering, sorted.
func (c *Cluster) missing() []string {
	var out []string
	for _, s := range c.Nodes() {
		if !s.Online {
			out = append(out, s.Host)
		}
	}
	sort.Strings(out)
	return out
}

// DefaultStartGrace is how long start-up waits for every node to answer
// before it opens with a quorum of them.
const DefaultStartGrace = 3 * time.Second

// AwaitStart blocks until this node may open the storage layer, logging
// what it waits for every few seconds: every node should answer, but
// after the start grace a write quorum of nodes is enough (the engine
// keeps the missing nodes' drives offline until they answer); on a fresh
// deployment (no reachable drive formatted) every node must answer and
// only the first node of the endpoint list formats, the others wait until
// it is done.
func (c *Cluster) AwaitStart(ctx context.Context) error {
	began := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastLog time.Time
	logf := func(msg string, args ...any) {
		if time.Since(lastLog) >= 5*time.Second {
			c.log.Info(msg, args...)
			lastLog = time.Now()
		}
	}
	for {
		need := c.topo.WriteQuorum()
		m := c.missing()
		online := len(c.topo.Nodes) - len(m)
		if online >= need {
			formatted, answered := c.countFormatted(ctx)
			switch {
			case formatted > 0 && formatted < answered && c.firstFormatting(ctx):
				logf("waiting for the first node to finish formatting the drives", "first", c.topo.Nodes[0].Host)
			case formatted > 0 && len(m) > 0 && time.Since(began) < c.grace:
				logf(fmt.Sprintf("waiting up to %v for %d more nodes: %s", c.grace, len(m), strings.Join(m, ", ")))
			case formatted > 0:
				if len(m) > 0 {
					c.log.Warn(fmt.Sprintf("starting with a quorum of nodes; not answering: %s", strings.Join(m, ", ")))
				}
				return nil
			case online == len(c.topo.Nodes) && answered == len(c.drives) && c.topo.Local == 0:
				c.log.Info("every node answers and no drive is formatted: formatting a new deployment")
				return nil
			case online < len(c.topo.Nodes):
				logf(fmt.Sprintf("fresh deployment: waiting for %d more nodes: %s", len(m), strings.Join(m, ", ")))
			default:
				logf("fresh deployment: waiting for the first node to format the drives", "first", c.topo.Nodes[0].Host)
			}
		} else {
			logf(fmt.Sprintf("waiting for %d more nodes for quorum (%d of %d); not answering: %s", need-online, need, len(c.topo.Nodes), strings.Join(m, ", ")))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.stop:
			return errors.New("cluster: closed")
		case <-tick.C:
		}
	}
}

// firstFormatting reports whether the first node of the list is up but
// not ready: while some drives are still blank, it may be formatting a new
// deployment, which other nodes must not race (they would format blank
// drives themselves).
func (c *Cluster) firstFormatting(ctx context.Context) bool {
	p := c.peers[0]
	if p == nil || !p.Online() {
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	info, err := p.Ping(cctx)
	return err == nil && !info.Ready
}

// countFormatted reads the format of every drive on an answering node.
func (c *Cluster) countFormatted(ctx context.Context) (formatted, answered int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, d := range c.drives {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_, err := d.ReadFormat(cctx)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				formatted++
			}
			if err == nil || errors.Is(err, drive.ErrUnformatted) {
				answered++
			}
		}()
	}
	wg.Wait()
	return formatted, answered
}

// namedDrive is a local drive reported under its endpoint URL, so every
// node lists the cluster's drives under the same names.
type namedDrive struct {
	drive.Drive
	url string
}

// Endpoint returns the drive's URL.
func (n *namedDrive) Endpoint() string { return n.url }

// DiskInfo reports the drive's capacity under its URL.
func (n *namedDrive) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	di, err := n.Drive.DiskInfo(ctx)
	di.Endpoint = n.url
	return di, err
}

// Unwrap returns the local drive.
func (n *namedDrive) Unwrap() drive.Drive { return n.Drive }

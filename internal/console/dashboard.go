package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/storage"
)

// usageTTL is how long collected usage is reused; every write through the
// console invalidates it at once.
const usageTTL = 5 * time.Second

// usageCache reuses the cluster's Info for a few seconds and lets only one
// collection (which walks every bucket) run at a time.
type usageCache struct {
	info func(context.Context) (admin.Info, error)
	now  func() time.Time

	collect sync.Mutex // held while collecting

	mu     sync.Mutex // guards the fields below
	cached admin.Info
	at     time.Time
	valid  bool
	gen    uint64
}

func newUsageCache(info func(context.Context) (admin.Info, error), now func() time.Time) *usageCache {
	return &usageCache{info: info, now: now}
}

func (c *usageCache) fresh() (admin.Info, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok := c.valid && c.now().Sub(c.at) < usageTTL
	return c.cached, c.gen, ok
}

// get returns recent Info, collecting it if needed.
func (c *usageCache) get(ctx context.Context) (admin.Info, error) {
	if c.info == nil {
		return admin.Info{}, errors.New("console: this server reports no usage")
	}
	if info, _, ok := c.fresh(); ok {
		return info, nil
	}
	c.collect.Lock()
	defer c.collect.Unlock()
	info, gen, ok := c.fresh()
	if ok {
		return info, nil
	}
	info, err := c.info(ctx)
	if err != nil {
		return admin.Info{}, err
	}
	c.mu.Lock()
	if gen == c.gen {
		c.cached, c.at, c.valid = info, c.now(), true
	}
	c.mu.Unlock()
	return info, nil
}

// invalidate forgets the cached Info, after a write changed usage.
func (c *usageCache) invalidate() {
	c.mu.Lock()
	c.valid = false
	c.gen++
	c.mu.Unlock()
}

// driveJSON is one drive on the dashboard.
type driveJSON struct {
	storage.DriveInfo
	Path string `json:"path"`
}

// nodeJSON groups the drives of one node.
type nodeJSON struct {
	Name   string      `json:"name"`
	Drives []driveJSON `json:"drives"`
}

// groupNodes groups drives by the node their endpoint names; drives given
// as local paths belong to this server.
func groupNodes(drives []storage.DriveInfo) []nodeJSON {
	var nodes []nodeJSON
	index := map[string]int{}
	for _, d := range drives {
		name, p := "This server", d.Endpoint
		if u, err := url.Parse(d.Endpoint); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
			name, p = u.Host, u.Path
		}
		i, ok := index[name]
		if !ok {
			i = len(nodes)
			index[name] = i
			nodes = append(nodes, nodeJSON{Name: name})
		}
		nodes[i].Drives = append(nodes[i].Drives, driveJSON{DriveInfo: d, Path: p})
	}
	return nodes
}

// dashboardJSON is the dashboard's data; cost estimates are computed in
// the browser from prices it remembers.
type dashboardJSON struct {
	Mode         string                `json:"mode"`
	Region       string                `json:"region"`
	Nodes        []nodeJSON            `json:"nodes"`
	DataShards   int                   `json:"dataShards"`
	ParityShards int                   `json:"parityShards"`
	RawBytes     uint64                `json:"rawBytes"`
	RawFree      uint64                `json:"rawFree"`
	UsableBytes  uint64                `json:"usableBytes"`
	UsableFree   uint64                `json:"usableFree"`
	UsedBytes    uint64                `json:"usedBytes"`
	Objects      uint64                `json:"objects"`
	Buckets      []storage.BucketUsage `json:"buckets"`
	DriveStates  map[string]int        `json:"driveStates"`
	Collected    time.Time             `json:"collected"`
	// Lifecycle is the answering node's lifecycle worker, when it runs.
	Lifecycle *admin.LifecycleStatus `json:"lifecycle,omitempty"`
}

// dashboard answers the cluster's drives, capacity and usage to
// administrators.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, sess session) {
	if !h.allowed(r, sess, admin.Check{Action: "admin:ServerInfo"})[0] {
		writeError(w, http.StatusForbidden, "AccessDenied", "The capacity dashboard is for the server's administrators.")
		return
	}
	info, err := h.usage.get(r.Context())
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	d := dashboardJSON{
		Mode: info.Mode, Region: h.cfg.Region, Nodes: groupNodes(info.Drives),
		DataShards: info.DataShards, ParityShards: info.ParityShards,
		RawBytes: info.RawBytes, RawFree: info.RawFree, UsableBytes: info.UsableBytes, UsableFree: info.UsableFree,
		UsedBytes: info.UsedBytes, Objects: info.Objects, Buckets: append([]storage.BucketUsage{}, info.Buckets...),
		DriveStates: map[string]int{}, Collected: h.cfg.Now().UTC(), Lifecycle: info.Lifecycle,
	}
	if d.Nodes == nil {
		d.Nodes = []nodeJSON{}
	}
	for _, dr := range info.Drives {
		d.DriveStates[strings.ToLower(dr.State)]++
	}
	sort.Slice(d.Buckets, func(i, j int) bool { return d.Buckets[i].Bytes > d.Buckets[j].Bytes })
	writeJSON(w, http.StatusOK, d)
}

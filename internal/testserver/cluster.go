package testserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/config"
)

// ClusterOptions configure an in-process test cluster.
type ClusterOptions struct {
	// Options apply to every node; Drives is the number of drive folders
	// per node.
	Options
	// Nodes is the number of servers; 0 means 4.
	Nodes int
	// Root is the folder under which node i's drive folders are made
	// (nodeI/driveJ); empty means a temporary folder. A test mounts a
	// small filesystem at Root/nodeI first to give node i a drive that
	// fills.
	Root string
	// Node, when set, adjusts node i's (0-based) options after Options,
	// for example to inject faults into one node's drives.
	Node func(i int, o *Options)
}

// StartCluster starts opts.Nodes in-process servers that form one
// cluster: node i listens on 127.0.0.(i+1) on a free port with
// opts.Drives temporary drive folders, and every node is given the same
// endpoint URLs. It waits until every node answers ready and registers
// their shutdown with tb.Cleanup. It fails the test on any error.
func StartCluster(tb testing.TB, opts ClusterOptions) []*Server {
	tb.Helper()
	if opts.Nodes <= 0 {
		opts.Nodes = 4
	}
	o := opts.Options.withDefaults()
	root := opts.Root
	if root == "" {
		root = tb.TempDir()
	}
	hosts := make([]string, opts.Nodes)
	dirs := make([][]string, opts.Nodes)
	var endpoints []string
	for i := range hosts {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+1))
		if err != nil {
			tb.Fatalf("testserver: free port: %v", err)
		}
		hosts[i] = l.Addr().String()
		l.Close()
		for d := 0; d < o.Drives; d++ {
			dir := filepath.Join(root, fmt.Sprintf("node%d", i+1), fmt.Sprintf("drive%d", d+1))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				tb.Fatalf("testserver: %v", err)
			}
			dirs[i] = append(dirs[i], dir)
			endpoints = append(endpoints, "http://"+hosts[i]+dir)
		}
	}
	nodes := make([]*Server, opts.Nodes)
	for i := range nodes {
		no := o
		if opts.Node != nil {
			opts.Node(i, &no)
		}
		nodes[i] = startNode(tb, no, hosts[i], endpoints, dirs[i])
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.WaitReady(ctx, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatalf("testserver: cluster: %v", err)
		}
	}
	return nodes
}

// startNode starts one cluster node in-process at host.
func startNode(tb testing.TB, o Options, host string, endpoints, dirs []string) *Server {
	tb.Helper()
	cfg := config.Defaults()
	cfg.Address = host
	cfg.ConsoleAddress = ""
	cfg.Drives = endpoints
	cfg.RootUser, cfg.RootPassword = o.AccessKey, o.SecretKey
	cfg.Region = o.Region
	cfg.Domains = o.Domains
	cfg.ShutdownTimeout = 5 * time.Second
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	s := &Server{
		Endpoint:  Endpoint{URL: "http://" + host, Region: o.Region, AccessKey: o.AccessKey, SecretKey: o.SecretKey},
		DriveDirs: dirs,
		cfg:       cfg,
		opts:      o.Server,
		logs:      newTBWriter(tb),
	}
	s.log = newLogger(s.logs).With("node", host)
	s.launch(tb)
	return s
}

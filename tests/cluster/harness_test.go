package cluster

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

// readyTimeout bounds how long a node may take to become ready.
const readyTimeout = 60 * time.Second

// clusterOptions shape a test cluster.
type clusterOptions struct {
	nodes, drives int
	// scheme is http (default) or https; https needs certsDir.
	scheme   string
	certsDir string
	// env adds KEY=VALUE pairs to every node's environment.
	env []string
}

// testCluster is a set of hoard server processes forming one cluster.
type testCluster struct {
	t     *testing.T
	bin   string
	opts  clusterOptions
	args  []string // endpoint URLs, the same for every node
	nodes []*node
}

// node is one server process; it can be killed and started again on the
// same address and drives.
type node struct {
	c      *testCluster
	index  int
	host   string // 127.0.0.N:PORT
	drives []string
	// env adds KEY=VALUE pairs to this node's environment (after the
	// cluster's).
	env []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	logs *lockedBuffer
	runs int
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePortOn returns a port that was free on ip a moment ago.
func freePortOn(t testing.TB, ip string) string {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatalf("listen on %s: %v", ip, err)
	}
	defer l.Close()
	return l.Addr().String()
}

// newCluster prepares opts.nodes nodes on 127.0.0.1.. with drive folders
// under a temporary folder; nothing runs yet.
func newCluster(t *testing.T, opts clusterOptions) *testCluster {
	t.Helper()
	if opts.scheme == "" {
		opts.scheme = "http"
	}
	c := &testCluster{t: t, bin: testserver.BuildHoard(t), opts: opts}
	root := t.TempDir()
	for i := 0; i < opts.nodes; i++ {
		n := &node{c: c, index: i, host: freePortOn(t, fmt.Sprintf("127.0.0.%d", i+1)), logs: &lockedBuffer{}}
		for d := 0; d < opts.drives; d++ {
			dir := filepath.Join(root, fmt.Sprintf("node%d", i+1), fmt.Sprintf("drive%d", d+1))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			n.drives = append(n.drives, dir)
			c.args = append(c.args, opts.scheme+"://"+n.host+dir)
		}
		c.nodes = append(c.nodes, n)
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.kill()
		}
		if t.Failed() {
			for _, n := range c.nodes {
				t.Logf("==== node %d (%s) output, last 8 KiB ====\n%s", n.index+1, n.host, tail(n.logs.String(), 8<<10))
			}
		}
	})
	return c
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// startCluster starts every node (all at once, in reverse order, as a
// real deployment might) and waits until all are ready.
func startCluster(t *testing.T, opts clusterOptions) *testCluster {
	t.Helper()
	c := newCluster(t, opts)
	for i := len(c.nodes) - 1; i >= 0; i-- {
		c.nodes[i].start()
	}
	for _, n := range c.nodes {
		n.waitReady()
	}
	return c
}

// start launches the node's process.
func (n *node) start() {
	n.c.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	args := []string{"server", "--address", n.host, "--console-address=", "--shutdown-timeout", "5s"}
	if n.c.opts.certsDir != "" {
		args = append(args, "--certs-dir", n.c.opts.certsDir)
	}
	args = append(args, n.c.args...)
	cmd := exec.Command(n.c.bin, args...)
	cmd.Env = append(childEnv(),
		"HOARD_ROOT_USER="+testserver.DefaultAccessKey,
		"HOARD_ROOT_PASSWORD="+testserver.DefaultSecretKey,
		"HOARD_REGION="+testserver.DefaultRegion,
		"HOARD_LOG_LEVEL=info",
	)
	cmd.Env = append(cmd.Env, n.c.opts.env...)
	cmd.Env = append(cmd.Env, n.env...)
	n.runs++
	fmt.Fprintf(n.logs, "---- start %d ----\n", n.runs)
	cmd.Stdout, cmd.Stderr = n.logs, n.logs
	if err := cmd.Start(); err != nil {
		n.c.t.Fatalf("start node %d: %v", n.index+1, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	n.cmd, n.done = cmd, done
}

// childEnv is this process's environment without HOARD_ variables (the
// tests' own settings, which a server would refuse as unknown).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOARD_") {
			env = append(env, kv)
		}
	}
	return env
}

// kill sends SIGKILL and waits for the process to exit.
func (n *node) kill() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// running reports whether the process is alive.
func (n *node) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// url returns the node's base URL.
func (n *node) url() string { return n.c.opts.scheme + "://" + n.host }

// endpoint returns the node as an S3 endpoint for the test clients.
func (n *node) endpoint() testserver.Endpoint {
	return testserver.Endpoint{URL: n.url(), Region: testserver.DefaultRegion, AccessKey: testserver.DefaultAccessKey, SecretKey: testserver.DefaultSecretKey}
}

// health returns the status of a health endpoint ("live", "ready",
// "cluster"), or 0 if the node does not answer.
func (n *node) health(which string) int {
	client := &http.Client{Timeout: 2 * time.Second, Transport: n.c.transport()}
	resp, err := client.Get(n.url() + "/hoard/health/" + which)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// transport returns an HTTP transport for the cluster's scheme.
func (c *testCluster) transport() *http.Transport {
	tr := testserver.NewTransport()
	if c.opts.scheme == "https" {
		tr.TLSClientConfig = clientTLS(c.t, c.opts.certsDir)
	}
	return tr
}

// waitHealth polls a health endpoint until it answers want.
func (n *node) waitHealth(which string, want int, limit time.Duration) {
	n.c.t.Helper()
	deadline := time.Now().Add(limit)
	got := 0
	for time.Now().Before(deadline) {
		if got = n.health(which); got == want {
			return
		}
		if want == http.StatusOK && !n.running() {
			n.c.t.Fatalf("node %d exited while waiting for %s", n.index+1, which)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.c.t.Fatalf("node %d /hoard/health/%s: got %d, want %d within %v", n.index+1, which, got, want, limit)
}

// waitReady waits until the node answers ready.
func (n *node) waitReady() { n.c.t.Helper(); n.waitHealth("ready", http.StatusOK, readyTimeout) }

// ctx returns a context bounded to two minutes, cancelled when t ends.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// logsContain reports whether the node's output contains s.
func (n *node) logsContain(s string) bool { return strings.Contains(n.logs.String(), s) }

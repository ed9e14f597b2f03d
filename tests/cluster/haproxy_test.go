package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/testserver"
)

// requireToolsEnv, set to 1, turns a missing tool into a failure (CI
// installs every tool with scripts/test-deps.sh).
const requireToolsEnv = "HOARD_REQUIRE_TOOLS"

// needTool returns the path of a command, skipping the test when it is
// missing unless HOARD_REQUIRE_TOOLS=1, which fails it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(requireToolsEnv) == "1" {
		t.Fatalf("%s is required (%s=1) but not installed: run scripts/test-deps.sh", name, requireToolsEnv)
	}
	t.Skipf("%s not installed (scripts/test-deps.sh installs it)", name)
	return ""
}

// deployConfig returns docs/deploy/haproxy.cfg with the lines marked
// "test:" adapted to the test cluster: listen on listen, the nodes'
// addresses, the stats socket at socket, logs to stderr, no chroot or
// user switch.
func deployConfig(t *testing.T, c *testCluster, listen, socket string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "docs", "deploy", "haproxy.cfg"))
	if err != nil {
		t.Fatalf("reading the deployment configuration: %v", err)
	}
	server := regexp.MustCompile(`node(\d)\.example\.net:9000`)
	var out strings.Builder
	seen := map[string]int{}
	for _, line := range strings.Split(string(src), "\n") {
		code, marker, ok := strings.Cut(line, "# test:")
		if !ok {
			out.WriteString(line + "\n")
			continue
		}
		marker = strings.TrimSpace(marker)
		seen[marker]++
		indent := code[:len(code)-len(strings.TrimLeft(code, "\t "))]
		switch marker {
		case "log stderr":
			out.WriteString(indent + "log stderr format raw local0 info\n")
		case "removed":
		case "maxconn 200":
			out.WriteString(indent + "maxconn 200\n")
		case "temporary path":
			out.WriteString(indent + "stats socket " + socket + " mode 600 level admin\n")
		case "127.0.0.1 and a free port":
			out.WriteString(indent + "bind " + listen + "\n")
		case "node address":
			m := server.FindStringSubmatch(code)
			if m == nil {
				t.Fatalf("server line without a node address: %q", line)
			}
			i := int(m[1][0] - '1')
			out.WriteString(strings.Replace(code, m[0], c.nodes[i].host, 1) + "\n")
		default:
			t.Fatalf("unknown test marker %q in docs/deploy/haproxy.cfg", marker)
		}
	}
	want := map[string]int{"maxconn 200": 1, "log stderr": 1, "removed": 3, "temporary path": 1, "127.0.0.1 and a free port": 1, "node address": len(c.nodes)}
	for k, n := range want {
		if seen[k] != n {
			t.Fatalf("docs/deploy/haproxy.cfg: %d lines marked %q, want %d", seen[k], k, n)
		}
	}
	return out.String()
}

// haproxy is a running HAProxy.
type haproxy struct {
	t      *testing.T
	socket string
	logs   *lockedBuffer
	exited <-chan struct{}
}

// stats returns HAProxy's per-server status and session count of the
// hoard backend, by server name.
func (h *haproxy) stats() (map[string]string, map[string]string, error) {
	conn, err := net.DialTimeout("unix", h.socket, 2*time.Second)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "show stat\n"); err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(bufio.NewReader(conn))
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("# "))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, nil, fmt.Errorf("stats: %v (%q)", err, b)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	status, sessions := map[string]string{}, map[string]string{}
	for _, row := range rows[1:] {
		if len(row) > col["stot"] && row[col["pxname"]] == "hoard" && strings.HasPrefix(row[col["svname"]], "node") {
			status[row[col["svname"]]] = row[col["status"]]
			sessions[row[col["svname"]]] = row[col["stot"]]
		}
	}
	return status, sessions, nil
}

// waitStatus polls the stats until server's status starts with want.
func (h *haproxy) waitStatus(server, want string, limit time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		select {
		case <-h.exited:
			h.t.Fatalf("HAProxy exited:\n%s", h.logs.String())
		default:
		}
		st, _, err := h.stats()
		if err != nil {
			last = err.Error()
		} else {
			last = st[server]
			if strings.HasPrefix(last, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.t.Fatalf("HAProxy status of %s: got %q, want %s within %v\nHAProxy output:\n%s", server, last, want, limit, tail(h.logs.String(), 4000))
}

func startHAProxy(t *testing.T, bin string, c *testCluster) (*haproxy, string) {
	t.Helper()
	dir := t.TempDir()
	listen := testserver.FreePort(t)
	h := &haproxy{t: t, socket: filepath.Join(dir, "admin.sock"), logs: &lockedBuffer{}}
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(deployConfig(t, c, listen, h.socket)), 0o600); err != nil {
		t.Fatal(err)
	}
	check := exec.Command(bin, "-c", "-f", cfg)
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-f", cfg, "-db")
	cmd.Stdout, cmd.Stderr = h.logs, h.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start haproxy: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	h.exited = exited
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("HAProxy output:\n%s", tail(h.logs.String(), 8000))
		}
	})
	for _, n := range c.nodes {
		h.waitStatus(fmt.Sprintf("node%d", n.index+1), "UP", 30*time.Second)
	}
	return h, "http://" + listen
}

// TestHAProxyFailover: with HAProxy configured as docs/deploy says in
// front of four nodes, uploads and downloads continue while a node is
// killed and restarted; HAProxy marks it down through the health check,
// then up again, and sends it traffic again.
func TestHAProxyFailover(t *testing.T) {
	bin := needTool(t, "haproxy")
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	h, url := startHAProxy(t, bin, c)
	ep := c.nodes[0].endpoint()
	ep.URL = url
	// A client as applications use it: the SDK's standard retries.
	cl := ep.S3Client(t, func(o *s3.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = 5 })
	})
	mkBucket(t, cl, "balanced")
	ctx := ctx(t)
	done := &acked{objs: map[string][2]int{}}
	var failures atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	sizes := []int{2 << 10, 256 << 10, 1<<20 + 1}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("w%d/%05d", w, i)
				seed, size := w*100000+i, sizes[i%len(sizes)]
				if err := put(ctx, cl, "balanced", key, body(uint64(seed), size)); err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("PUT %s: %v", key, err))
					continue
				}
				done.add(key, seed, size)
				got, err := getWhole(ctx, cl, "balanced", key)
				if err != nil || !bytes.Equal(got, body(uint64(seed), size)) {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("GET %s: %d bytes, %v", key, len(got), err))
				}
			}
		}()
	}
	time.Sleep(time.Second)
	c.nodes[1].kill()
	h.waitStatus("node2", "DOWN", 20*time.Second)
	time.Sleep(time.Second)
	_, before, _ := h.stats()
	c.nodes[1].start()
	c.nodes[1].waitReady()
	h.waitStatus("node2", "UP", 20*time.Second)
	// The node gets traffic again.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, now, err := h.stats()
		if err == nil && now["node2"] != before["node2"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node2 got no requests after HAProxy marked it up (sessions %s)", before["node2"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	objs := done.snapshot()
	t.Logf("%d objects written and read back through HAProxy", len(objs))
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d operations through HAProxy failed despite retries; first: %v", n, firstErr.Load())
	}
	if len(objs) < 20 {
		t.Fatalf("workload too small: %d objects", len(objs))
	}
	verifyAll(t, "through HAProxy", []*s3.Client{cl}, "balanced", objs)
}

// getWhole is get as a download manager does it: a body cut short (the
// node streaming it was killed mid-response, which HAProxy cannot retry
// once bytes went out, and the SDK does not retry a body read) is asked
// for again, up to three times. Any other error is returned at once.
func getWhole(ctx context.Context, c *s3.Client, bucket, key string) ([]byte, error) {
	var err error
	for range 3 {
		var b []byte
		if b, err = get(ctx, c, bucket, key); !errors.Is(err, io.ErrUnexpectedEOF) {
			return b, err
		}
	}
	return nil, err
}

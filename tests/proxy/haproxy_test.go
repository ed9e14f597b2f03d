package proxy

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

// Loopback addresses of the parties: HAProxy connects to Hoard from
// proxyAddr (the one Hoard trusts); clients come from the others.
const (
	proxyAddr   = "127.0.0.2"
	allowedAddr = "127.0.0.3" // the client range the bucket policy allows
	otherAddr   = "127.0.0.4"
	defaultAddr = "127.0.0.1"
)

// needTool returns the path of a command, skipping the test when it is
// missing unless HOARD_REQUIRE_TOOLS=1, which fails it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("HOARD_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s is required (HOARD_REQUIRE_TOOLS=1) but not installed: run scripts/test-deps.sh", name)
	}
	t.Skipf("%s not installed (scripts/test-deps.sh installs it)", name)
	return ""
}

// deployConfig returns docs/deploy/haproxy.cfg adapted as the cluster
// tests adapt it (their "test:" markers), for one node: node1's line
// points at hoard and connects from proxyAddr, the other nodes' lines are
// dropped.
func deployConfig(t *testing.T, listen, hoard, socket string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	src, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "docs", "deploy", "haproxy.cfg"))
	if err != nil {
		t.Fatalf("reading the deployment configuration: %v", err)
	}
	server := regexp.MustCompile(`node(\d)\.example\.net:9000`)
	var out strings.Builder
	for _, line := range strings.Split(string(src), "\n") {
		code, marker, ok := strings.Cut(line, "# test:")
		if !ok {
			out.WriteString(line + "\n")
			continue
		}
		indent := code[:len(code)-len(strings.TrimLeft(code, "\t "))]
		switch marker = strings.TrimSpace(marker); marker {
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
			if m[1] == "1" {
				out.WriteString(strings.Replace(code, m[0], hoard, 1) + " source " + proxyAddr + "\n")
			}
		default:
			t.Fatalf("unknown test marker %q in docs/deploy/haproxy.cfg", marker)
		}
	}
	return out.String()
}

// lockedBuffer collects HAProxy's output.
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

// startHAProxy runs HAProxy in front of hoard (host:port) and waits until
// it routes requests to it; it returns HAProxy's URL.
func startHAProxy(t *testing.T, bin, hoard string) string {
	t.Helper()
	dir := t.TempDir()
	listen := testserver.FreePort(t)
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(deployConfig(t, listen, hoard, filepath.Join(dir, "admin.sock"))), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "-f", cfg, "-db")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start haproxy: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("HAProxy output:\n%s", logs.String())
		}
	})
	url := "http://" + listen
	c := client(defaultAddr)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("HAProxy exited:\n%s", logs.String())
		default:
		}
		resp, err := c.Get(url + "/hoard/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("HAProxy does not route to hoard within 30s (last: %v)\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// client returns an HTTP client whose connections come from the loopback
// address from.
func client(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
			DisableKeepAlives: true,
		},
	}
}

// get sends an anonymous GET from the address from, with extra headers,
// and returns the status.
func get(t *testing.T, from, url string, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client(from).Do(req)
	if err != nil {
		t.Fatalf("GET %s from %s: %v", url, from, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func fmtPolicy(bucket string) string {
	return fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%[1]s/*",
     "Condition": {"IpAddress": {"aws:SourceIp": "%[2]s/32"}}},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%[1]s/tls/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}`, bucket, allowedAddr)
}

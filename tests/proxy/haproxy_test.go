package proxy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
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
// dropped. With pem set, HAProxy terminates TLS with that certificate
// (as the file's comment shows).
func deployConfig(t *testing.T, listen, hoard, socket, pem string) string {
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
			if pem != "" {
				listen += " ssl crt " + pem
			}
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

// startHAProxy runs HAProxy in front of hoard (host:port), terminating
// TLS when tlsCert is set, and waits until it routes requests to it; it
// returns HAProxy's URL.
func startHAProxy(t *testing.T, bin, hoard string, tlsCert *testCert) string {
	t.Helper()
	dir := t.TempDir()
	listen := testserver.FreePort(t)
	url, pem := "http://"+listen, ""
	if tlsCert != nil {
		url, pem = "https://"+listen, tlsCert.pemFile
	}
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(deployConfig(t, listen, hoard, filepath.Join(dir, "admin.sock"), pem)), 0o600); err != nil {
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
	c := client(defaultAddr, tlsCert)
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
// address from, trusting cert (when not nil) for HTTPS.
func client(from string, cert *testCert) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}
	if cert != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: cert.pool}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// testCert is a self-signed certificate for 127.0.0.1, in one PEM file
// (certificate and key, as HAProxy's crt takes it).
type testCert struct {
	pemFile string
	pool    *x509.CertPool
}

func newTestCert(t *testing.T) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "hoard proxy test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	crt, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	c := &testCert{pemFile: filepath.Join(t.TempDir(), "s3.pem"), pool: x509.NewCertPool()}
	c.pool.AddCert(crt)
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	if err := os.WriteFile(c.pemFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// get sends an anonymous GET from the address from, with extra headers,
// and returns the status.
func get(t *testing.T, from, url string, header http.Header, cert *testCert) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client(from, cert).Do(req)
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

package server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

func testConfig(t *testing.T, dir string) config.Server {
	t.Helper()
	cfg := config.Defaults()
	cfg.Address = "127.0.0.1:0"
	cfg.ConsoleAddress = ""
	cfg.Drives = []string{dir}
	return cfg
}

func startServer(t *testing.T, cfg config.Server) *Server {
	t.Helper()
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGeneratedCredentialsPersist(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, testConfig(t, dir))
	first := s.Credentials()
	if len(first.AccessKey) != 20 || len(first.SecretKey) != 40 {
		t.Fatalf("got key lengths %d/%d, want 20/40", len(first.AccessKey), len(first.SecretKey))
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, credentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("credentials file mode: got %o, want 600", perm)
	}
	s = startServer(t, testConfig(t, dir))
	defer s.Shutdown(context.Background())
	if s.Credentials() != first {
		t.Errorf("second start: got %+v, want the stored %+v", s.Credentials(), first)
	}
}

func TestConfiguredCredentialsWin(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.RootUser, cfg.RootPassword = "operator", "operator-secret"
	s := startServer(t, cfg)
	defer s.Shutdown(context.Background())
	if got := s.Credentials(); got.AccessKey != "operator" || got.SecretKey != "operator-secret" {
		t.Errorf("got %+v", got)
	}
	if _, err := os.Stat(filepath.Join(cfg.Drives[0], credentialsFile)); !os.IsNotExist(err) {
		t.Errorf("credentials were written although configured: %v", err)
	}
}

func TestHealthEndpoints(t *testing.T) {
	s := startServer(t, testConfig(t, t.TempDir()))
	defer s.Shutdown(context.Background())
	for _, path := range []string{"/hoard/health/live", "/hoard/health/ready", "/hoard/health/cluster"} {
		resp, err := http.Get("http://" + s.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got %d, want 200", path, resp.StatusCode)
		}
	}
}

func TestStaleUploadsAreAborted(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.StaleUploadAge = time.Second
	s := startServer(t, cfg)
	defer s.Shutdown(context.Background())
	ctx := context.Background()
	if err := s.Layer().MakeBucket(ctx, "stale"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Layer().NewMultipartUpload(ctx, "stale", "k", storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		res, err := s.Layer().ListMultipartUploads(ctx, "stale", storage.ListUploadsOptions{MaxUploads: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Uploads) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the stale upload was not aborted within 10s")
}

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.RootUser, cfg.RootPassword = "operator", "operator-secret"
	s := startServer(t, cfg)
	if err := s.Layer().MakeBucket(context.Background(), "inflight"); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", "http://"+s.Addr()+"/inflight/k", nil)
	if err := sigv4.SignRequest(req, s.Credentials(), cfg.Region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Write the request by hand so its headers and first bytes reach the
	// server at once while the rest of the body is held back.
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "PUT /inflight/k HTTP/1.1\r\nHost: %s\r\nContent-Length: 5\r\n", s.Addr())
	for k, vs := range req.Header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, vs[0])
	}
	head.WriteString("\r\nhe")
	if _, err := conn.Write([]byte(head.String())); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is now blocked reading the body
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	time.Sleep(200 * time.Millisecond) // Shutdown has closed the listener and is waiting
	if _, err := http.Get("http://" + s.Addr() + "/hoard/health/live"); err == nil {
		t.Error("a new connection was accepted during shutdown")
	}
	if _, err := conn.Write([]byte("llo")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("in-flight upload got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("in-flight upload: got status %d, want 200", resp.StatusCode)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not return after the last request finished")
	}
}

package cluster

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

const testSecret = "test-access\x00test-secret-key"

// testNode is an RPC server over local drives on 127.0.0.1:0.
type testNode struct {
	srv    *httptest.Server
	rpc    *RPCServer
	drives map[string]drive.Drive
	locks  *LockTable
	auth   *authenticator
}

// openLocal opens a local drive in a fresh folder.
func openLocal(t testing.TB, opts drive.Options) *drive.Local {
	t.Helper()
	d, err := drive.OpenLocal(filepath.Join(t.TempDir(), "d"), opts)
	if err != nil {
		t.Fatalf("OpenLocal: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// startNode serves drives (keyed by folder) with secret on 127.0.0.1:0;
// the server is closed when the test ends.
func startNode(t testing.TB, secret string, drives map[string]drive.Drive) *testNode {
	t.Helper()
	n := &testNode{drives: drives, locks: NewLockTable(0, nil)}
	// The listener exists before the server starts: the node's name (its
	// address) is known before it answers.
	n.srv = httptest.NewUnstartedServer(nil)
	n.auth = newAuthenticator(DeriveKey(secret), n.srv.Listener.Addr().String(), 0, nil)
	n.rpc = newRPCServer(n.auth, drives, n.locks, func() PingInfo { return PingInfo{Host: "test", Topology: "topo"} }, testLogger(t))
	n.srv.Config.Handler = n.rpc
	n.srv.Start()
	t.Cleanup(n.srv.Close)
	return n
}

// host returns the node's host:port.
func (n *testNode) host() string { return strings.TrimPrefix(n.srv.URL, "http://") }

// newTestPeer returns a Peer of n using secret, waiting until it is online.
func newTestPeer(t testing.TB, host, secret string, opts PeerOptions) *Peer {
	t.Helper()
	if opts.ProbeInterval == 0 {
		opts.ProbeInterval = 20 * time.Millisecond
	}
	opts.Logger = testLogger(t)
	p := newPeer("http", host, "topo", newAuthenticator(DeriveKey(secret), "", 0, nil), opts)
	t.Cleanup(p.Close)
	return p
}

// waitOnline polls until p is online or the time limit passes.
func waitOnline(t testing.TB, p *Peer, want bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.Online() != want {
		if time.Now().After(deadline) {
			t.Fatalf("peer %s online: got %v, want %v (last error %q)", p.Host(), p.Online(), want, p.LastError())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// restartAt starts a new server for handler on a fixed loopback address
// (one a closed test server used), retrying while the port is in TIME_WAIT.
func restartAt(t testing.TB, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 100; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	s := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

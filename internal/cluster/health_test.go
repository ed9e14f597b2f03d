package cluster

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// TestDeadNodeCostsOneFailure: after the first failed call marks a node
// offline, further calls fail at once without touching the network, and
// the node is back soon after it answers again.
func TestDeadNodeCostsOneFailure(t *testing.T) {
	t.Parallel()
	d := openLocal(t, drive.Options{})
	n := startNode(t, testSecret, map[string]drive.Drive{"/d": d})
	addr := n.host()
	p := newTestPeer(t, addr, testSecret, PeerOptions{ProbeInterval: 50 * time.Millisecond})
	waitOnline(t, p, true)
	r := NewRemote(p, "http://"+addr+"/d", "/d")
	ctx := context.Background()
	if _, err := r.DiskInfo(ctx); err != nil {
		t.Fatalf("DiskInfo while up: %v", err)
	}
	n.srv.CloseClientConnections()
	n.srv.Close()
	if _, err := r.DiskInfo(ctx); !errors.Is(err, ErrOffline) {
		t.Fatalf("first call to a dead node: got %v, want ErrOffline", err)
	}
	if p.Online() {
		t.Fatalf("after a network failure: got online, want offline")
	}
	start := time.Now()
	for i := 0; i < 1000; i++ {
		if _, err := r.Get(ctx, drive.NSObject, "k"); !errors.Is(err, ErrOffline) {
			t.Fatalf("call %d to an offline node: got %v, want ErrOffline", i, err)
		}
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("1000 calls to an offline node took %v, want them to fail fast", el)
	}
	if _, err := r.CreateShard(ctx, "ab", "part.1", 1); !errors.Is(err, ErrOffline) {
		t.Fatalf("CreateShard on an offline node: got %v, want ErrOffline", err)
	}
	restartAt(t, addr, n.rpc)
	waitOnline(t, p, true)
	if _, err := r.DiskInfo(ctx); err != nil {
		t.Fatalf("DiskInfo after restart: %v", err)
	}
}

// TestHungNodeTimesOut: a node that accepts connections but never answers
// costs one call timeout, then fails fast.
func TestHungNodeTimesOut(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	block := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == rpcPrefix+"ping" {
			w.Write([]byte(`{"host":"h","topology":"topo"}`))
			return
		}
		<-block
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { close(block); srv.Close() })
	p := newTestPeer(t, ln.Addr().String(), testSecret, PeerOptions{CallTimeout: 300 * time.Millisecond, ProbeInterval: time.Hour})
	waitOnline(t, p, true)
	r := NewRemote(p, "http://x/d", "/d")
	start := time.Now()
	_, err = r.Get(context.Background(), drive.NSObject, "k")
	if !errors.Is(err, ErrOffline) {
		t.Fatalf("call to a hung node: got %v, want ErrOffline", err)
	}
	if el := time.Since(start); el < 250*time.Millisecond || el > 5*time.Second {
		t.Fatalf("first call took %v, want about the call timeout", el)
	}
	start = time.Now()
	_, err = r.Get(context.Background(), drive.NSObject, "k")
	if !errors.Is(err, ErrOffline) || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("second call: got %v after %v, want ErrOffline at once", err, time.Since(start))
	}
}

// TestCallerCancelDoesNotMarkOffline: a call the caller gives up on is
// not the node's fault.
func TestCallerCancelDoesNotMarkOffline(t *testing.T) {
	t.Parallel()
	d := openLocal(t, drive.Options{})
	n := startNode(t, testSecret, map[string]drive.Drive{"/d": d})
	p := newTestPeer(t, n.host(), testSecret, PeerOptions{})
	waitOnline(t, p, true)
	r := NewRemote(p, "http://"+n.host()+"/d", "/d")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Get(ctx, drive.NSObject, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: got %v, want context.Canceled", err)
	}
	w, err := r.CreateShard(context.Background(), "abcd", "part.1", 10)
	if err != nil {
		t.Fatalf("CreateShard: %v", err)
	}
	w.Write([]byte("12345"))
	w.Abort()
	if !p.Online() {
		t.Fatalf("after a cancelled call and an aborted stream: got offline (%s), want online", p.LastError())
	}
}

package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// testMember is one in-process node of a test cluster.
type testMember struct {
	c   *Cluster
	srv *http.Server
	ln  net.Listener
}

// startMembers builds n nodes with one drive each on 127.0.0.1 ports,
// serving their RPC handlers.
func startMembers(t *testing.T, n int) []*testMember {
	t.Helper()
	lns := make([]net.Listener, n)
	var args []string
	dirs := make([]string, n)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns[i] = ln
		dirs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("d%d", i))
		args = append(args, "http://"+ln.Addr().String()+dirs[i])
	}
	ms := make([]*testMember, n)
	for i := range ms {
		topo, err := ParseTopology(args, lns[i].Addr().String(), Resolver{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := drive.OpenLocal(dirs[i], drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		c, err := New(Config{Topology: topo, LocalDrives: map[string]drive.Drive{dirs[i]: d}, Secret: testSecret,
			Peer: PeerOptions{ProbeInterval: 20 * time.Millisecond, Heartbeat: 50 * time.Millisecond, DialTimeout: time.Second}, Logger: testLogger(t)})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		t.Cleanup(c.Close)
		srv := &http.Server{Handler: c.Handler()}
		go srv.Serve(lns[i])
		t.Cleanup(func() { srv.Close() })
		ms[i] = &testMember{c: c, srv: srv, ln: lns[i]}
	}
	return ms
}

func TestClusterStartAndQuorum(t *testing.T) {
	t.Parallel()
	ms := startMembers(t, 3)
	ctx := context.Background()
	start, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ms[0].c.AwaitStart(start); err != nil {
		t.Fatalf("first node AwaitStart on a fresh cluster: %v", err)
	}
	short, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	if err := ms[1].c.AwaitStart(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second node AwaitStart before any format: got %v, want to keep waiting", err)
	}
	// The first node formats (as the engine would) and becomes ready.
	ids := [][]string{{"id0", "id1", "id2"}}
	for i, d := range ms[0].c.Drives() {
		if err := d.WriteFormat(ctx, drive.Format{Version: 1, Deployment: "dep", DriveID: ids[0][i], Sets: ids}); err != nil {
			t.Fatalf("WriteFormat %s: %v", d.Endpoint(), err)
		}
	}
	ms[0].c.SetReady(true)
	start2, cancel3 := context.WithTimeout(ctx, 10*time.Second)
	defer cancel3()
	if err := ms[1].c.AwaitStart(start2); err != nil {
		t.Fatalf("second node AwaitStart after the format: %v", err)
	}
	if !ms[0].c.HasWriteQuorum(3, 1) {
		t.Fatalf("HasWriteQuorum with every node up: got false, want true")
	}
	if !ms[0].c.Coordinator() || ms[1].c.Coordinator() || ms[2].c.Coordinator() {
		t.Fatalf("Coordinator: got %v %v %v, want only the first node", ms[0].c.Coordinator(), ms[1].c.Coordinator(), ms[2].c.Coordinator())
	}
	// Sets are dealt to the online nodes in turn, each set to one node.
	for set := range 6 {
		for i, m := range ms {
			if got, want := m.c.OwnsSet(set), set%3 == i; got != want {
				t.Errorf("node %d OwnsSet(%d) with every node up: got %v, want %v", i, set, got, want)
			}
		}
	}
	// One node of three gone: 2 nodes (lock quorum 2) and 2 drives (write
	// quorum of a 2+1 set) remain.
	ms[2].srv.Close()
	waitFor(t, func() bool { return ms[0].c.OnlineNodes() == 2 })
	if !ms[0].c.OwnsSet(0) || ms[0].c.OwnsSet(1) || !ms[0].c.OwnsSet(2) {
		t.Errorf("OwnsSet of the first node with the third gone: got %v %v %v, want sets 0 and 2", ms[0].c.OwnsSet(0), ms[0].c.OwnsSet(1), ms[0].c.OwnsSet(2))
	}
	if !ms[0].c.HasWriteQuorum(3, 1) {
		t.Fatalf("HasWriteQuorum with one node of three down: got false, want true")
	}
	ms[0].srv.Close()
	waitFor(t, func() bool { return !ms[1].c.peers[0].Online() })
	if !ms[1].c.Coordinator() {
		t.Fatalf("Coordinator of the second node with the first one gone: got false, want true")
	}
	ms[1].srv.Close()
	waitFor(t, func() bool { return ms[0].c.OnlineNodes() == 1 })
	if ms[0].c.HasWriteQuorum(3, 1) {
		t.Fatalf("HasWriteQuorum alone: got true, want false")
	}
	states := ms[0].c.Nodes()
	if !states[0].Local || !states[0].Online || states[1].Online || states[1].Error == "" {
		t.Fatalf("Nodes: got %+v, want this node online and node 2 offline with its error", states)
	}
	if _, err := ms[0].c.Locker().Lock(ctx, "k"); !errors.Is(err, ErrLockQuorum) {
		t.Fatalf("Lock alone: got %v, want ErrLockQuorum", err)
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

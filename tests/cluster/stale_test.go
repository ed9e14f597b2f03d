package cluster

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/server"
	"github.com/hoardstore/hoard/internal/testserver"
)

// slowSwitch makes every commit of a drive return late, once armed: a
// rebuild onto it then lasts long enough to be watched.
type slowSwitch struct {
	armed atomic.Bool
	delay time.Duration
}

// fault is the drive's commit hook (drive.Options.Fault).
func (s *slowSwitch) fault(step string) error {
	if step == drive.FaultAfterCommit && s.armed.Load() {
		time.Sleep(s.delay)
	}
	return nil
}

// TestClusterStaleDriveKnown repairs the drive of node 4 (its metadata
// tables flipped while the node was down; the node moves the store aside
// and rebuilds the drive, slowly: each commit onto it takes 3 s)
// in a 4-node cluster, one drive per node. Nodes 1-3 show the drive
// healing within seconds, without a restart; with node 1 stopped as well
// during the rebuild, every object reads through nodes 2-4 byte-exact or
// 503, never 404 or other bytes; once rebuilt, nodes 2 and 3 (never
// restarted) show it online again, and it then serves everything with
// two other nodes stopped.
func TestClusterStaleDriveKnown(t *testing.T) {
	slow := &slowSwitch{delay: 3 * time.Second}
	nodes := testserver.StartCluster(t, testserver.ClusterOptions{
		Options: testserver.Options{Drives: 1, Server: server.Options{DriveOptions: drive.Options{MemTableSize: 64 << 10}}},
		Nodes:   4,
		Node: func(i int, o *testserver.Options) {
			if i == 3 {
				o.Server.DriveOptions.Fault = slow.fault
			}
		},
	})
	e := &damageEnv{nodes: nodes, http: nodes[0].HTTPClient(t), objs: map[string][2]int{}}
	for _, n := range nodes {
		e.clients = append(e.clients, n.S3Client(t))
	}
	mkBucket(t, e.clients[0], "damage")
	sizes := []int{0, 100, 3000, 40 << 10, 40<<10 + 1, 300 << 10, 1<<20 + 7}
	for i := range 56 { // enough for flushed tables (see TestClusterDamage)
		key := fmt.Sprintf("obj/%03d", i)
		e.objs[key] = [2]int{i + 1, sizes[i%len(sizes)]}
		if err := put(ctx(t), e.clients[i%4], "damage", key, body(uint64(i+1), sizes[i%len(sizes)])); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
	}
	dir := nodes[3].DriveDirs[0]
	nodes[3].Stop(t)
	damageTables(t, dir, modeFlip)
	slow.armed.Store(true)
	t.Cleanup(func() { slow.armed.Store(false) }) // before the cluster stops
	nodes[3].Restart(t)

	repaired := e.waitDriveState(t, []int{3}, dir, "healing", 30*time.Second)
	known := e.waitDriveState(t, []int{0, 1, 2}, dir, "healing", 10*time.Second)
	t.Logf("nodes 1-3 showed the repaired drive healing %v after its own node did", known.Sub(repaired).Round(time.Millisecond))
	if lag := known.Sub(repaired); lag > 5*time.Second {
		t.Errorf("nodes 1-3 showed the repaired drive healing %v after its node; want within a few seconds", lag)
	}

	nodes[0].Stop(t)
	start := time.Now()
	served, refused := e.readDuringRebuild(t, []int{1, 2, 3})
	t.Logf("with node 1 stopped and node 4's drive rebuilding: %d reads byte-exact, %d answered 503, in %v", served, refused, time.Since(start).Round(time.Millisecond))
	for _, n := range []int{1, 2, 3} {
		if d := driveOf(t, e.info(t, n), dir); d.State != "healing" {
			t.Errorf("node %d shows the drive %s (%s) after the reads; want still healing (the reads must overlap the rebuild)", n+1, d.State, d.Reason)
		}
	}
	slow.armed.Store(false)
	nodes[0].Restart(t)
	e.waitReady(t)
	e.waitDriveState(t, []int{1, 2}, dir, "online", 60*time.Second)
	e.waitAllOnline(t, 60*time.Second)
	e.proveRedundancy(t, 3)
}

// waitDriveState waits until each node of which shows the drive in dir
// in state, and returns when the last one did.
func (e *damageEnv) waitDriveState(t *testing.T, which []int, dir, state string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	pending := map[int]string{}
	for _, n := range which {
		pending[n] = "no answer"
	}
	for len(pending) > 0 {
		for n := range pending {
			var info admin.Info
			if st, err := e.tryAdmin(t, n, http.MethodGet, "info", &info); err != nil || st != http.StatusOK {
				continue // not ready yet
			}
			d := driveOf(t, info, dir)
			if d.State == state {
				delete(pending, n)
			} else {
				pending[n] = d.State + " (" + d.Reason + ")"
			}
		}
		if len(pending) > 0 && time.Now().After(deadline) {
			t.Fatalf("after %v, want the drive %s on nodes %v; still: %v", limit, state, which, pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Now()
}

// readDuringRebuild lists and reads every object through the nodes
// which: each answer must be the object byte-exact or 503, never 404 nor
// other bytes. It returns how many reads were served and refused.
func (e *damageEnv) readDuringRebuild(t *testing.T, which []int) (served, refused int) {
	t.Helper()
	ctx := ctx(t)
	status := func(err error) int {
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}
	for _, n := range which {
		keys, err := listKeys(ctx, e.clients[n], "damage", "")
		switch {
		case err != nil && status(err) != http.StatusServiceUnavailable:
			t.Errorf("LIST through node %d: %v; want every key or 503", n+1, err)
		case err == nil && len(keys) != len(e.objs):
			t.Errorf("LIST through node %d: %d keys, want %d", n+1, len(keys), len(e.objs))
		}
	}
	for key, v := range e.objs {
		for _, n := range which {
			got, err := get(ctx, e.clients[n], "damage", key)
			switch {
			case err != nil && status(err) == http.StatusServiceUnavailable:
				refused++
			case err != nil:
				t.Errorf("GET %s through node %d: %v (status %d); want the object or 503", key, n+1, err, status(err))
			case digest(got) != digest(body(uint64(v[0]), v[1])):
				t.Errorf("GET %s through node %d: %d bytes differing from the %d written", key, n+1, len(got), v[1])
			default:
				served++
			}
		}
	}
	return served, refused
}

package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/cluster"
	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/testserver"
)

// driveProbe reads one node's drives directly over the node-to-node API
// (as a peer would), to check what they hold without disturbing the node.
type driveProbe struct {
	peer   *cluster.Peer
	drives []*cluster.Remote
}

func newDriveProbe(t *testing.T, c *testCluster, n *node) *driveProbe {
	t.Helper()
	topo, err := cluster.ParseTopology(c.args, n.host, cluster.Resolver{})
	if err != nil {
		t.Fatalf("ParseTopology: %v", err)
	}
	p := cluster.NewPeer(topo, n.host, testserver.DefaultAccessKey+"\x00"+testserver.DefaultSecretKey, cluster.PeerOptions{})
	t.Cleanup(p.Close)
	dp := &driveProbe{peer: p}
	for _, d := range n.drives {
		dp.drives = append(dp.drives, cluster.NewRemote(p, n.url()+d, d))
	}
	return dp
}

// holds reports whether every drive of the node holds the current record
// of bucket/key and its shard data.
func (dp *driveProbe) holds(ctx context.Context, bucket, key string) (bool, error) {
	for _, d := range dp.drives {
		b, err := d.Get(ctx, drive.NSObject, drive.ObjectKey(bucket, key))
		if err != nil {
			return false, err
		}
		rec, err := meta.DecodeRecord(b)
		if err != nil || len(rec.Versions) == 0 {
			return false, fmt.Errorf("record of %s: %v", key, err)
		}
		v := rec.Versions[0]
		if v.Inline {
			if _, err := d.Get(ctx, drive.NSInline, drive.InlineKey(v.DataDir)); err != nil {
				return false, err
			}
			continue
		}
		names, err := d.ListShards(ctx, v.DataDir)
		if err != nil || len(names) == 0 {
			return false, fmt.Errorf("shards of %s: %v", key, err)
		}
	}
	return true, nil
}

// TestRestartedNodeHeals: objects written while a node was down reach its
// drives after it restarts, without any command; then the cluster can
// lose two other nodes and still read them all.
func TestRestartedNodeHeals(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	clients := make([]*s3.Client, 4)
	for i := range clients {
		clients[i] = c.nodes[i].s3Client(t)
	}
	mkBucket(t, clients[0], "healing")
	ctx := ctx(t)
	c.nodes[3].kill()
	objs := map[string][2]int{}
	sizes := []int{5 << 10, 200 << 10, 2<<20 + 9}
	for i := 0; i < 24; i++ {
		key := fmt.Sprintf("missed/%02d", i)
		objs[key] = [2]int{i + 1, sizes[i%len(sizes)]}
		if err := put(ctx, clients[i%3], "healing", key, body(uint64(i+1), sizes[i%len(sizes)])); err != nil {
			t.Fatalf("PUT %s with node 4 down: %v", key, err)
		}
	}
	c.nodes[3].start()
	c.nodes[3].waitReady()
	// No reads, no heal command: the node must catch up by itself.
	probe := newDriveProbe(t, c, c.nodes[3])
	deadline := time.Now().Add(90 * time.Second)
	for key := range objs {
		for {
			ok, err := probe.holds(ctx, "healing", key)
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node 4's drives still lack %s (%v) %v after its restart", key, err, 90*time.Second)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// With nodes 2 and 3 gone, only nodes 1 and 4 hold shards: 4 of 8,
	// exactly the read quorum, so every read needs node 4's healed copies.
	c.nodes[1].kill()
	c.nodes[2].kill()
	verifyAll(t, "nodes 1 and 4 alone", []*s3.Client{clients[0], clients[3]}, "healing", objs)
}

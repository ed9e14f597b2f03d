package cluster

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestReadAfterWriteAcrossNodes: a write acknowledged by one node is seen
// at once by GET, HEAD and LIST through every other node; deletes too.
func TestReadAfterWriteAcrossNodes(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	clients := make([]*s3.Client, len(c.nodes))
	for i, n := range c.nodes {
		clients[i] = n.s3Client(t)
	}
	ctx := ctx(t)
	mkBucket(t, clients[0], "raw")
	for i := range c.nodes {
		if _, err := clients[i].HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("raw")}); err != nil {
			t.Fatalf("HeadBucket through node %d right after CreateBucket through node 1: %v", i+1, err)
		}
	}
	sizes := []int{0, 1, 4 << 10, 200 << 10, 3<<20 + 5}
	for k := 0; k < 20; k++ {
		w, r, l, d := clients[k%4], clients[(k+1)%4], clients[(k+2)%4], clients[(k+3)%4]
		key := fmt.Sprintf("dir/obj-%02d", k)
		data := body(uint64(k), sizes[k%len(sizes)])
		if err := put(ctx, w, "raw", key, data); err != nil {
			t.Fatalf("PUT %s through node %d: %v", key, k%4+1, err)
		}
		got, err := get(ctx, r, "raw", key)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("GET %s through node %d right after PUT: got %d bytes, %v; want %d bytes", key, (k+1)%4+1, len(got), err, len(data))
		}
		head, err := l.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("raw"), Key: aws.String(key)})
		if err != nil || aws.ToInt64(head.ContentLength) != int64(len(data)) {
			t.Fatalf("HEAD %s through node %d: got %v, want size %d", key, (k+2)%4+1, err, len(data))
		}
		keys, err := listKeys(ctx, l, "raw", "dir/")
		if err != nil || !keys[key] {
			t.Fatalf("LIST through node %d right after PUT: %s missing (%v)", (k+2)%4+1, key, err)
		}
		if k%2 == 1 {
			continue // keep half the objects
		}
		if _, err := d.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("raw"), Key: aws.String(key)}); err != nil {
			t.Fatalf("DELETE %s through node %d: %v", key, (k+3)%4+1, err)
		}
		if _, err := w.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("raw"), Key: aws.String(key)}); errorCode(err) != "NotFound" {
			t.Fatalf("HEAD %s through node %d right after DELETE: got %v, want NotFound", key, k%4+1, err)
		}
		keys, err = listKeys(ctx, r, "raw", "dir/")
		if err != nil || keys[key] {
			t.Fatalf("LIST through node %d right after DELETE: %s still listed (%v)", (k+1)%4+1, key, err)
		}
	}
	for i, cl := range clients {
		keys, err := listKeys(ctx, cl, "raw", "")
		if err != nil || len(keys) != 10 {
			t.Fatalf("final LIST through node %d: got %d keys, %v; want 10", i+1, len(keys), err)
		}
	}
}

// TestMultipartAcrossNodes: an upload started on one node takes parts
// through the others and completes on a fourth.
func TestMultipartAcrossNodes(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	ctx := ctx(t)
	cl := make([]*s3.Client, 4)
	for i := range cl {
		cl[i] = c.nodes[i].s3Client(t)
	}
	mkBucket(t, cl[0], "multipart")
	up, err := cl[0].CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("multipart"), Key: aws.String("big")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var parts []types.CompletedPart
	var whole []byte
	for p := int32(1); p <= 3; p++ {
		data := body(uint64(p), 5<<20+int(p))
		if p == 3 {
			data = data[:1234]
		}
		whole = append(whole, data...)
		out, err := cl[p].UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("multipart"), Key: aws.String("big"), UploadId: up.UploadId, PartNumber: aws.Int32(p), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatalf("UploadPart %d through node %d: %v", p, p+1, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(p)})
	}
	lp, err := cl[2].ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("multipart"), Key: aws.String("big"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 3 {
		t.Fatalf("ListParts through node 3: got %v, %v; want 3 parts", lp, err)
	}
	_, err = cl[3].CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("multipart"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload through node 4: %v", err)
	}
	for i := range cl {
		got, err := get(ctx, cl[i], "multipart", "big")
		if err != nil || !bytes.Equal(got, whole) {
			t.Fatalf("GET through node %d: got %d bytes, %v; want %d", i+1, len(got), err, len(whole))
		}
	}
}

// TestMinorityRefusesWrites: nodes cut off from the majority refuse
// writes (503) but still serve reads they can reach quorum for; health
// says so; when the others return, writes work again.
func TestMinorityRefusesWrites(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	ctx := ctx(t)
	a := c.nodes[0].s3Client(t)
	mkBucket(t, a, "minority")
	data := body(7, 300<<10)
	if err := put(ctx, a, "minority", "before", data); err != nil {
		t.Fatalf("PUT with every node up: %v", err)
	}
	c.nodes[2].kill()
	c.nodes[3].kill()
	// Two of four nodes: no majority for locks, 4 of 8 drives: below the
	// write quorum of a 4+4 set.
	for i := 0; i < 3; i++ {
		err := put(ctx, a, "minority", fmt.Sprintf("refused-%d", i), data)
		if code := errorCode(err); code != "SlowDown" && code != "ServiceUnavailable" {
			t.Fatalf("PUT through a minority (attempt %d): got %v, want a 503 refusal", i+1, err)
		}
	}
	for _, n := range c.nodes[:2] {
		n.waitHealth("cluster", http.StatusServiceUnavailable, 10*time.Second)
		n.waitHealth("ready", http.StatusServiceUnavailable, 10*time.Second)
		if got := n.health("live"); got != http.StatusOK {
			t.Fatalf("node %d live: got %d, want 200", n.index+1, got)
		}
	}
	if got, err := get(ctx, c.nodes[1].s3Client(t), "minority", "before"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GET through the minority: got %d bytes, %v; want the object", len(got), err)
	}
	keys, err := listKeys(ctx, a, "minority", "")
	if err != nil || len(keys) != 1 || !keys["before"] {
		t.Fatalf("LIST through the minority: got %v, %v; want only the acknowledged object", keys, err)
	}
	c.nodes[2].start()
	c.nodes[3].start()
	for _, n := range c.nodes {
		n.waitReady()
	}
	if err := put(ctx, a, "minority", "after", data); err != nil {
		t.Fatalf("PUT after the majority returned: %v", err)
	}
}

// TestStartInAnyOrder: a node started alone waits, saying for whom; the
// cluster forms once enough nodes run.
func TestStartInAnyOrder(t *testing.T) {
	c := newCluster(t, clusterOptions{nodes: 4, drives: 1})
	c.nodes[2].start()
	deadline := time.Now().Add(20 * time.Second)
	for !c.nodes[2].logsContain("waiting for") {
		if time.Now().After(deadline) {
			t.Fatalf("a lone node did not log what it waits for")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := c.nodes[2].health("ready"); got != http.StatusServiceUnavailable {
		t.Fatalf("lone node ready: got %d, want 503", got)
	}
	if got := c.nodes[2].health("live"); got != http.StatusOK {
		t.Fatalf("lone node live: got %d, want 200", got)
	}
	cl := c.nodes[2].s3Client(t)
	if _, err := cl.ListBuckets(ctx(t), &s3.ListBucketsInput{}); errorCode(err) != "SlowDown" {
		t.Fatalf("S3 on a lone node: got %v, want SlowDown", err)
	}
	for _, i := range []int{3, 0, 1} {
		c.nodes[i].start()
	}
	for _, n := range c.nodes {
		n.waitReady()
	}
	logs := c.nodes[2].logs.String()
	for _, want := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.4"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("waiting log does not name %s:\n%s", want, tail(logs, 2000))
		}
	}
	mkBucket(t, cl, "formed")
}

// TestWrongSecretIsRefused: a node started with another cluster secret
// cannot join (its peers refuse its calls and it refuses theirs), so a
// new cluster does not form; with the right secret it does.
func TestWrongSecretIsRefused(t *testing.T) {
	c := newCluster(t, clusterOptions{nodes: 4, drives: 1, env: []string{"HOARD_CLUSTER_SECRET=the-cluster-secret"}})
	c.nodes[3].env = []string{"HOARD_CLUSTER_SECRET=another-secret"}
	for _, n := range c.nodes {
		n.start()
	}
	deadline := time.Now().Add(20 * time.Second)
	for !c.nodes[0].logsContain("authentication failed") || !c.nodes[3].logsContain("authentication failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no node logged an authentication failure")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, n := range c.nodes {
		n.waitHealth("live", http.StatusOK, 20*time.Second)
		if got := n.health("ready"); got != http.StatusServiceUnavailable {
			t.Fatalf("node %d ready with a stranger among the nodes: got %d, want 503", n.index+1, got)
		}
	}
	c.nodes[3].kill()
	c.nodes[3].env = nil
	c.nodes[3].start()
	for _, n := range c.nodes {
		n.waitReady()
	}
	mkBucket(t, c.nodes[3].s3Client(t), "joined")
}

package cluster

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestACLChangesAcrossNodes: an ACL, ownership or public access block
// change made through one node decides the very next anonymous request
// on every other node (bucket settings live in the bucket record, object
// grants in the version, both read with quorum).
func TestACLChangesAcrossNodes(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 1})
	cl := make([]*s3.Client, len(c.nodes))
	for i, n := range c.nodes {
		cl[i] = n.s3Client(t)
	}
	ctx := ctx(t)
	b := aws.String("acl-nodes")
	if _, err := cl[0].CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
		t.Fatalf("CreateBucket ObjectWriter through node 1: %v", err)
	}
	if err := put(ctx, cl[1], *b, "k", []byte("shared")); err != nil {
		t.Fatalf("PUT through node 2: %v", err)
	}
	anon := func(method, key string, body []byte) int {
		t.Helper()
		var codes []int
		for _, n := range c.nodes {
			req, err := http.NewRequestWithContext(ctx, method, n.url()+"/"+*b+"/"+key, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.transport().RoundTrip(req)
			if err != nil {
				t.Fatalf("anonymous %s through %s: %v", method, n.host, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes = append(codes, resp.StatusCode)
		}
		for i, code := range codes {
			if code != codes[0] {
				t.Fatalf("anonymous %s %s: node %d answered %d, node 1 %d", method, key, i+1, code, codes[0])
			}
		}
		return codes[0]
	}
	if got := anon(http.MethodGet, "k", nil); got != http.StatusForbidden {
		t.Fatalf("anonymous GET of a private object: got %d, want 403 on every node", got)
	}
	if _, err := cl[2].PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatalf("PutObjectAcl public-read through node 3: %v", err)
	}
	if got := anon(http.MethodGet, "k", nil); got != http.StatusOK {
		t.Fatalf("anonymous GET after public-read set on node 3: got %d, want 200 on every node", got)
	}
	if _, err := cl[3].PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPublicReadWrite}); err != nil {
		t.Fatalf("PutBucketAcl public-read-write through node 4: %v", err)
	}
	if got := anon(http.MethodPut, "anon", []byte("x")); got != http.StatusOK {
		t.Fatalf("anonymous PUT after public-read-write set on node 4: got %d, want 200 on every node", got)
	}
	if _, err := cl[0].PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatalf("PutPublicAccessBlock through node 1: %v", err)
	}
	if got := anon(http.MethodGet, "k", nil); got != http.StatusForbidden {
		t.Fatalf("anonymous GET under IgnorePublicAcls set on node 1: got %d, want 403 on every node", got)
	}
	if _, err := cl[1].DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b}); err != nil {
		t.Fatalf("DeletePublicAccessBlock through node 2: %v", err)
	}
	if _, err := cl[2].PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatalf("PutObjectAcl private through node 3: %v", err)
	}
	if got := anon(http.MethodGet, "k", nil); got != http.StatusForbidden {
		t.Fatalf("anonymous GET after private set on node 3: got %d, want 403 on every node", got)
	}
	if _, err := cl[3].PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("PutBucketAcl private through node 4: %v", err)
	}
	if got := anon(http.MethodPut, "anon2", []byte("x")); got != http.StatusForbidden {
		t.Fatalf("anonymous PUT after private set on node 4: got %d, want 403 on every node", got)
	}
	for i, client := range cl {
		out, err := client.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("k")})
		if err != nil || len(out.Grants) != 1 || out.Grants[0].Permission != types.PermissionFullControl {
			t.Fatalf("GetObjectAcl through node %d: %v %+v, want the owner's full control only", i+1, err, out)
		}
	}
}

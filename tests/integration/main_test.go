package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// mode is one server layout the whole suite runs against.
type mode struct {
	name   string
	drives int
	// nodes, when above 1, runs a cluster of that many in-process nodes
	// with drives drive folders each; the test's clients talk to
	// different nodes (see newClusterEnv).
	nodes int
}

// modes lists the layouts every test runs on. To run the suite on the
// erasure-coded engine too, add this line:
//
//	{name: "4drives", drives: 4},
var modes = []mode{
	{name: "1drive", drives: 1},
	{name: "4drives", drives: 4},
	{name: "cluster", drives: 1, nodes: 4},
}

// env is one running server and the clients the tests drive it with.
type env struct {
	mode mode
	srv  *testserver.Server
	// s3 is aws-sdk-go-v2 (path style, signed payloads, CRC32 header
	// checksums by default).
	s3 *s3.Client
	// s3b is aws-sdk-go-v2 too, at another node in a cluster (at the same
	// server otherwise): a retry that lands elsewhere.
	s3b *s3.Client
	// mc is minio-go; over plain HTTP it signs bodies with
	// STREAMING-AWS4-HMAC-SHA256-PAYLOAD.
	mc *minio.Client
	// core is minio-go's low-level client (manual multipart).
	core *minio.Core
	// http is a plain client for hand-built requests.
	http *http.Client
	seq  atomic.Int64
}

// forEachMode runs fn once per mode, in parallel subtests named after the
// mode, each against a fresh server started with opts (Drives is set from
// the mode).
func forEachMode(t *testing.T, opts testserver.Options, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			o := opts
			o.Drives = m.drives
			if m.nodes > 1 {
				nodes := testserver.StartCluster(t, testserver.ClusterOptions{Options: o, Nodes: m.nodes})
				fn(t, newClusterEnv(t, m, nodes))
				return
			}
			fn(t, newEnv(t, m, testserver.Start(t, o)))
		})
	}
}

// run is forEachMode with the default options.
func run(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	forEachMode(t, testserver.Options{}, fn)
}

// newClusterEnv aims each client at a different node, so a test that
// writes with one client and reads with another crosses nodes.
func newClusterEnv(t *testing.T, m mode, nodes []*testserver.Server) *env {
	at := func(i int) *testserver.Server { return nodes[i%len(nodes)] }
	return &env{
		mode: m,
		srv:  at(0),
		s3:   at(0).S3Client(t),
		s3b:  at(1).S3Client(t),
		mc:   at(1).MinioClient(t),
		core: at(2).MinioCore(t),
		http: at(3).HTTPClient(t),
	}
}

func newEnv(t *testing.T, m mode, srv *testserver.Server) *env {
	return &env{
		mode: m,
		srv:  srv,
		s3:   srv.S3Client(t),
		s3b:  srv.S3Client(t),
		mc:   srv.MinioClient(t),
		core: srv.MinioCore(t),
		http: srv.HTTPClient(t),
	}
}

// ctx returns a context bounded to a minute, cancelled when t ends.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// bucketName returns a new valid, unique bucket name derived from t's name.
func (e *env) bucketName(t testing.TB) string {
	n := e.seq.Add(1)
	var b strings.Builder
	last := t.Name()
	if i := strings.LastIndex(last, "/"); i >= 0 {
		last = last[i+1:]
	}
	for _, r := range strings.ToLower(last) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 40 {
		name = strings.Trim(name[:40], "-")
	}
	return fmt.Sprintf("b%d-%s", n, name)
}

// bucket creates a new bucket with aws-sdk-go-v2 and returns its name.
func (e *env) bucket(t testing.TB) string {
	t.Helper()
	name := e.bucketName(t)
	if _, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
	return name
}

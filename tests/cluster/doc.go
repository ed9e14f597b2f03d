// Package cluster holds the multi-process cluster tests: four real
// `hoard server` processes on 127.0.0.1 to 127.0.0.4 (free ports), two
// drive folders each, driven over S3 through different nodes while nodes
// are killed with SIGKILL and restarted, and an end-to-end test with a
// real HAProxy in front of them using the configuration in docs/deploy.
//
// It imports internal/testserver and the S3 client libraries, and, to
// check what a node's drives hold without disturbing the node, reads them
// over the node-to-node API with internal/cluster (drive and meta decode
// the records).
package cluster

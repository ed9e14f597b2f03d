// Package testserver starts real Hoard servers for tests: in-process on
// 127.0.0.1:0 with temporary drive folders, or as the built hoard binary on a
// free loopback port, waits until they are ready and stops them when the test
// ends. It also builds aws-sdk-go-v2 and minio-go clients aimed at them.
//
// It may import internal/server, internal/config, the standard library and
// the two S3 client libraries; only test code imports it.
package testserver

// Package integration is the black-box S3 suite: every test starts a real
// Hoard server in-process on loopback and drives it over HTTP with
// aws-sdk-go-v2, minio-go and hand-signed requests, asserting what AWS S3
// answers, success and error cases alike. The whole suite runs once per
// server mode (see modes in main_test.go).
//
// It imports internal/testserver and the S3 client libraries only.
package integration

// Package compat proves that unmodified third-party S3 clients work
// against Hoard: it runs the scripts of this folder, one per client (such
// as rclone, s3cmd and restic), each of which starts the built hoard
// binary with one drive folder and again with four (an erasure-coded set)
// and drives it with the real client, failing on the first answer that
// differs from S3's. A few checks of one client habit (boto3's
// "Expect: 100-continue" on an empty PUT) start the binary from Go
// instead, over HTTP and HTTPS.
//
// A script whose client is not installed is skipped, or fails when
// HOARD_REQUIRE_TOOLS=1 (as in CI, where scripts/test-deps.sh installs the
// clients). It imports internal/testserver and the standard library only.
package compat

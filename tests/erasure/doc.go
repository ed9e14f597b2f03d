// Package erasure tests the erasure-coded engine through real servers:
// drives that fill up (small tmpfs mounts, when the tests may mount), the
// admin API's view of drive states after drives were lost, replaced or
// damaged, start-up refusing drives of another deployment, metadata
// tables damaged on two of four drives (the server stays up, serves every
// object and rebuilds them), and four cluster nodes on one host with the
// default console address.
//
// It imports internal/testserver, internal/server, internal/config,
// internal/erasure, internal/admin, internal/sigv4 and S3 client libraries.
package erasure

// Package checksum verifies the body of a write while it streams and
// computes S3's digests: the MD5 ETag, the additional CRC32, CRC32C,
// CRC64NVME, SHA1 and SHA256 checksums, their multipart forms (composite
// checksums, combined full-object CRCs, multipart ETags) and the parsing of
// the request headers that ask for them.
//
// It is pure (no I/O beyond the reader it wraps) and imports only the
// standard library, internal/storage and the CRC implementations.
package checksum

// Package sigv2 verifies AWS Signature Version 2 on incoming S3 requests:
// the "AWS AccessKeyId:Signature" Authorization header and query-string
// (presigned) authentication with AWSAccessKeyId, Expires and Signature, as
// older SDKs, s3cmd and the aws CLI v1 still produce. It also signs requests
// and URLs that way, for tests and tools.
//
// It is pure: it takes an *http.Request and a credential lookup and does no
// I/O. It imports only the standard library.
package sigv2

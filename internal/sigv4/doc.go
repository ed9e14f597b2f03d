// Package sigv4 verifies AWS Signature Version 4 on incoming S3 requests
// (Authorization header, presigned URLs, aws-chunked streaming uploads with
// chunk and trailer signatures) and signs requests and URLs for this
// repository's own clients.
//
// It is pure: it takes an *http.Request and a credential lookup and does no
// I/O beyond reading the request body it wraps. It imports only the standard
// library.
package sigv4

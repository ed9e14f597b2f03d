// Package cors parses and validates S3 bucket CORS configurations (the
// document of PutBucketCors) and evaluates browser requests against them:
// which rule, if any, allows a cross-origin request, and the
// Access-Control-* headers that answer it.
//
// It is pure (no I/O) and imports only the standard library; the S3 front
// end stores the validated document and asks it about each request.
package cors

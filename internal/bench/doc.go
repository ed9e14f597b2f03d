// Package bench is the S3 load generator behind `hoard bench`: it drives
// any S3 endpoint (Hoard, another S3 server, AWS) with PUT, GET, mixed,
// STAT, LIST, multipart and DELETE loads of fixed or ranged object sizes,
// from a bounded number of workers for a bounded time or operation count,
// and reports throughput and latency percentiles per operation, with the
// CPU and memory of the generator and, optionally, of a local server
// process.
//
// It is built to be cheap on the client side, because on small machines
// the generator shares its cores with the server it measures: it signs
// requests with internal/sigv4 over one reused net/http transport, sends
// pre-generated payloads, reads responses into per-worker buffers and
// scans listing pages without a general XML decoder. It only ever talks
// to the endpoint it is given (no proxy, no redirects), works under a
// bucket and key prefix of its own, and deletes what it wrote unless told
// to keep it.
//
// It imports internal/sigv4, cobra (for its command) and the standard
// library.
package bench

// Package authguard slows down guessing of credentials: it counts failed
// signatures per (access key, client address) pair and per client address,
// and tells the caller to refuse a source that has failed too often until
// its budget refills.
//
// It is pure bookkeeping over a clock the caller gives: no I/O, no HTTP.
// It imports nothing of Hoard's; the S3 front end feeds it.
package authguard

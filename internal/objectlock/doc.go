// Package objectlock holds S3 Object Lock's rules as pure functions: it
// parses and validates the bucket configuration (ObjectLockConfiguration),
// the Retention and LegalHold documents and the x-amz-object-lock-*
// headers, reckons a bucket's default retention, and decides whether a
// version may be deleted or its retention changed, given its lock state,
// the bypass flag and the time.
//
// It does no I/O and imports only internal/storage (for storage.ObjectLock);
// the S3 front end calls it, the object layer runs its decisions under
// the object's lock through storage's guard hooks, and Enforce wraps an
// object layer so that deletes from any other caller are bound too.
package objectlock

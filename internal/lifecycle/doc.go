// Package lifecycle implements S3 bucket lifecycle configurations: it
// parses and validates the document of PutBucketLifecycleConfiguration,
// decides, as pure functions of a rule set, an object version and a
// calendar, which expiration is due and when, and runs the background
// Worker that applies those decisions through a small Store interface the
// server backs with the object layer.
//
// It imports internal/storage and the standard library only; the worker
// deletes through the ordinary object-layer delete path, so every
// protection that path enforces holds for lifecycle deletions too.
package lifecycle

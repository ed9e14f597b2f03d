// Package repair holds every repair path of the storage engine: the
// decisions (which copy of an object, bucket, upload or part record is
// authoritative across the drives of a set, which drives' copies are
// missing, stale or corrupt) and the rebuilds that follow (shards
// reconstructed with Reed-Solomon into staged files, records, inline
// shards, bucket records, uploads and their parts, leftovers of deletes),
// committed under the same locks as writes.
//
// The engine (internal/erasure) enters it through its heal entry points
// and hands it a view of itself, the Engine and Set interfaces declared
// here; package heal above the engine decides when to heal (queue,
// scanner, drive rebuilds). It imports internal/drive, internal/meta,
// internal/storage, uuid and the standard library.
package repair

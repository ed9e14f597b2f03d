// Package erasure is the storage engine: it implements storage.ObjectLayer
// over erasure sets of drives, splitting every object into data and parity
// shards (Reed-Solomon), protecting every shard block with a bitrot hash,
// and committing metadata to every drive of the set under a write quorum.
// A single folder is a set of one drive with one data shard and no parity.
//
// Its heal entry points (HealObject, HealBucket, HealKeys, HealBuckets)
// hand the work to internal/heal/repair, which holds every repair path,
// with a view of the engine (heal.go): its sets, their codecs' shard
// streams, the writers' locks and pins.
//
// It imports internal/storage, internal/meta, internal/drive,
// internal/checksum (multipart ETags and checksums), internal/heal/repair,
// reedsolomon, highwayhash, uuid and the standard library.
package erasure

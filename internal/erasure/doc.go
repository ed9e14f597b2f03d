// Package erasure is the storage engine: it implements storage.ObjectLayer
// over erasure sets of drives, splitting every object into data and parity
// shards (Reed-Solomon), protecting every shard block with a bitrot hash,
// and committing metadata to every drive of the set under a write quorum.
// A single folder is a set of one drive with one data shard and no parity.
//
// It imports internal/storage, internal/meta, internal/drive,
// internal/checksum (multipart ETags and checksums), reedsolomon,
// highwayhash, uuid and the standard library.
package erasure

// Package heal keeps every object at full redundancy: it decides when to
// heal, and its subpackage repair holds how (every repair path: which
// drives' copies are wrong, and the rebuilds of shards, records, buckets
// and uploads, which the engine enters through its heal entry points).
//
// In the background a scanner visits every object of every bucket at a
// bounded rate, healing what lacks redundancy (deeply, verifying every
// shard's bitrot hashes) and counting each bucket's usage on the way; a
// worker heals the objects reads found damaged; a monitor has wiped drives
// formatted again and rebuilds them and the drives the engine reports
// stale, and catches up drives that come back, with progress; and Healer
// runs and reports the heals an operator starts.
//
// It imports internal/erasure, internal/heal/repair, internal/storage and
// the standard library.
package heal

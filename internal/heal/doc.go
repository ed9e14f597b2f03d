// Package heal keeps every object at full redundancy in the background: a
// scanner visits every object of every bucket at a bounded rate, healing
// what lacks redundancy (deeply, verifying every shard's bitrot hashes)
// and counting each bucket's usage on the way; a worker heals the objects
// reads found damaged; a monitor has wiped drives formatted again and
// rebuilds them and the drives the engine reports stale, and catches up
// drives that come back, with progress; and
// Healer runs and reports the heals an operator starts.
//
// It imports internal/erasure and internal/storage and the standard library.
package heal

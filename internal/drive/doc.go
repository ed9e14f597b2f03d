// Package drive is one disk: the Drive interface the erasure engine talks to
// (byte-oriented, serialisable, context-aware, so a remote client or a
// fault-injecting wrapper can implement it too) and Local, its
// implementation over a folder holding a pebble metadata store and shard
// files, with the wrappers every drive may wear: Watchdog (a deadline on
// every call, for disks that hang) and Faulty (injected faults, for tests).
//
// It imports internal/storage and internal/meta (for the data directory
// identifier), pebble, golang.org/x/sys and the standard library.
package drive

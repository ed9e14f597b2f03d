// Package meta is the on-disk metadata codec: the per-object record (a list
// of versions with their erasure layout, parts and inline-data reference),
// the multipart upload record and the part record, each in a compact,
// versioned binary encoding that never panics on bad input.
//
// It imports only the standard library and internal/storage.
package meta

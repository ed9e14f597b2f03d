// Package storage is the object-layer contract: the types, options, sentinel
// errors and the ObjectLayer interface that the S3 front end calls and that
// every storage engine (single drive, erasure sets, cluster) implements.
//
// It holds no implementation and imports only the standard library, so the
// HTTP layer and the engines never depend on each other.
package storage

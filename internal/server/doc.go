// Package server is the only place that wires Hoard together: it opens the
// drives through the storage engine, loads or creates the root credentials,
// mounts the S3 API, health and admin endpoints on HTTP listeners, runs the
// background maintenance, and owns start and graceful shutdown.
//
// It may import every internal package except cmd and cli.
package server

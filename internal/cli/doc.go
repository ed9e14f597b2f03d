// Package cli implements hoard's client commands: aliases, listing,
// copying, mirroring, share links and the admin commands, for Hoard and
// any other S3 service. Commands returns them as cobra commands for
// cmd/hoard to register.
//
// It builds on minio-go for S3 (signing, multipart, presigning) and may
// import internal/sigv4 (to sign admin API requests), cobra, a progress
// bar library and the standard library; it imports no server package.
package cli

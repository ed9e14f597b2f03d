// Package version holds the build's version and commit, set by the linker
// (-ldflags "-X github.com/hoardstore/hoard/internal/version.Version=...").
//
// It imports only the standard library.
package version

// Package cli holds end-to-end tests of hoard's client commands: they
// build the hoard binary, start it as a server (one drive and four
// erasure-coded drives) and run the binary's client commands against it,
// plus a bash script that checks share links with curl.
//
// It imports internal/testserver and the standard library; it has only
// tests.
package cli

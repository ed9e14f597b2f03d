// Package e2e runs the end-to-end scripts under tests/e2e (real client
// tools against the built hoard binary) from go test: each runs when its
// tool is installed, is skipped otherwise, and fails instead when
// HOARD_REQUIRE_TOOLS=1 (as in CI, where scripts/test-deps.sh installs
// the tools).
//
// It imports internal/testserver and the standard library only.
package e2e

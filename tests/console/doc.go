// Package console tests the web console from the outside: a real Hoard
// server started in-process with its console on a loopback port, driven by
// a real headless Chromium through the DevTools protocol (chromedp) for the
// user flows, and by plain net/http for the security rules (no session, a
// forged CSRF token, a cross-site origin, wrong credentials).
//
// Browser tests skip when Chromium is missing, and fail instead when
// HOARD_REQUIRE_TOOLS=1 (scripts/test-deps.sh installs it). They save
// screenshots of the main screens to tests/artifacts/console/.
//
// It imports internal/testserver, internal/server (for HTTPS), internal/config,
// internal/checksum and internal/storage (expected checksums), the S3 SDK and
// chromedp.
package console

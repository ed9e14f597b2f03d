// Package console is Hoard's embedded web console: a login, a bucket and
// object browser with uploads, previews and share links, and a capacity and
// cost dashboard, served as plain HTML, CSS and JavaScript modules from the
// binary with a small JSON API beside them.
//
// The console never touches storage itself. It keeps each session's
// credentials on the server and performs every action by signing a real S3
// request with them and dispatching it into the S3 handler in-process, so
// each action is authenticated and authorised exactly as the same S3 call
// from any client would be.
//
// It imports sigv4, storage (name rules) and admin (the dashboard's Info
// type) and the standard library; never s3api, erasure or server, which
// hand it an http.Handler and functions instead.
package console

// Package console is Hoard's embedded web console: a login, a bucket and
// object browser with uploads, previews and share links, bucket policy and
// CORS editors, pages for users, groups, policies and service accounts, and
// a capacity and cost dashboard, served as plain HTML, CSS and JavaScript
// modules from the binary with a small JSON API beside them.
//
// The console never touches storage or IAM itself, and decides no access.
// It keeps each session's credentials on the server and performs every
// action by signing a real request with them and dispatching it in-process:
// object and bucket actions into the S3 handler, identity actions into the
// admin API (which it forwards under /api/admin/). Each is authenticated
// and authorised exactly as the same call from any client. To hide what
// would be refused, the pages ask the admin API which actions the user may
// take (its access endpoint, decided by authz).
//
// It imports sigv4, storage (name rules), policy (the size bound of a
// policy document) and admin (the dashboard's Info type, the access
// check's types) and the standard library; never s3api, erasure or
// server, which hand it http.Handlers and functions instead.
package console

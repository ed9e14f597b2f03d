// Package proxy tests Hoard behind a real HAProxy configured as
// docs/deploy says (option forwardfor), with --trusted-proxies naming the
// load balancer: bucket policies on aws:SourceIp, the request log and
// the failed-signature budgets see the client HAProxy forwards, while
// forwarding headers sent straight to Hoard are ignored.
//
// Clients, HAProxy and Hoard use different loopback addresses
// (127.0.0.1 to 127.0.0.4) so that each is told apart by its address.
// It imports internal/testserver and internal/sigv4 (to sign requests).
package proxy

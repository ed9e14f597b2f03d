// Package clientip finds the address of the client a request comes from
// and whether it reached the first proxy over HTTPS, trusting the
// forwarding headers (X-Forwarded-For, Forwarded, X-Real-IP,
// X-Forwarded-Proto) only when the TCP peer is one of the configured
// trusted proxies.
//
// Resolve is pure: it takes the peer address, the headers and the trusted
// networks, and does no I/O. Handler stores its answer in the request's
// context, where FromRequest finds it. It imports nothing of Hoard's.
package clientip

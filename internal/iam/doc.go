// Package iam answers "who is this access key, and which policies apply
// to it": users, groups, named policies (built-in and created), service
// accounts derived from users, their attachments, and the list of revoked
// STS sessions (kept only until they would have expired). The whole state is
// one document, kept in memory by every node and stored through a small
// Store that the server backs with the erasure sets, so that every change
// is atomic: it is written whole or not at all.
//
// Secrets are sealed with AES-256-GCM (see Sealer) before they are
// stored. It imports only internal/policy and the standard library.
package iam

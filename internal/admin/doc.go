// Package admin is Hoard's administrative JSON API under /hoard/admin/v1/:
// cluster and drive state, capacity and per-bucket usage, and healing.
// Every request is signed with SigV4 by the root credentials.
//
// It imports storage and sigv4; the server hands it the object layer.
package admin

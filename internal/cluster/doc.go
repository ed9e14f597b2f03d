// Package cluster joins several Hoard nodes into one service: it parses the
// endpoint list every node is started with, serves this node's drives and
// lock table to its peers over authenticated HTTP(S) RPC, gives the erasure
// engine a remote drive.Drive for every drive of another node (with
// per-node health tracking so a dead node costs one timeout, not one per
// call), and provides quorum locks across nodes.
//
// It imports internal/drive, internal/meta, internal/storage and the
// standard library; it does not import internal/erasure (its Locker
// matches erasure.Locker structurally; the server checks that).
package cluster

// Package admin is Hoard's administrative JSON API under /hoard/admin/v1/:
// cluster and drive state, capacity and per-bucket usage, healing, IAM
// (users, groups, policies, service accounts), STS session revocation, and
// the caller's own access check. Every request is signed with SigV4 by the
// root user or an IAM identity, and checked against its admin:* actions.
//
// It imports storage, sigv4, iam, authz, policy, lifecycle and clientip;
// the server hands it the object layer and the IAM manager.
package admin

// Package acl is S3's access control list model: canned ACLs, the
// x-amz-grant-* headers and AccessControlPolicy documents parsed and
// validated into a grant list; a grant list evaluated for a principal and
// a permission; whether a grant list is public; and the two bucket
// settings that govern ACLs, object ownership and the public access block.
//
// It is pure (no I/O) and imports only the standard library; s3api parses
// and stores with it, authz decides with it.
package acl

// Package authz makes the one access decision every S3 and admin request
// goes through: who is calling (root, anonymous, or an IAM identity), what
// they ask (action, bucket, key, condition keys) and the bucket's policy
// in, with the bucket's ACL settings (ownership, grants, public access
// block), allow or deny with the reason out. It follows AWS's evaluation
// order: an explicit Deny in any applicable policy wins; otherwise an
// Allow in an identity policy, in the bucket policy or an ACL grant
// grants the request; a service account's own policy can only narrow
// what its parent has.
//
// It is pure and imports internal/acl, internal/policy and internal/iam.
package authz

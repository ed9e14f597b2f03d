package authz

import "github.com/hoardstore/hoard/internal/acl"

// aclAction is the ACL permission that grants an action, on the bucket or
// on the object, as AWS maps them.
type aclAction struct {
	perm   acl.Permission
	object bool
}

// aclActions maps every action an ACL can grant to its permission.
var aclActions = map[string]aclAction{
	"s3:ListBucket":                 {acl.Read, false},
	"s3:ListBucketVersions":         {acl.Read, false},
	"s3:ListBucketMultipartUploads": {acl.Read, false},
	"s3:PutObject":                  {acl.Write, false},
	"s3:DeleteObject":               {acl.Write, false},
	"s3:AbortMultipartUpload":       {acl.Write, false},
	"s3:ListMultipartUploadParts":   {acl.Write, false},
	"s3:GetBucketAcl":               {acl.ReadACP, false},
	"s3:PutBucketAcl":               {acl.WriteACP, false},
	"s3:GetObject":                  {acl.Read, true},
	"s3:GetObjectVersion":           {acl.Read, true},
	"s3:GetObjectAcl":               {acl.ReadACP, true},
	"s3:GetObjectVersionAcl":        {acl.ReadACP, true},
	"s3:PutObjectAcl":               {acl.WriteACP, true},
	"s3:PutObjectVersionAcl":        {acl.WriteACP, true},
}

// aclGrants reports whether an ACL of b grants the caller req's action,
// and says which.
func aclGrants(caller Caller, req Request, b Bucket) (string, bool) {
	if b.Ownership == "" || !b.Ownership.ACLsEnabled() {
		return "", false
	}
	a, ok := aclActions[req.Action]
	if !ok {
		return "", false
	}
	list, what := b.ACL, "bucket"
	if a.object {
		list, what = nil, "object"
		if b.ObjectACL != nil {
			list = b.ObjectACL()
		}
		if list == nil {
			list = acl.Private(b.Owner)
		}
	} else if list == nil {
		list = acl.Private(b.Owner)
	}
	if b.PublicAccess.IgnorePublicAcls {
		list = list.WithoutPublic()
	}
	if !list.Allows(principalOf(caller, b.Owner), a.perm) {
		return "", false
	}
	return "the " + what + " ACL grants " + string(a.perm), true
}

// principalOf is the caller as ACLs see it: an IAM user (and its service
// accounts and sessions) by the canonical ID of its name, the root user's
// service accounts as the owner.
func principalOf(caller Caller, owner string) acl.Principal {
	id := caller.Identity
	switch {
	case caller.Anonymous || id == nil:
		return acl.Principal{Anonymous: true}
	case id.ParentRoot:
		return acl.Principal{ID: owner}
	}
	return acl.Principal{ID: acl.CanonicalID(id.User)}
}

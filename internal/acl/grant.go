package acl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Permission is an ACL permission as S3 spells it.
type Permission string

// The permissions S3 grants through ACLs.
const (
	Read        Permission = "READ"
	Write       Permission = "WRITE"
	ReadACP     Permission = "READ_ACP"
	WriteACP    Permission = "WRITE_ACP"
	FullControl Permission = "FULL_CONTROL"
)

// validPermission reports whether p is one of S3's permissions.
func validPermission(p Permission) bool {
	switch p {
	case Read, Write, ReadACP, WriteACP, FullControl:
		return true
	}
	return false
}

// The grantee types of S3's ACLs.
const (
	TypeCanonicalUser = "CanonicalUser"
	TypeGroup         = "Group"
	TypeEmail         = "AmazonCustomerByEmail"
)

// The group URIs S3 defines.
const (
	AllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// validGroup reports whether uri names one of S3's groups.
func validGroup(uri string) bool {
	return uri == AllUsers || uri == AuthenticatedUsers || uri == LogDelivery
}

// Grantee is who a grant is for: a canonical user (ID) or a group (URI).
// Grants by e-mail address are resolved (or refused) when parsed, so a
// stored grantee is never one.
type Grantee struct {
	Type string `json:"t"`
	ID   string `json:"id,omitempty"`
	URI  string `json:"uri,omitempty"`
}

// Grant is one permission given to one grantee.
type Grant struct {
	Grantee    Grantee    `json:"g"`
	Permission Permission `json:"p"`
}

// List is a resource's grants in the order they were set. Its owner is
// not part of it: every resource of a deployment is owned by its one
// account.
type List []Grant

// CanonicalID derives a canonical user ID (64 hex digits, as S3's) from a
// stable seed: the root user's access key for the owner, a user's name for
// an IAM user.
func CanonicalID(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// Private is the ACL of a resource nobody set one on: its owner has full
// control.
func Private(owner string) List {
	return List{{Grantee: Grantee{Type: TypeCanonicalUser, ID: owner}, Permission: FullControl}}
}

// IsPrivate reports whether l grants nothing beyond the owner's full
// control (so that storing it changes nothing).
func (l List) IsPrivate(owner string) bool {
	for _, g := range l {
		if g.Grantee.Type != TypeCanonicalUser || g.Grantee.ID != owner || g.Permission != FullControl {
			return false
		}
	}
	return len(l) > 0
}

// OwnerOnly reports whether every grant of l is to the owner: the only
// ACLs a bucket with ACLs disabled (BucketOwnerEnforced) accepts.
func (l List) OwnerOnly(owner string) bool {
	for _, g := range l {
		if g.Grantee.Type != TypeCanonicalUser || g.Grantee.ID != owner {
			return false
		}
	}
	return true
}

// IsPublic reports whether l grants anything to AllUsers or
// AuthenticatedUsers, the grants S3 calls public.
func (l List) IsPublic() bool {
	for _, g := range l {
		if isPublicGrantee(g.Grantee) {
			return true
		}
	}
	return false
}

func isPublicGrantee(g Grantee) bool {
	return g.Type == TypeGroup && (g.URI == AllUsers || g.URI == AuthenticatedUsers)
}

// WithoutPublic returns l without its public grants (IgnorePublicAcls).
func (l List) WithoutPublic() List {
	var out List
	for _, g := range l {
		if !isPublicGrantee(g.Grantee) {
			out = append(out, g)
		}
	}
	return out
}

// Principal is who asks, as ACLs see it: nobody (anonymous) or a
// signed-in principal with a canonical ID.
type Principal struct {
	Anonymous bool
	ID        string
}

// Allows reports whether l grants p the permission perm (FULL_CONTROL
// grants every permission).
func (l List) Allows(p Principal, perm Permission) bool {
	for _, g := range l {
		if g.Permission != perm && g.Permission != FullControl {
			continue
		}
		switch g.Grantee.Type {
		case TypeGroup:
			if g.Grantee.URI == AllUsers || g.Grantee.URI == AuthenticatedUsers && !p.Anonymous {
				return true
			}
		case TypeCanonicalUser:
			if !p.Anonymous && p.ID != "" && g.Grantee.ID == p.ID {
				return true
			}
		}
	}
	return false
}

// Encode returns the stored form of l: compact JSON, nil for nil.
func (l List) Encode() []byte {
	if l == nil {
		return nil
	}
	b, _ := json.Marshal(l) // plain strings: cannot fail
	return b
}

// Decode reads a stored grant list (nil or empty: nil).
func Decode(b []byte) (List, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var l List
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("acl: stored grants: %w", err)
	}
	return l, nil
}

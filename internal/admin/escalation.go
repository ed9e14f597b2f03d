package admin

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hoardstore/hoard/internal/iam"
)

// errDenied refuses an IAM change that would let a non-root caller raise
// its own permissions (answered 403 AccessDenied).
var errDenied = errors.New("only the root user may do this")

// self returns the user whose permissions the caller holds ("" for root).
func (c caller) self() string {
	if c.Root || c.Identity == nil {
		return ""
	}
	return c.Identity.User
}

// checkSecretReset refuses a non-root caller resetting the secret of
// another user who holds administration permissions: it would get that
// user's new secret, and so its permissions.
func checkSecretReset(c caller, st *iam.State, user string) error {
	if c.Root {
		return nil
	}
	isSelf := !c.Identity.ServiceAccount && !c.Identity.Session && c.Identity.User == user
	if !isSelf && st.HoldsAdmin(user) {
		return fmt.Errorf("%w: user %q holds administration permissions", errDenied, user)
	}
	return nil
}

// checkPolicyReplace refuses a non-root caller replacing a created policy
// attached to anyone (creating a new one is fine).
func checkPolicyReplace(c caller, st *iam.State, name string) error {
	if c.Root {
		return nil
	}
	if _, ok := st.Policies[name]; !ok {
		return nil
	}
	if users, groups := st.PolicyEntities(name); len(users)+len(groups) > 0 {
		return fmt.Errorf("%w: policy %q is attached", errDenied, name)
	}
	return nil
}

// checkAttachTarget refuses a non-root caller changing the policies of
// its own user or of a group it belongs to.
func checkAttachTarget(c caller, st *iam.State, user, group string) error {
	me := c.self()
	if c.Root || me == "" {
		return nil
	}
	if user == me {
		return fmt.Errorf("%w: changing the caller's own policies", errDenied)
	}
	if g, ok := st.Groups[group]; ok && slices.Contains(g.Members, me) {
		return fmt.Errorf("%w: changing the policies of group %q, which the caller belongs to", errDenied, group)
	}
	return nil
}

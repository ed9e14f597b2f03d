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

// checkSelfServiceEdit refuses an edit a user makes to its own service
// account without admin:UpdateServiceAccount unless it only narrows the
// account: disabling, shortening or setting an expiry, and adding a
// policy where it has none. Re-enabling, extending or removing the
// expiry, and removing or replacing the policy could undo what an
// administrator set, so they need the action.
func checkSelfServiceEdit(st *iam.State, key string, u iam.ServiceAccountUpdate) error {
	a, ok := st.ServiceAccounts[key]
	if !ok {
		return nil // the change itself reports it missing
	}
	const need = "admin:UpdateServiceAccount"
	if u.Status != nil && *u.Status == iam.Enabled && a.Status != iam.Enabled {
		return fmt.Errorf("%w: enabling a service account needs %s", errDenied, need)
	}
	if u.Expiry != nil && !a.Expiry.IsZero() && (u.Expiry.IsZero() || u.Expiry.After(a.Expiry)) {
		return fmt.Errorf("%w: extending or removing an expiry needs %s", errDenied, need)
	}
	if u.Policy != nil && a.Policy != "" && *u.Policy != a.Policy {
		return fmt.Errorf("%w: removing or replacing a service account's policy needs %s", errDenied, need)
	}
	return nil
}

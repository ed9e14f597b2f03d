package iam

import (
	"slices"
	"time"

	"github.com/hoardstore/hoard/internal/policy"
)

// Identity is what an access key stands for: the user whose permissions
// apply and the policies that grant them.
type Identity struct {
	AccessKey string
	Secret    string
	// User is the user's name (for a service account, its parent's).
	User string
	// ServiceAccount is set for a service account's key.
	ServiceAccount bool
	// ParentRoot is set for a service account of the root user: it has
	// every permission its Inline policy leaves it.
	ParentRoot bool
	// PolicyNames and Policies are the identity policies that apply: the
	// user's own and those of its enabled groups.
	PolicyNames []string
	Policies    []*policy.Policy
	// Groups are the enabled groups the user is in.
	Groups []string
	// Inline narrows a service account (nil: it has its parent's
	// permissions exactly).
	Inline *policy.Policy
	// Expiry is when a service account or session stops working (zero:
	// never).
	Expiry time.Time
	// Session is set for temporary credentials from AssumeRole; Inline
	// is then the session policy.
	Session bool
	// Epoch is the user's epoch (see User.Epoch); a session token is
	// valid only while its parent's epoch is the one it was issued at.
	Epoch uint64
	// Federated is the issuer of the identity token a web identity
	// session was issued for (AssumeRoleWithWebIdentity); "" otherwise.
	// Such a session belongs to no IAM user: User is "oidc:" and the
	// token's subject (never a valid IAM user name), and Claims holds
	// the token's string claims for the ${jwt:...} policy variables.
	Federated string
	Claims    map[string]string
}

// identities compiles the keys of st that may authenticate now: enabled
// users, and enabled service accounts of enabled parents. Expiry is
// checked when a key is looked up.
func identities(st *State, root string) map[string]*Identity {
	out := make(map[string]*Identity, len(st.Users)+len(st.ServiceAccounts))
	users := map[string]*Identity{}
	for k, u := range st.Users {
		if u.Status != Enabled {
			continue
		}
		id := &Identity{AccessKey: k, Secret: u.Secret, User: k, Epoch: u.Epoch}
		id.addPolicies(st, u.Policies)
		for _, g := range st.groupsOf(k) {
			if grp := st.Groups[g]; grp.Status == Enabled {
				id.Groups = append(id.Groups, g)
				id.addPolicies(st, grp.Policies)
			}
		}
		out[k], users[k] = id, id
	}
	for k, a := range st.ServiceAccounts {
		if a.Status != Enabled {
			continue
		}
		id := &Identity{AccessKey: k, Secret: a.Secret, User: a.Parent, ServiceAccount: true, Expiry: a.Expiry}
		if a.Parent == root {
			id.ParentRoot = true
		} else {
			parent, ok := users[a.Parent]
			if !ok {
				continue // the parent is disabled or gone
			}
			id.PolicyNames, id.Policies, id.Groups = parent.PolicyNames, parent.Policies, parent.Groups
		}
		if a.Policy != "" {
			p, err := policy.ParseIdentity([]byte(a.Policy))
			if err != nil {
				continue // stored only after parsing; unreadable: refuse the key
			}
			id.Inline = p
		}
		out[k] = id
	}
	return out
}

// addPolicies appends the named policies (once each).
func (id *Identity) addPolicies(st *State, names []string) {
	for _, n := range names {
		if slices.Contains(id.PolicyNames, n) {
			continue
		}
		if p, ok := builtinParsed[n]; ok {
			id.PolicyNames, id.Policies = append(id.PolicyNames, n), append(id.Policies, p)
			continue
		}
		doc, ok := st.Policies[n]
		if !ok {
			continue
		}
		p, err := policy.ParseIdentity([]byte(doc))
		if err != nil {
			continue
		}
		id.PolicyNames, id.Policies = append(id.PolicyNames, n), append(id.Policies, p)
	}
}

// namedPolicies parses every policy a name can resolve to in st.
func namedPolicies(st *State) map[string]*policy.Policy {
	out := make(map[string]*policy.Policy, len(builtinParsed)+len(st.Policies))
	for n, p := range builtinParsed {
		out[n] = p
	}
	for n, doc := range st.Policies {
		if _, ok := out[n]; ok {
			continue
		}
		if p, err := policy.ParseIdentity([]byte(doc)); err == nil {
			out[n] = p
		}
	}
	return out
}

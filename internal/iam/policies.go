package iam

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hoardstore/hoard/internal/policy"
)

// CreatePolicy stores (or replaces) the named identity policy; doc must
// parse with policy.ParseIdentity (its *policy.Error is returned as is).
func (s *State) CreatePolicy(name, doc string) error {
	if err := validName("policy", name); err != nil {
		return err
	}
	if _, ok := builtin[name]; ok {
		return fmt.Errorf("%w: %q cannot be replaced", ErrBuiltin, name)
	}
	if _, err := policy.ParseIdentity([]byte(doc)); err != nil {
		return err
	}
	s.Policies[name] = doc
	return nil
}

// RemovePolicy deletes a created policy that nobody has attached.
func (s *State) RemovePolicy(name string) error {
	if _, ok := builtin[name]; ok {
		return fmt.Errorf("%w: %q cannot be removed", ErrBuiltin, name)
	}
	if _, ok := s.Policies[name]; !ok {
		return fmt.Errorf("%w: %q", ErrNoSuchPolicy, name)
	}
	users, groups := s.PolicyEntities(name)
	if len(users)+len(groups) > 0 {
		return fmt.Errorf("%w: %q is attached to users [%s] and groups [%s]: detach it first",
			ErrPolicyInUse, name, strings.Join(users, ", "), strings.Join(groups, ", "))
	}
	delete(s.Policies, name)
	return nil
}

// PolicyDocument returns the document of a built-in or created policy.
func (s *State) PolicyDocument(name string) (string, bool) {
	if doc, ok := builtin[name]; ok {
		return doc, true
	}
	doc, ok := s.Policies[name]
	return doc, ok
}

// PolicyNames lists every policy, built-in ones included, sorted.
func (s *State) PolicyNames() []string {
	names := slices.Collect(maps.Keys(s.Policies))
	for n := range builtin {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// PolicyEntities returns the users and groups a policy is attached to.
func (s *State) PolicyEntities(name string) (users, groups []string) {
	for k, u := range s.Users {
		if slices.Contains(u.Policies, name) {
			users = append(users, k)
		}
	}
	for k, g := range s.Groups {
		if slices.Contains(g.Policies, name) {
			groups = append(groups, k)
		}
	}
	slices.Sort(users)
	slices.Sort(groups)
	return users, groups
}

// attachment returns the policy list of the user or group named (exactly
// one of the two).
func (s *State) attachment(user, group string) (*[]string, error) {
	switch {
	case (user == "") == (group == ""):
		return nil, invalid("name exactly one of a user and a group")
	case user != "":
		u, err := s.user(user)
		if err != nil {
			return nil, err
		}
		return &u.Policies, nil
	}
	g, err := s.group(group)
	if err != nil {
		return nil, err
	}
	return &g.Policies, nil
}

// AttachPolicies attaches policies to a user or a group; every policy
// must exist and none may be attached already.
func (s *State) AttachPolicies(names []string, user, group string) error {
	list, err := s.attachment(user, group)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return invalid("no policy named")
	}
	for _, n := range names {
		if !s.policyExists(n) {
			return fmt.Errorf("%w: %q", ErrNoSuchPolicy, n)
		}
		if slices.Contains(*list, n) {
			return fmt.Errorf("%w: policy %q is already attached", ErrExists, n)
		}
	}
	*list = append(*list, names...)
	return nil
}

// DetachPolicies detaches policies from a user or a group; each must be
// attached.
func (s *State) DetachPolicies(names []string, user, group string) error {
	list, err := s.attachment(user, group)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return invalid("no policy named")
	}
	for _, n := range names {
		if !slices.Contains(*list, n) {
			return invalid("policy %q is not attached", n)
		}
	}
	*list = slices.DeleteFunc(*list, func(p string) bool { return slices.Contains(names, p) })
	return nil
}

// HoldsAdmin reports whether any policy of user (its own or one of any
// of its groups') allows an administration action: a statement allowing
// "*", an "admin:" action pattern, or anything but some actions
// (NotAction).
func (s *State) HoldsAdmin(user string) bool {
	u, ok := s.Users[user]
	if !ok {
		return false
	}
	names := slices.Clone(u.Policies)
	for _, g := range s.groupsOf(user) {
		names = append(names, s.Groups[g].Policies...)
	}
	for _, n := range names {
		doc, ok := s.PolicyDocument(n)
		if !ok {
			continue
		}
		p, err := policy.ParseIdentity([]byte(doc))
		if err != nil {
			continue
		}
		for _, st := range p.Statements {
			if st.Effect != policy.Allow {
				continue
			}
			if len(st.NotActions) > 0 {
				return true
			}
			for _, a := range st.Actions {
				if a == "*" || strings.HasPrefix(strings.ToLower(a), "admin:") {
					return true
				}
			}
		}
	}
	return false
}

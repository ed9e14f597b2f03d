package iam

import (
	"fmt"
	"slices"
)

// AddGroupMembers adds existing users to a group, creating it (enabled)
// when it does not exist yet.
func (s *State) AddGroupMembers(group string, members []string) error {
	if err := validName("group", group); err != nil {
		return err
	}
	for _, m := range members {
		if _, err := s.user(m); err != nil {
			return err
		}
	}
	g, ok := s.Groups[group]
	if !ok {
		g = &Group{Name: group, Members: []string{}, Status: Enabled}
		s.Groups[group] = g
	}
	for _, m := range members {
		if !slices.Contains(g.Members, m) {
			g.Members = append(g.Members, m)
		}
	}
	slices.Sort(g.Members)
	return nil
}

// group returns the group name or ErrNoSuchGroup.
func (s *State) group(name string) (*Group, error) {
	g, ok := s.Groups[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchGroup, name)
	}
	return g, nil
}

// RemoveGroupMembers takes members out of a group; with no members it
// removes the group itself, which must then have none (as mc admin group
// rm does).
func (s *State) RemoveGroupMembers(group string, members []string) error {
	g, err := s.group(group)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		if len(g.Members) > 0 {
			return invalid("group %q still has %d members: remove them first", group, len(g.Members))
		}
		delete(s.Groups, group)
		return nil
	}
	for _, m := range members {
		if !slices.Contains(g.Members, m) {
			return invalid("%q is not a member of group %q", m, group)
		}
	}
	g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return slices.Contains(members, m) })
	return nil
}

// SetGroupStatus enables or disables a group: a disabled group's
// policies no longer apply to its members.
func (s *State) SetGroupStatus(group string, st Status) error {
	g, err := s.group(group)
	if err != nil {
		return err
	}
	if st != Enabled && st != Disabled {
		return invalid("status %q", st)
	}
	g.Status = st
	return nil
}

package iam

import (
	"fmt"
	"slices"
)

// AddUser creates an enabled user.
func (s *State) AddUser(accessKey, secret string) error {
	if err := validAccessKey(accessKey); err != nil {
		return err
	}
	if err := validSecret(secret); err != nil {
		return err
	}
	if accessKey == s.root || s.keyTaken(accessKey) {
		return fmt.Errorf("%w: user %q", ErrExists, accessKey)
	}
	s.Users[accessKey] = &User{AccessKey: accessKey, Secret: secret, Status: Enabled, Created: s.now, Epoch: s.nextEpoch()}
	return nil
}

// user returns the user accessKey or ErrNoSuchUser.
func (s *State) user(accessKey string) (*User, error) {
	u, ok := s.Users[accessKey]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchUser, accessKey)
	}
	return u, nil
}

// SetUserStatus enables or disables a user (and so its service accounts).
func (s *State) SetUserStatus(accessKey string, st Status) error {
	u, err := s.user(accessKey)
	if err != nil {
		return err
	}
	if st != Enabled && st != Disabled {
		return invalid("status %q", st)
	}
	if u.Status != st {
		u.Status, u.Epoch = st, s.nextEpoch()
	}
	return nil
}

// SetUserSecret replaces a user's secret (rotation).
func (s *State) SetUserSecret(accessKey, secret string) error {
	u, err := s.user(accessKey)
	if err != nil {
		return err
	}
	if err := validSecret(secret); err != nil {
		return err
	}
	u.Secret, u.Epoch = secret, s.nextEpoch()
	return nil
}

// RemoveUser deletes a user, its group memberships and its service
// accounts.
func (s *State) RemoveUser(accessKey string) error {
	if _, err := s.user(accessKey); err != nil {
		return err
	}
	delete(s.Users, accessKey)
	for _, g := range s.Groups {
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == accessKey })
	}
	for k, a := range s.ServiceAccounts {
		if a.Parent == accessKey {
			delete(s.ServiceAccounts, k)
		}
	}
	return nil
}

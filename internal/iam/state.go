package iam

import (
	"slices"
	"time"
)

// Status is "enabled" or "disabled".
type Status string

// The two statuses of users, groups and service accounts.
const (
	Enabled  Status = "enabled"
	Disabled Status = "disabled"
)

// User is one IAM user; its access key is its name.
type User struct {
	AccessKey string    `json:"accessKey"`
	Secret    string    `json:"-"`
	Status    Status    `json:"status"`
	Policies  []string  `json:"policies,omitempty"`
	Created   time.Time `json:"created"`
	// Epoch changes whenever the user's sessions must end: at creation
	// (so a re-created user of the same name gets a new one), secret
	// rotation and status changes. Session tokens carry it.
	Epoch uint64 `json:"epoch"`
}

// Group is a named set of users sharing policies.
type Group struct {
	Name     string   `json:"name"`
	Members  []string `json:"members"`
	Status   Status   `json:"status"`
	Policies []string `json:"policies,omitempty"`
}

// ServiceAccount is a key derived from a user: it has at most the
// user's permissions, narrowed further by its own policy when it has one.
type ServiceAccount struct {
	AccessKey   string `json:"accessKey"`
	Secret      string `json:"-"`
	Parent      string `json:"parent"`
	Status      Status `json:"status"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Policy is the narrowing policy document; empty when the account
	// has exactly its parent's permissions.
	Policy  string    `json:"policy,omitempty"`
	Expiry  time.Time `json:"expiry,omitzero"`
	Created time.Time `json:"created"`
}

// Expired reports whether the account has an expiry at or before now.
func (s *ServiceAccount) Expired(now time.Time) bool {
	return !s.Expiry.IsZero() && !now.Before(s.Expiry)
}

// State is the whole IAM configuration. Generation grows by one with each
// change, so that nodes can tell whether theirs is current.
type State struct {
	Generation      uint64
	Users           map[string]*User
	Groups          map[string]*Group
	Policies        map[string]string // name -> document (created ones)
	ServiceAccounts map[string]*ServiceAccount
	// Revoked maps the temporary access keys of revoked sessions to when
	// their entries may be dropped (see RevokeSession).
	Revoked map[string]time.Time

	// root and now are set by Manager.Change for the change it runs:
	// the root access key no user may take, and the time of the change.
	root string
	now  time.Time
	// sealed holds the stored ciphertexts of the secrets decoded, by
	// access key.
	sealed map[string]sealedSecret
}

// nextEpoch returns a user epoch for the change being made: the
// generation it will get, which no earlier change had.
func (s *State) nextEpoch() uint64 { return s.Generation + 1 }

// newState returns an empty state.
func newState() *State {
	return &State{
		Users:           map[string]*User{},
		Groups:          map[string]*Group{},
		Policies:        map[string]string{},
		ServiceAccounts: map[string]*ServiceAccount{},
		sealed:          map[string]sealedSecret{},
	}
}

// groupsOf returns the names of the groups user belongs to, sorted.
func (s *State) groupsOf(user string) []string {
	var out []string
	for name, g := range s.Groups {
		if slices.Contains(g.Members, user) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// policyExists reports whether name is a built-in or created policy.
func (s *State) policyExists(name string) bool {
	_, b := builtin[name]
	_, c := s.Policies[name]
	return b || c
}

// keyTaken reports whether accessKey already names a user or service
// account.
func (s *State) keyTaken(accessKey string) bool {
	_, u := s.Users[accessKey]
	_, a := s.ServiceAccounts[accessKey]
	return u || a
}

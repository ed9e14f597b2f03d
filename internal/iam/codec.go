package iam

import (
	"encoding/json"
	"fmt"
	"time"
)

// formatVersion is the version of the stored document.
const formatVersion = 1

// stored is the form the state is kept in: secrets sealed.
type stored struct {
	Format          int                      `json:"format"`
	Generation      uint64                   `json:"generation"`
	Users           map[string]storedUser    `json:"users"`
	Groups          map[string]*Group        `json:"groups"`
	Policies        map[string]string        `json:"policies"`
	ServiceAccounts map[string]storedSvcAcct `json:"serviceAccounts"`
	Revoked         map[string]time.Time     `json:"revokedSessions,omitempty"`
}

type storedUser struct {
	Sealed   string    `json:"sealedSecret"`
	Status   Status    `json:"status"`
	Policies []string  `json:"policies,omitempty"`
	Created  time.Time `json:"created"`
	Epoch    uint64    `json:"epoch,omitempty"`
}

type storedSvcAcct struct {
	Sealed      string    `json:"sealedSecret"`
	Parent      string    `json:"parent"`
	Status      Status    `json:"status"`
	Name        string    `json:"name,omitempty"`
	Description string    `json:"description,omitempty"`
	Policy      string    `json:"policy,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Created     time.Time `json:"created"`
}

// sealedSecret is a secret as decoded, with the ciphertext it was stored
// as, so that encode keeps the ciphertext of a secret that did not change.
type sealedSecret struct{ plain, sealed string }

// seal returns the stored ciphertext of accessKey's secret when it is
// unchanged since decode, else a fresh one.
func (s *State) seal(sealer *Sealer, accessKey, secret string) (string, error) {
	if old, ok := s.sealed[accessKey]; ok && old.plain == secret {
		return old.sealed, nil
	}
	return sealer.Seal(accessKey, secret)
}

// encode seals the secrets of s (new or changed ones only) and returns
// the document to store.
func encode(s *State, sealer *Sealer) ([]byte, error) {
	d := stored{
		Format:          formatVersion,
		Generation:      s.Generation,
		Users:           make(map[string]storedUser, len(s.Users)),
		Groups:          s.Groups,
		Policies:        s.Policies,
		ServiceAccounts: make(map[string]storedSvcAcct, len(s.ServiceAccounts)),
		Revoked:         s.Revoked,
	}
	for k, u := range s.Users {
		sealed, err := s.seal(sealer, k, u.Secret)
		if err != nil {
			return nil, err
		}
		d.Users[k] = storedUser{Sealed: sealed, Status: u.Status, Policies: u.Policies, Created: u.Created, Epoch: u.Epoch}
	}
	for k, a := range s.ServiceAccounts {
		sealed, err := s.seal(sealer, k, a.Secret)
		if err != nil {
			return nil, err
		}
		d.ServiceAccounts[k] = storedSvcAcct{Sealed: sealed, Parent: a.Parent, Status: a.Status, Name: a.Name,
			Description: a.Description, Policy: a.Policy, Expiry: a.Expiry, Created: a.Created}
	}
	return json.Marshal(d)
}

// decode reads a stored document (nil or empty: the empty state).
func decode(data []byte, sealer *Sealer) (*State, error) {
	s := newState()
	if len(data) == 0 {
		return s, nil
	}
	var d stored
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("iam: %w: %v", ErrCorrupt, err)
	}
	if d.Format != formatVersion {
		return nil, fmt.Errorf("iam: %w: format %d", ErrCorrupt, d.Format)
	}
	s.Generation = d.Generation
	for k, u := range d.Users {
		secret, err := sealer.Open(k, u.Sealed)
		if err != nil {
			return nil, err
		}
		s.sealed[k] = sealedSecret{plain: secret, sealed: u.Sealed}
		s.Users[k] = &User{AccessKey: k, Secret: secret, Status: u.Status, Policies: u.Policies, Created: u.Created, Epoch: u.Epoch}
	}
	for k, g := range d.Groups {
		g.Name = k
		s.Groups[k] = g
	}
	for k, p := range d.Policies {
		s.Policies[k] = p
	}
	s.Revoked = d.Revoked
	for k, a := range d.ServiceAccounts {
		secret, err := sealer.Open(k, a.Sealed)
		if err != nil {
			return nil, err
		}
		s.sealed[k] = sealedSecret{plain: secret, sealed: a.Sealed}
		s.ServiceAccounts[k] = &ServiceAccount{AccessKey: k, Secret: secret, Parent: a.Parent, Status: a.Status, Name: a.Name,
			Description: a.Description, Policy: a.Policy, Expiry: a.Expiry, Created: a.Created}
	}
	return s, nil
}

package iam

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/policy"
)

// NewServiceAccount describes a service account to create.
type NewServiceAccount struct {
	// Parent is the user (or the root access key) it derives from.
	Parent string
	// AccessKey and Secret are generated when empty.
	AccessKey, Secret string
	// Policy narrows the parent's permissions; empty: none.
	Policy            string
	Name, Description string
	// Expiry is when it stops working; zero: never.
	Expiry time.Time
}

// AddServiceAccount creates an enabled service account and returns it
// (with its secret, the only time a caller sees it).
func (s *State) AddServiceAccount(n NewServiceAccount) (ServiceAccount, error) {
	if n.Parent != s.root {
		if _, err := s.user(n.Parent); err != nil {
			return ServiceAccount{}, err
		}
	}
	if n.AccessKey == "" {
		n.AccessKey = randomKey(20, upperAlnum)
	}
	if n.Secret == "" {
		n.Secret = randomKey(40, secretChars)
	}
	if err := validAccessKey(n.AccessKey); err != nil {
		return ServiceAccount{}, err
	}
	if err := validSecret(n.Secret); err != nil {
		return ServiceAccount{}, err
	}
	if n.AccessKey == s.root || s.keyTaken(n.AccessKey) {
		return ServiceAccount{}, fmt.Errorf("%w: access key %q", ErrExists, n.AccessKey)
	}
	if err := s.checkSvcFields(n.Policy, n.Expiry); err != nil {
		return ServiceAccount{}, err
	}
	if len(n.Name) > maxName || len(n.Description) > 256 {
		return ServiceAccount{}, invalid("a name has at most %d characters and a description 256", maxName)
	}
	a := &ServiceAccount{AccessKey: n.AccessKey, Secret: n.Secret, Parent: n.Parent, Status: Enabled, Name: n.Name,
		Description: n.Description, Policy: n.Policy, Expiry: n.Expiry, Created: s.now}
	s.ServiceAccounts[a.AccessKey] = a
	return *a, nil
}

func (s *State) checkSvcFields(doc string, expiry time.Time) error {
	if doc != "" {
		if _, err := policy.ParseIdentity([]byte(doc)); err != nil {
			return err
		}
	}
	if !expiry.IsZero() && !expiry.After(s.now) {
		return invalid("the expiry %s is not in the future", expiry.UTC().Format(time.RFC3339))
	}
	return nil
}

// ServiceAccountUpdate lists the fields to change; nil ones stay.
type ServiceAccountUpdate struct {
	Secret            *string
	Policy            *string // "" removes the narrowing policy
	Status            *Status
	Expiry            *time.Time // zero: never expires
	Name, Description *string
}

// serviceAccount returns the account accessKey or ErrNoSuchServiceAccount.
func (s *State) serviceAccount(accessKey string) (*ServiceAccount, error) {
	a, ok := s.ServiceAccounts[accessKey]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchServiceAccount, accessKey)
	}
	return a, nil
}

// UpdateServiceAccount changes a service account; nothing changes when a
// field is refused.
func (s *State) UpdateServiceAccount(accessKey string, u ServiceAccountUpdate) error {
	a, err := s.serviceAccount(accessKey)
	if err != nil {
		return err
	}
	next := *a
	if u.Secret != nil {
		if err := validSecret(*u.Secret); err != nil {
			return err
		}
		next.Secret = *u.Secret
	}
	if u.Status != nil {
		if *u.Status != Enabled && *u.Status != Disabled {
			return invalid("status %q", *u.Status)
		}
		next.Status = *u.Status
	}
	if u.Policy != nil {
		next.Policy = *u.Policy
	}
	if u.Expiry != nil {
		next.Expiry = *u.Expiry
	}
	if u.Name != nil {
		next.Name = *u.Name
	}
	if u.Description != nil {
		next.Description = *u.Description
	}
	var expiry time.Time
	if u.Expiry != nil {
		expiry = next.Expiry
	}
	var doc string
	if u.Policy != nil {
		doc = next.Policy
	}
	if err := s.checkSvcFields(doc, expiry); err != nil {
		return err
	}
	*a = next
	return nil
}

// RemoveServiceAccount deletes a service account.
func (s *State) RemoveServiceAccount(accessKey string) error {
	if _, err := s.serviceAccount(accessKey); err != nil {
		return err
	}
	delete(s.ServiceAccounts, accessKey)
	return nil
}

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// randomKey returns n characters drawn uniformly from alphabet.
func randomKey(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		// rand.Text-like rejection sampling over one byte.
		for {
			var c [1]byte
			_, _ = rand.Read(c[:])
			if int(c[0]) < 256-256%len(alphabet) {
				b[i] = alphabet[int(c[0])%len(alphabet)]
				break
			}
		}
	}
	return string(b)
}

// NewSecret returns a fresh random secret key (40 characters).
func NewSecret() string { return randomKey(40, secretChars) }

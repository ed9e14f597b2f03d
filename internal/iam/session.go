package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/policy"
)

// Session durations STS AssumeRole accepts, as AWS bounds them.
const (
	MinSessionDuration     = 15 * time.Minute
	MaxSessionDuration     = 12 * time.Hour
	DefaultSessionDuration = time.Hour
)

var (
	// ErrInvalidToken: a session token that is not one this deployment
	// issued (or was sealed under another key).
	ErrInvalidToken = errors.New("iam: invalid session token")
	// ErrExpiredToken: a session token past its expiry.
	ErrExpiredToken = errors.New("iam: session token expired")
)

// Session is a set of temporary credentials issued by AssumeRole.
type Session struct {
	AccessKey, Secret, Token string
	Parent                   string
	Expiry                   time.Time
}

// sessionClaims is what a session token carries, sealed: the deployment
// keeps no record of sessions, so any node can check any token.
type sessionClaims struct {
	AccessKey string    `json:"ak"`
	Secret    string    `json:"sk"`
	Parent    string    `json:"p"`
	Expiry    time.Time `json:"e"`
	Policy    string    `json:"pol,omitempty"`
	// Version is sessionVersion; Epoch is the parent's User.Epoch.
	Version int    `json:"v"`
	Epoch   uint64 `json:"ep"`
	// Web is set for a web identity session (websession.go); its
	// Parent is empty.
	Web *webClaims `json:"w,omitempty"`
}

// sessionVersion is the format of the claims; sessionLabel (the sealed
// token's additional data) names it too, so that a token of an older
// format does not open and is refused as invalid.
const (
	sessionVersion = 2
	sessionLabel   = "hoard sts session v2"
)

// IssueSession returns temporary credentials for the enabled user
// parent, valid for d (bounded by MinSessionDuration and
// MaxSessionDuration), narrowed by the session policy doc when not empty.
func (m *Manager) IssueSession(parent string, d time.Duration, doc string) (Session, error) {
	id, ok := m.Lookup(parent)
	if !ok || id.ServiceAccount {
		return Session{}, fmt.Errorf("%w: %q", ErrNoSuchUser, parent)
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return Session{}, invalid("a session lasts %v to %v", MinSessionDuration, MaxSessionDuration)
	}
	if doc != "" {
		if _, err := policy.ParseIdentity([]byte(doc)); err != nil {
			return Session{}, err
		}
	}
	c := sessionClaims{AccessKey: "ASIA" + randomKey(16, upperAlnum), Secret: randomKey(40, secretChars), Parent: parent,
		Expiry: m.cfg.Now().Add(d).UTC().Truncate(time.Second), Policy: doc,
		Version: sessionVersion, Epoch: id.Epoch}
	data, err := json.Marshal(c)
	if err != nil {
		return Session{}, fmt.Errorf("iam: %w", err)
	}
	token, err := m.cfg.Sealer.SealData(sessionLabel, data)
	if err != nil {
		return Session{}, err
	}
	return Session{AccessKey: c.AccessKey, Secret: c.Secret, Token: token, Parent: parent, Expiry: c.Expiry}, nil
}

// OpenSession checks a session token and returns the identity it stands
// for: its parent's current permissions (the parent must still be
// enabled) narrowed by the session policy, with the temporary key and
// secret.
func (m *Manager) OpenSession(token string) (*Identity, error) {
	c, err := m.claims(token)
	if err != nil {
		return nil, err
	}
	if !m.cfg.Now().Before(c.Expiry) {
		return nil, ErrExpiredToken
	}
	if m.revoked(c.AccessKey) {
		return nil, ErrInvalidToken // revoked by an administrator
	}
	if c.Web != nil {
		return m.webIdentity(c)
	}
	parent, ok := m.Lookup(c.Parent)
	if !ok || parent.ServiceAccount || parent.Epoch != c.Epoch {
		return nil, ErrInvalidToken // the parent was re-created, rotated or disabled since
	}
	id := *parent
	id.AccessKey, id.Secret, id.Expiry, id.Session = c.AccessKey, c.Secret, c.Expiry, true
	id.ServiceAccount = false
	if c.Policy != "" {
		p, err := policy.ParseIdentity([]byte(c.Policy))
		if err != nil {
			return nil, ErrInvalidToken
		}
		id.Inline = p
	}
	return &id, nil
}

// claims opens a session token and returns what it carries.
func (m *Manager) claims(token string) (sessionClaims, error) {
	data, err := m.cfg.Sealer.OpenData(sessionLabel, token)
	if err != nil {
		return sessionClaims{}, ErrInvalidToken
	}
	var c sessionClaims
	if err := json.Unmarshal(data, &c); err != nil || c.Version != sessionVersion {
		return sessionClaims{}, ErrInvalidToken
	}
	return c, nil
}

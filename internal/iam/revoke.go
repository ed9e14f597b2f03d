package iam

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Session tokens carry all they stand for, so the deployment keeps no
// record of the sessions it issued; to end one before its expiry the
// state keeps its temporary access key in a revocation list, which every
// node consults when it opens a token. An entry is needed only until the
// session would have expired anyway: each change drops the entries whose
// time has passed, so the list holds at most the sessions revoked within
// the last MaxSessionDuration.

// RevokedSession is one entry of the revocation list.
type RevokedSession struct {
	// AccessKey is the session's temporary access key (ASIA...).
	AccessKey string `json:"accessKey"`
	// Until is when the entry may be dropped: the session's expiry when
	// it was revoked by its token, else the latest expiry any session
	// issued before the revocation can have.
	Until time.Time `json:"until"`
}

// sessionKeyPrefix starts every temporary access key IssueSession makes.
const sessionKeyPrefix = "ASIA"

// RevokeSession adds the session with the temporary accessKey to the
// revocation list. until is the session's expiry when known (zero: the
// longest a session issued now can live). Revoking a revoked session
// again keeps the later of the two times.
func (s *State) RevokeSession(accessKey string, until time.Time) error {
	if !strings.HasPrefix(accessKey, sessionKeyPrefix) || len(accessKey) != len(sessionKeyPrefix)+16 {
		return invalid("%q is not the access key of a session (ASIA followed by 16 characters)", accessKey)
	}
	latest := s.now.Add(MaxSessionDuration)
	if until.IsZero() || until.After(latest) {
		until = latest
	}
	if !s.now.Before(until) {
		return invalid("the session %s has already expired", accessKey)
	}
	if s.Revoked == nil {
		s.Revoked = map[string]time.Time{}
	}
	if old, ok := s.Revoked[accessKey]; !ok || old.Before(until) {
		s.Revoked[accessKey] = until.UTC()
	}
	return nil
}

// pruneRevoked drops the revocations of sessions that have expired by now.
func (s *State) pruneRevoked() {
	maps.DeleteFunc(s.Revoked, func(_ string, until time.Time) bool { return !s.now.Before(until) })
}

// RevokedSessions lists the revocation list, sorted by access key.
func (s *State) RevokedSessions() []RevokedSession {
	out := make([]RevokedSession, 0, len(s.Revoked))
	for _, k := range slices.Sorted(maps.Keys(s.Revoked)) {
		out = append(out, RevokedSession{AccessKey: k, Until: s.Revoked[k]})
	}
	return out
}

// revoked reports whether the session with the temporary accessKey is on
// the cached state's revocation list.
func (m *Manager) revoked(accessKey string) bool {
	_, ok := m.cur.Load().state.Revoked[accessKey]
	return ok
}

// SessionOf reads a session token this deployment issued (expired or
// not) and returns its temporary access key, parent and expiry, so that
// an administrator can revoke it by its token.
func (m *Manager) SessionOf(token string) (Session, error) {
	c, err := m.claims(token)
	if err != nil {
		return Session{}, err
	}
	return Session{AccessKey: c.AccessKey, Parent: c.Parent, Expiry: c.Expiry}, nil
}

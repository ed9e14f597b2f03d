package iam

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRevokeSession checks that a revoked session is refused on every
// manager that loads the state, that other sessions of the same user
// keep working, that bad revocations change nothing, and that entries
// are dropped once the session would have expired anyway.
func TestRevokeSession(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := &MemStore{}
	m := newTestManager(t, store, c)
	other := newTestManager(t, store, c) // another node
	must(t, m.Change(ctx, func(st *State) error {
		if err := st.AddUser("alice", "alice-secret"); err != nil {
			return err
		}
		return st.AttachPolicies([]string{"readwrite"}, "alice", "")
	}))
	s1, err := m.IssueSession("alice", time.Hour, "")
	must(t, err)
	s2, err := m.IssueSession("alice", 2*time.Hour, "")
	must(t, err)

	for _, tc := range []struct {
		name string
		key  string
		want error
	}{
		{"not a session key", "alice", ErrInvalid},
		{"too short", "ASIA123", ErrInvalid},
		{"empty", "", ErrInvalid},
	} {
		gen := m.Generation()
		err := m.Change(ctx, func(st *State) error { return st.RevokeSession(tc.key, time.Time{}) })
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		if m.Generation() != gen {
			t.Errorf("%s: the state changed (generation %d, was %d)", tc.name, m.Generation(), gen)
		}
	}

	info, err := m.SessionOf(s1.Token)
	must(t, err)
	if info.AccessKey != s1.AccessKey || info.Parent != "alice" || !info.Expiry.Equal(s1.Expiry) {
		t.Fatalf("SessionOf: got %+v, want key %s, parent alice, expiry %v", info, s1.AccessKey, s1.Expiry)
	}
	must(t, m.Change(ctx, func(st *State) error { return st.RevokeSession(info.AccessKey, info.Expiry) }))
	must(t, other.Refresh(ctx))
	for name, mgr := range map[string]*Manager{"this node": m, "another node": other} {
		if _, err := mgr.OpenSession(s1.Token); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: revoked session: got %v, want ErrInvalidToken", name, err)
		}
		if _, err := mgr.OpenSession(s2.Token); err != nil {
			t.Errorf("%s: the other session of the same user: %v", name, err)
		}
	}
	// A web identity session is revoked the same way.
	web, err := m.IssueWebSession(WebIdentity{Issuer: "https://idp.example", Subject: "carol", Policies: []string{"readonly"}}, time.Hour, "")
	must(t, err)
	if _, err := m.OpenSession(web.Token); err != nil {
		t.Fatalf("web session before revocation: %v", err)
	}
	must(t, m.Change(ctx, func(st *State) error { return st.RevokeSession(web.AccessKey, web.Expiry) }))
	if _, err := m.OpenSession(web.Token); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("revoked web session: got %v, want ErrInvalidToken", err)
	}
	// Revoked by key alone, the entry lasts the longest a session can.
	must(t, m.Change(ctx, func(st *State) error { return st.RevokeSession(s2.AccessKey, time.Time{}) }))
	if _, err := m.OpenSession(s2.Token); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("second revoked session: got %v, want ErrInvalidToken", err)
	}
	var entries []RevokedSession
	m.View(func(st *State) { entries = st.RevokedSessions() })
	if len(entries) != 3 {
		t.Fatalf("revocation list: got %d entries, want 3", len(entries))
	}

	// Past s1's (and the web session's) expiry their entries go with the
	// next change; s2's (revoked by key) stays until MaxSessionDuration
	// after its revocation.
	c.t = c.t.Add(90 * time.Minute)
	must(t, m.Change(ctx, func(st *State) error { return st.CreatePolicy("p", onlyPhotos) }))
	m.View(func(st *State) { entries = st.RevokedSessions() })
	if len(entries) != 1 || entries[0].AccessKey != s2.AccessKey {
		t.Fatalf("after s1 expired: got %+v, want only %s", entries, s2.AccessKey)
	}
	c.t = c.t.Add(MaxSessionDuration)
	must(t, m.Change(ctx, func(st *State) error { return st.RemovePolicy("p") }))
	m.View(func(st *State) { entries = st.RevokedSessions() })
	if len(entries) != 0 {
		t.Fatalf("after every revoked session expired: got %+v, want none", entries)
	}
	// A session that has expired cannot be revoked (there is nothing to end).
	err = m.Change(ctx, func(st *State) error { return st.RevokeSession(s1.AccessKey, s1.Expiry) })
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("revoking an expired session: got %v, want ErrInvalid", err)
	}
}

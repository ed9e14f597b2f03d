package iam

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestSessionEpoch checks that a session ends when its parent is
// removed and re-created, has its secret rotated, or is disabled and
// enabled again, and that a token of another format is refused.
func TestSessionEpoch(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newTestManager(t, &MemStore{}, c)
	addAlice := func(st *State) error {
		if err := st.AddUser("alice", "alice-secret"); err != nil {
			return err
		}
		return st.AttachPolicies([]string{"readwrite"}, "alice", "")
	}
	must(t, m.Change(ctx, addAlice))
	for _, tc := range []struct {
		name   string
		change func(st *State) error
	}{
		{"re-created", func(st *State) error {
			if err := st.RemoveUser("alice"); err != nil {
				return err
			}
			return addAlice(st)
		}},
		{"secret rotated", func(st *State) error { return st.SetUserSecret("alice", "alice-secret-2") }},
		{"disabled and enabled", func(st *State) error {
			if err := st.SetUserStatus("alice", Disabled); err != nil {
				return err
			}
			return st.SetUserStatus("alice", Enabled)
		}},
	} {
		s, err := m.IssueSession("alice", time.Hour, "")
		must(t, err)
		if _, err := m.OpenSession(s.Token); err != nil {
			t.Fatalf("%s: fresh session: %v", tc.name, err)
		}
		// An unrelated change keeps it.
		must(t, m.Change(ctx, func(st *State) error { return st.CreatePolicy("p", onlyPhotos) }))
		if _, err := m.OpenSession(s.Token); err != nil {
			t.Errorf("%s: after an unrelated change: %v", tc.name, err)
		}
		must(t, m.Change(ctx, tc.change))
		if _, err := m.OpenSession(s.Token); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: old session: got %v, want ErrInvalidToken", tc.name, err)
		}
	}
	// A token of the first format (no version, no epoch) is refused.
	data, _ := json.Marshal(map[string]any{"ak": "ASIAOLD", "sk": "secret", "p": "alice", "e": c.t.Add(time.Hour)})
	old, err := m.cfg.Sealer.SealData("hoard sts session v1", data)
	must(t, err)
	if _, err := m.OpenSession(old); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of the old format: got %v, want ErrInvalidToken", err)
	}
}

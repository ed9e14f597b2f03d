package iam

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestStaleState checks that a manager that cannot reload stops
// accepting keys once its state is older than MaxStale, and accepts them
// again once a reload succeeds.
func TestStaleState(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	store := &MemStore{}
	sealer, err := NewSealer([]byte("root-secret-for-tests"))
	must(t, err)
	m := New(Config{Store: store, Sealer: sealer, RootAccessKey: "rootkey", Now: c.now, MaxStale: 10 * time.Second})
	must(t, m.Change(ctx, func(st *State) error { return st.AddUser("alice", "alice-secret") }))
	s, err := m.IssueSession("alice", time.Hour, "")
	must(t, err)
	store.LoadFail = errors.New("lost read quorum")
	c.t = c.t.Add(5 * time.Second)
	if err := m.Refresh(ctx); err == nil {
		t.Fatal("Refresh with a failing store: got no error")
	}
	if _, ok := m.Lookup("alice"); !ok || m.Stale() {
		t.Error("alice refused within the bound")
	}
	c.t = c.t.Add(6 * time.Second)
	if _, ok := m.Lookup("alice"); ok || !m.Stale() {
		t.Error("alice accepted past the bound without a reload")
	}
	if _, err := m.OpenSession(s.Token); err == nil {
		t.Error("session accepted past the bound without a reload")
	}
	store.LoadFail = nil
	must(t, m.Refresh(ctx))
	if _, ok := m.Lookup("alice"); !ok || m.Stale() {
		t.Error("alice refused after a successful reload")
	}
}

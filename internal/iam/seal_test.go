package iam

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// TestSealerKeysSeparate checks that client-held tokens are sealed with
// another key than stored secrets.
func TestSealerKeysSeparate(t *testing.T) {
	s, err := NewSealer([]byte("root-secret-for-tests"))
	must(t, err)
	token, err := s.SealData("label", []byte("claims"))
	must(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(token)
	must(t, err)
	n := s.aead.NonceSize()
	if _, err := s.aead.Open(nil, raw[:n], raw[n:], []byte("label")); err == nil {
		t.Error("a token opens with the stored-secrets key")
	}
	sealed, err := s.Seal("label", "claims")
	must(t, err)
	if _, err := s.OpenData("label", base64.RawURLEncoding.EncodeToString(mustDecodeStd(t, sealed))); err == nil {
		t.Error("a stored secret opens as a token")
	}
}

func mustDecodeStd(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	must(t, err)
	return b
}

// TestUnchangedSecretsKeepCiphertext checks that a change re-seals only
// the secrets it sets.
func TestUnchangedSecretsKeepCiphertext(t *testing.T) {
	ctx := context.Background()
	store := &MemStore{}
	m := newTestManager(t, store, &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	sealedOf := func(user string) string {
		data, err := store.Load(ctx)
		must(t, err)
		var d stored
		must(t, json.Unmarshal(data, &d))
		return d.Users[user].Sealed
	}
	must(t, m.Change(ctx, func(st *State) error { return st.AddUser("alice", "alice-secret") }))
	first := sealedOf("alice")
	must(t, m.Change(ctx, func(st *State) error { return st.AddUser("bob", "bob-secret-key") }))
	if got := sealedOf("alice"); got != first {
		t.Errorf("alice's sealed secret changed with another user's change: %q, then %q", first, got)
	}
	must(t, m.Change(ctx, func(st *State) error { return st.SetUserSecret("alice", "alice-secret-2") }))
	if got := sealedOf("alice"); got == first {
		t.Error("alice's sealed secret did not change with her secret")
	}
}

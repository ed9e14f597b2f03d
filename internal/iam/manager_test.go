package iam

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/policy"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestManager(t *testing.T, store Store, c *clock) *Manager {
	t.Helper()
	sealer, err := NewSealer([]byte("root-secret-for-tests"))
	if err != nil {
		t.Fatal(err)
	}
	m := New(Config{Store: store, Sealer: sealer, RootAccessKey: "rootkey", Now: c.now})
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const onlyPhotos = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}]}`

func TestChanges(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	setup := func(st *State) error {
		if err := st.AddUser("alice", "alice-secret"); err != nil {
			return err
		}
		if err := st.AddUser("bob", "bob-secret1"); err != nil {
			return err
		}
		if err := st.CreatePolicy("photos", onlyPhotos); err != nil {
			return err
		}
		if err := st.AttachPolicies([]string{"photos"}, "alice", ""); err != nil {
			return err
		}
		return st.AddGroupMembers("staff", []string{"bob"})
	}
	tests := []struct {
		name   string
		change func(st *State) error
		want   error  // errors.Is target; nil: succeeds
		code   string // for *policy.Error
	}{
		{"duplicate user", func(st *State) error { return st.AddUser("alice", "another-secret") }, ErrExists, ""},
		{"user named as root", func(st *State) error { return st.AddUser("rootkey", "another-secret") }, ErrExists, ""},
		{"short secret", func(st *State) error { return st.AddUser("carol", "short") }, ErrInvalid, ""},
		{"bad access key", func(st *State) error { return st.AddUser("ca/rol", "long-enough") }, ErrInvalid, ""},
		{"remove attached policy", func(st *State) error { return st.RemovePolicy("photos") }, ErrPolicyInUse, ""},
		{"remove built-in", func(st *State) error { return st.RemovePolicy("readonly") }, ErrBuiltin, ""},
		{"replace built-in", func(st *State) error { return st.CreatePolicy("readwrite", onlyPhotos) }, ErrBuiltin, ""},
		{"malformed policy", func(st *State) error { return st.CreatePolicy("bad", `{"Version":"2012-10-17"}`) }, nil, "MalformedPolicy"},
		{"unknown action", func(st *State) error {
			return st.CreatePolicy("bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"admin:Explode"}]}`)
		}, nil, "MalformedPolicy"},
		{"attach missing policy", func(st *State) error { return st.AttachPolicies([]string{"nope"}, "bob", "") }, ErrNoSuchPolicy, ""},
		{"attach twice", func(st *State) error { return st.AttachPolicies([]string{"photos"}, "alice", "") }, ErrExists, ""},
		{"attach to user and group", func(st *State) error { return st.AttachPolicies([]string{"photos"}, "bob", "staff") }, ErrInvalid, ""},
		{"detach unattached", func(st *State) error { return st.DetachPolicies([]string{"readonly"}, "alice", "") }, ErrInvalid, ""},
		{"group with unknown member", func(st *State) error { return st.AddGroupMembers("staff", []string{"bob", "zed"}) }, ErrNoSuchUser, ""},
		{"remove group with members", func(st *State) error { return st.RemoveGroupMembers("staff", nil) }, ErrInvalid, ""},
		{"svc of unknown parent", func(st *State) error { _, err := st.AddServiceAccount(NewServiceAccount{Parent: "zed"}); return err }, ErrNoSuchUser, ""},
		{"svc expired already", func(st *State) error {
			_, err := st.AddServiceAccount(NewServiceAccount{Parent: "alice", Expiry: c.t.Add(-time.Minute)})
			return err
		}, ErrInvalid, ""},
		{"svc with a user's key", func(st *State) error {
			_, err := st.AddServiceAccount(NewServiceAccount{Parent: "alice", AccessKey: "bob", Secret: "whatever12"})
			return err
		}, ErrExists, ""},
		{"two changes, second fails", func(st *State) error {
			if err := st.AddUser("carol", "carol-secret"); err != nil {
				return err
			}
			return st.AddUser("carol", "carol-secret")
		}, ErrExists, ""},
		{"remove user takes memberships and svc", func(st *State) error {
			if _, err := st.AddServiceAccount(NewServiceAccount{Parent: "bob"}); err != nil {
				return err
			}
			if err := st.RemoveUser("bob"); err != nil {
				return err
			}
			if len(st.Groups["staff"].Members) != 0 || len(st.ServiceAccounts) != 0 {
				return errors.New("bob left traces")
			}
			return nil
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &MemStore{}
			m := newTestManager(t, store, c)
			must(t, m.Change(ctx, setup))
			before, _ := store.Load(ctx)
			gen := m.Generation()
			err := m.Change(ctx, tt.change)
			var pe *policy.Error
			switch {
			case tt.code != "":
				if !errors.As(err, &pe) || pe.Code != tt.code {
					t.Fatalf("got %v, want %s", err, tt.code)
				}
			case tt.want == nil:
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			case !errors.Is(err, tt.want):
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			after, _ := store.Load(ctx)
			if !bytes.Equal(before, after) || m.Generation() != gen {
				t.Errorf("a refused change changed the state")
			}
		})
	}
}

func TestLookup(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newTestManager(t, &MemStore{}, c)
	var svc, narrow, expiring, rootSvc ServiceAccount
	must(t, m.Change(ctx, func(st *State) error {
		for _, u := range []string{"alice", "bob", "carol"} {
			if err := st.AddUser(u, u+"-secret"); err != nil {
				return err
			}
		}
		if err := st.AttachPolicies([]string{"readonly"}, "alice", ""); err != nil {
			return err
		}
		if err := st.AddGroupMembers("writers", []string{"alice", "bob"}); err != nil {
			return err
		}
		if err := st.AttachPolicies([]string{"writeonly"}, "", "writers"); err != nil {
			return err
		}
		var err error
		if svc, err = st.AddServiceAccount(NewServiceAccount{Parent: "alice"}); err != nil {
			return err
		}
		if narrow, err = st.AddServiceAccount(NewServiceAccount{Parent: "alice", Policy: onlyPhotos}); err != nil {
			return err
		}
		if expiring, err = st.AddServiceAccount(NewServiceAccount{Parent: "bob", Expiry: c.t.Add(time.Hour)}); err != nil {
			return err
		}
		rootSvc, err = st.AddServiceAccount(NewServiceAccount{Parent: "rootkey", AccessKey: "backup-job", Secret: "backup-secret"})
		return err
	}))
	id, ok := m.Lookup("alice")
	if !ok || id.Secret != "alice-secret" || len(id.Policies) != 2 || id.User != "alice" {
		t.Fatalf("alice: got %+v, %v", id, ok)
	}
	if id, ok := m.Lookup(svc.AccessKey); !ok || id.User != "alice" || !id.ServiceAccount || len(id.Policies) != 2 || id.Inline != nil || id.Secret != svc.Secret {
		t.Fatalf("service account: got %+v, %v", id, ok)
	}
	if id, ok := m.Lookup(narrow.AccessKey); !ok || id.Inline == nil {
		t.Fatalf("narrowed service account: got %+v, %v", id, ok)
	}
	if id, ok := m.Lookup(rootSvc.AccessKey); !ok || !id.ParentRoot {
		t.Fatalf("root's service account: got %+v, %v", id, ok)
	}
	if id, ok := m.Lookup("carol"); !ok || len(id.Policies) != 0 {
		t.Fatalf("carol: got %+v, %v", id, ok)
	}
	for _, k := range []string{"rootkey", "nobody", ""} {
		if _, ok := m.Lookup(k); ok {
			t.Errorf("Lookup(%q): got ok, want refused", k)
		}
	}
	// Expiry.
	c.t = c.t.Add(2 * time.Hour)
	if _, ok := m.Lookup(expiring.AccessKey); ok {
		t.Errorf("expired service account still accepted")
	}
	// A disabled group's policies stop applying; a disabled user and its
	// service accounts stop authenticating.
	must(t, m.Change(ctx, func(st *State) error { return st.SetGroupStatus("writers", Disabled) }))
	if id, _ := m.Lookup("alice"); len(id.Policies) != 1 {
		t.Errorf("disabled group: alice has %v", id.PolicyNames)
	}
	must(t, m.Change(ctx, func(st *State) error { return st.SetUserStatus("alice", Disabled) }))
	for _, k := range []string{"alice", svc.AccessKey, narrow.AccessKey} {
		if _, ok := m.Lookup(k); ok {
			t.Errorf("Lookup(%q) after disabling alice: got ok", k)
		}
	}
	must(t, m.Change(ctx, func(st *State) error {
		return st.UpdateServiceAccount(rootSvc.AccessKey, ServiceAccountUpdate{Status: ptr(Disabled)})
	}))
	if _, ok := m.Lookup(rootSvc.AccessKey); ok {
		t.Errorf("disabled service account still accepted")
	}
}

func ptr[T any](v T) *T { return &v }

func TestSealedAndShared(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Now()}
	store := &MemStore{}
	a := newTestManager(t, store, c)
	b := newTestManager(t, store, c)
	must(t, a.Change(ctx, func(st *State) error { return st.AddUser("alice", "plain-secret-XYZ") }))
	doc, _ := store.Load(ctx)
	if bytes.Contains(doc, []byte("plain-secret-XYZ")) {
		t.Fatalf("the stored document holds a secret in plain text")
	}
	if _, ok := b.Lookup("alice"); ok {
		t.Fatalf("b knows alice before refreshing")
	}
	must(t, b.Refresh(ctx))
	if id, ok := b.Lookup("alice"); !ok || id.Secret != "plain-secret-XYZ" {
		t.Fatalf("b after Refresh: got %+v, %v", id, ok)
	}
	// A change on b is made on the latest state, not b's cache.
	must(t, b.Change(ctx, func(st *State) error { return st.AddUser("bob", "bob-secret") }))
	must(t, a.Refresh(ctx))
	if _, ok := a.Lookup("bob"); !ok {
		t.Fatalf("a does not see bob")
	}
	if a.Generation() != 2 {
		t.Errorf("generation: got %d, want 2", a.Generation())
	}
	other, _ := NewSealer([]byte("another root secret"))
	wrong := New(Config{Store: store, Sealer: other})
	if err := wrong.Refresh(ctx); !errors.Is(err, ErrCorrupt) {
		t.Errorf("another key: got %v, want ErrCorrupt", err)
	}
	// A failed store write changes nothing, on this node either.
	store.Fail = errors.New("quorum lost")
	if err := a.Change(ctx, func(st *State) error { return st.AddUser("carol", "carol-secret") }); err == nil {
		t.Fatal("got nil, want the store's error")
	}
	if _, ok := a.Lookup("carol"); ok {
		t.Errorf("carol exists after a failed write")
	}
}

func TestBuiltinPolicies(t *testing.T) {
	req := func(action, bucket, key string) policy.Request {
		return policy.Request{Action: action, Bucket: bucket, Key: key}
	}
	tests := []struct {
		policy string
		req    policy.Request
		want   policy.Decision
	}{
		{"readonly", req("s3:GetObject", "b", "k"), policy.DecisionAllow},
		{"readonly", req("s3:ListBucket", "b", ""), policy.DecisionAllow},
		{"readonly", req("s3:ListAllMyBuckets", "", ""), policy.DecisionAllow},
		{"readonly", req("s3:PutObject", "b", "k"), policy.DecisionNone},
		{"readonly", req("s3:DeleteObject", "b", "k"), policy.DecisionNone},
		{"writeonly", req("s3:PutObject", "b", "k"), policy.DecisionAllow},
		{"writeonly", req("s3:GetObject", "b", "k"), policy.DecisionNone},
		{"writeonly", req("s3:ListBucket", "b", ""), policy.DecisionNone},
		{"readwrite", req("s3:DeleteBucket", "b", ""), policy.DecisionAllow},
		{"readwrite", req("admin:ListUsers", "", ""), policy.DecisionNone},
		{"diagnostics", req("admin:ServerInfo", "", ""), policy.DecisionAllow},
		{"diagnostics", req("admin:CreateUser", "", ""), policy.DecisionNone},
		{"consoleAdmin", req("admin:CreateUser", "", ""), policy.DecisionAllow},
		{"consoleAdmin", req("s3:PutBucketPolicy", "b", ""), policy.DecisionAllow},
	}
	for _, tt := range tests {
		t.Run(tt.policy+"/"+tt.req.Action, func(t *testing.T) {
			if got := builtinParsed[tt.policy].Evaluate(tt.req); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newTestManager(t, &MemStore{}, c)
	must(t, m.Change(ctx, func(st *State) error {
		if err := st.AddUser("alice", "alice-secret"); err != nil {
			return err
		}
		return st.AttachPolicies([]string{"readwrite"}, "alice", "")
	}))
	if _, err := m.IssueSession("alice", time.Minute, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("one-minute session: got %v, want ErrInvalid", err)
	}
	if _, err := m.IssueSession("nobody", time.Hour, ""); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("session of nobody: got %v", err)
	}
	var pe *policy.Error
	if _, err := m.IssueSession("alice", time.Hour, `{"Version":"2012-10-17"}`); !errors.As(err, &pe) {
		t.Errorf("bad session policy: got %v", err)
	}
	s, err := m.IssueSession("alice", time.Hour, onlyPhotos)
	must(t, err)
	id, err := m.OpenSession(s.Token)
	if err != nil || id.AccessKey != s.AccessKey || id.Secret != s.Secret || id.User != "alice" || id.Inline == nil || len(id.Policies) != 1 {
		t.Fatalf("OpenSession: got %+v, %v", id, err)
	}
	if _, err := m.OpenSession(s.Token[:len(s.Token)-2] + "AA"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("altered token: got %v", err)
	}
	c.t = c.t.Add(time.Hour)
	if _, err := m.OpenSession(s.Token); !errors.Is(err, ErrExpiredToken) {
		t.Errorf("expired token: got %v", err)
	}
	c.t = c.t.Add(-30 * time.Minute)
	must(t, m.Change(ctx, func(st *State) error { return st.SetUserStatus("alice", Disabled) }))
	if _, err := m.OpenSession(s.Token); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("session of a disabled user: got %v", err)
	}
}

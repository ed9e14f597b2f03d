package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// TestRefuseStaleIAM checks that, once IAM reloads have failed for longer
// than the bound, IAM keys get 503 SlowDown while root and anonymous
// requests pass, and that a successful reload ends it.
func TestRefuseStaleIAM(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store := &iam.MemStore{}
	sealer, err := iam.NewSealer([]byte("root-secret-for-tests"))
	if err != nil {
		t.Fatal(err)
	}
	m := iam.New(iam.Config{Store: store, Sealer: sealer, RootAccessKey: "rootkey", Now: func() time.Time { return now }, MaxStale: iamMaxStale})
	s := &Server{iam: m, cred: sigv4.Credentials{AccessKey: "rootkey", SecretKey: "rootsecret"}}
	sigV4 := func(ak string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+ak+"/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
		}
	}
	cases := []struct {
		name, target string
		sign         func(*http.Request)
		wantRefused  bool
	}{
		{"iam key", "/bucket/key", sigV4("alice"), true},
		{"iam key presigned", "/bucket/key?X-Amz-Credential=alice%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", func(*http.Request) {}, true},
		{"iam key v2", "/bucket/key", func(r *http.Request) { r.Header.Set("Authorization", "AWS alice:c2ln") }, true},
		{"iam key admin", "/hoard/admin/v1/iam/users", sigV4("alice"), true},
		{"root", "/bucket/key", sigV4("rootkey"), false},
		{"anonymous", "/bucket/key", func(*http.Request) {}, false},
	}
	check := func(stage string, stale bool) {
		t.Helper()
		for _, tc := range cases {
			r := httptest.NewRequest("GET", tc.target, nil)
			tc.sign(r)
			w := httptest.NewRecorder()
			refused := s.refuseStaleIAM(w, r)
			if want := stale && tc.wantRefused; refused != want || (refused && w.Code != http.StatusServiceUnavailable) {
				t.Errorf("%s, %s: refused %v (status %d), want %v", stage, tc.name, refused, w.Code, want)
			}
		}
	}
	store.LoadFail = errors.New("lost read quorum")
	now = now.Add(iamMaxStale / 2)
	if m.Refresh(context.Background()) == nil {
		t.Fatal("Refresh with a failing store: got no error")
	}
	check("within the bound", false)
	now = now.Add(iamMaxStale)
	check("past the bound", true)
	store.LoadFail = nil
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("after a reload", false)
}

package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestAdminSessionTokens: the admin API accepts temporary credentials
// (with their token) and decides each call with the session's
// permissions: a session keeps its parent's admin rights only as far as
// its session policy allows, and can never turn itself into a lasting
// key (a service account of its parent) on its own, which its user's
// own keys may do; an altered token is refused.
func TestAdminSessionTokens(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	addUser(t, e, "ops", "readwrite")
	iamOK(t, e, "PUT", "policies/iam-read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["admin:ListUsers","admin:GetUser"]}]}`)
	iamOK(t, e, "POST", "attach", map[string]any{"policies": []string{"iam-read"}, "user": "ops"})
	assume := func(policy string) sigv4.Credentials {
		c, err := credentials.NewSTSAssumeRole(e.URL, credentials.STSAssumeRoleOptions{AccessKey: "ops", SecretKey: "ops-secret-key",
			Policy: policy, DurationSeconds: 900, Location: e.Region})
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.GetWithContext(&credentials.CredContext{Client: e.HTTPClient(t)})
		if err != nil {
			t.Fatal(err)
		}
		return sigv4.Credentials{AccessKey: v.AccessKeyID, SecretKey: v.SecretAccessKey, SessionToken: v.SessionToken}
	}
	full := assume("")
	narrow := assume(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	tests := []struct {
		name         string
		cred         sigv4.Credentials
		method, path string
		body         string
		want         int
		wantCode     string
	}{
		{"session lists users", full, "GET", "users", "", http.StatusOK, ""},
		{"narrowed session may not", narrow, "GET", "users", "", http.StatusForbidden, "AccessDenied"},
		{"session makes no lasting key of its parent", full, "POST", "svcaccts", `{"parent":"ops"}`, http.StatusForbidden, "AccessDenied"},
		{"narrowed session neither", narrow, "POST", "svcaccts", `{}`, http.StatusForbidden, "AccessDenied"},
		{"altered token", sigv4.Credentials{AccessKey: full.AccessKey, SecretKey: full.SecretKey, SessionToken: full.SessionToken + "x"},
			"GET", "users", "", http.StatusForbidden, "InvalidToken"},
		{"the user's own keys may", sigv4.Credentials{AccessKey: "ops", SecretKey: "ops-secret-key"}, "POST", "svcaccts", `{}`, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := iamAdmin(t, e, tt.cred, tt.method, tt.path, []byte(tt.body))
			if status != tt.want || (tt.wantCode != "" && !strings.Contains(string(out), `"code":"`+tt.wantCode+`"`)) {
				t.Errorf("%s %s: got %d %s, want %d %s", tt.method, tt.path, status, out, tt.want, tt.wantCode)
			}
		})
	}
}

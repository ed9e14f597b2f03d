package integration

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestIAMAdminEscalation checks that narrow admin actions do not let
// their holder raise its own permissions to an administrator's.
func TestIAMAdminEscalation(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	addUser(t, e, "boss", "consoleAdmin")
	addUser(t, e, "plain", "readonly")
	allow := func(actions string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + actions + `]}]}`
	}
	iamOK(t, e, "PUT", "policies/can-create", allow(`"admin:CreateUser"`))
	iamOK(t, e, "PUT", "policies/can-reset", allow(`"admin:ResetUserSecret"`))
	iamOK(t, e, "PUT", "policies/can-policy", allow(`"admin:CreatePolicy"`))
	iamOK(t, e, "PUT", "policies/can-attach", allow(`"admin:AttachUserOrGroupPolicy"`))
	addUser(t, e, "creator", "can-create")
	addUser(t, e, "resetter", "can-reset")
	addUser(t, e, "author", "can-policy")
	addUser(t, e, "attacher", "can-attach")
	iamOK(t, e, "POST", "users", map[string]string{"accessKey": "member", "secretKey": "member-secret-key"})
	iamOK(t, e, "POST", "groups/crew/members", map[string]any{"members": []string{"attacher"}})
	cred := func(name string) sigv4.Credentials {
		return sigv4.Credentials{AccessKey: name, SecretKey: name + "-secret-key"}
	}
	for _, tc := range []struct {
		name, who, method, path, body string
		want                          int
	}{
		{"CreateUser does not reset secrets", "creator", "POST", "users/plain/secret", `{}`, http.StatusForbidden},
		{"reset a non-admin's secret", "resetter", "POST", "users/plain/secret", `{}`, http.StatusOK},
		{"reset an admin's secret", "resetter", "POST", "users/boss/secret", `{}`, http.StatusForbidden},
		{"create a new policy", "author", "PUT", "policies/fresh", allow(`"admin:ServerInfo"`), http.StatusOK},
		{"replace an unattached policy", "author", "PUT", "policies/fresh", allow(`"admin:Heal"`), http.StatusOK},
		{"replace an attached policy", "author", "PUT", "policies/can-policy", allow(`"admin:*"`), http.StatusForbidden},
		{"attach to another user", "attacher", "POST", "attach", `{"policies":["readwrite"],"user":"member"}`, http.StatusOK},
		{"attach to itself", "attacher", "POST", "attach", `{"policies":["consoleAdmin"],"user":"attacher"}`, http.StatusForbidden},
		{"attach to its group", "attacher", "POST", "attach", `{"policies":["consoleAdmin"],"group":"crew"}`, http.StatusForbidden},
	} {
		status, out := iamAdmin(t, e, cred(tc.who), tc.method, tc.path, []byte(tc.body))
		if status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, status, out, tc.want)
		}
	}
	// The refused changes changed nothing: boss's secret still works.
	if status, out := iamAdmin(t, e, cred("boss"), "GET", "users", nil); status != http.StatusOK {
		t.Errorf("boss after refused reset: got %d %s", status, out)
	}
}

// TestIAMServiceAccountSelfService checks that a user may narrow its own
// service accounts but not undo what an administrator set.
func TestIAMServiceAccountSelfService(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	addUser(t, e, "owner", "readwrite")
	var acct struct{ AccessKey string }
	soon := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	json.Unmarshal(iamOK(t, e, "POST", "svcaccts", map[string]any{"parent": "owner", "expiry": soon}), &acct)
	path := "svcaccts/" + acct.AccessKey
	owner := sigv4.Credentials{AccessKey: "owner", SecretKey: "owner-secret-key"}
	later, sooner := soon.Add(time.Hour).Format(time.RFC3339), soon.Add(-time.Minute).Format(time.RFC3339)
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"extend the expiry", `{"expiry":"` + later + `"}`, http.StatusForbidden},
		{"remove the expiry", `{"noExpiry":true}`, http.StatusForbidden},
		{"shorten the expiry", `{"expiry":"` + sooner + `"}`, http.StatusOK},
		{"add a policy", `{"policy":` + narrow + `}`, http.StatusOK},
		{"remove the policy", `{"policy":""}`, http.StatusForbidden},
		{"disable", `{"status":"disabled"}`, http.StatusOK},
		{"re-enable", `{"status":"enabled"}`, http.StatusForbidden},
	} {
		status, out := iamAdmin(t, e, owner, "POST", path, []byte(tc.body))
		if status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, status, out, tc.want)
		}
	}
	// Root (or a holder of admin:UpdateServiceAccount) may widen again.
	iamOK(t, e, "POST", path, map[string]any{"status": "enabled", "noExpiry": true, "policy": ""})
}

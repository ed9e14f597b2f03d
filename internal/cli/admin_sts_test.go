package cli

import (
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// TestAdminSTSRevoke revokes STS sessions with the command, by access key
// and by token, and checks that each is refused at once while the user's
// other session works, and that bad arguments are refused.
func TestAdminSTSRevoke(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("admin", "user", "add", "local", "temp", "temp-secret-key")
	h.mustRun("admin", "policy", "attach", "local", "readwrite", "--user", "temp")
	e := h.srv.Endpoint
	assume := func() credentials.Value {
		c, err := credentials.NewSTSAssumeRole(e.URL, credentials.STSAssumeRoleOptions{AccessKey: "temp", SecretKey: "temp-secret-key", DurationSeconds: 900, Location: e.Region})
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.GetWithContext(&credentials.CredContext{Client: e.HTTPClient(t)})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	works := func(v credentials.Value) error {
		c := e.MinioClient(t, func(o *minio.Options) {
			o.Creds = credentials.NewStaticV4(v.AccessKeyID, v.SecretAccessKey, v.SessionToken)
		})
		_, err := c.ListBuckets(t.Context())
		return err
	}
	byKey, byToken, kept := assume(), assume(), assume()
	for _, v := range []credentials.Value{byKey, byToken, kept} {
		if err := works(v); err != nil {
			t.Fatalf("session before revocation: %v", err)
		}
	}
	if out := h.mustRun("admin", "sts", "revoke", "local", byKey.AccessKeyID); !strings.Contains(out, "Revoked session `"+byKey.AccessKeyID+"`") {
		t.Errorf("revoke by key: got\n%s", out)
	}
	lines := jsonLines(t, h.mustRun("admin", "sts", "revoke", "local", "--token", byToken.SessionToken, "--json"))
	if len(lines) != 1 || lines[0]["accessKey"] != byToken.AccessKeyID || lines[0]["until"] == nil {
		t.Errorf("revoke by token --json: got %v", lines)
	}
	for name, v := range map[string]credentials.Value{"by key": byKey, "by token": byToken} {
		if err := works(v); minio.ToErrorResponse(err).Code != "InvalidToken" {
			t.Errorf("session revoked %s: got %v, want InvalidToken", name, err)
		}
	}
	if err := works(kept); err != nil {
		t.Errorf("the user's other session: %v", err)
	}
	if out := h.mustRun("admin", "sts", "ls", "local"); !strings.Contains(out, byKey.AccessKeyID) || !strings.Contains(out, byToken.AccessKeyID) {
		t.Errorf("sts ls: got\n%s", out)
	}
	for _, args := range [][]string{
		{"admin", "sts", "revoke", "local"},
		{"admin", "sts", "revoke", "local", byKey.AccessKeyID, "--token", byToken.SessionToken},
		{"admin", "sts", "revoke", "local", "temp"},
	} {
		if err := h.mustFail(args...); err == nil {
			t.Errorf("hoard %s: got no error", strings.Join(args, " "))
		}
	}
}

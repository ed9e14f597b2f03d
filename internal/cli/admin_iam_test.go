package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminIAMCommands drives users, groups, policies and service
// accounts through the commands against a real server, in mc admin's
// argument order, and checks that a secret is printed only on creation.
func TestAdminIAMCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dir := t.TempDir()
	write := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	photos := write("photos.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"]}]}`)
	bad := write("bad.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*"}]}`)

	h.mustRun("admin", "user", "add", "local", "alice", "alice-secret-key")
	if err := h.mustFail("admin", "user", "add", "local", "alice", "alice-secret-key"); !strings.Contains(err.Error(), "AlreadyExists") {
		t.Errorf("duplicate user: got %v", err)
	}
	h.mustRun("admin", "policy", "create", "local", "photos", photos)
	if err := h.mustFail("admin", "policy", "create", "local", "bad", bad); !strings.Contains(err.Error(), "MalformedPolicy") {
		t.Errorf("bad policy: got %v", err)
	}
	h.mustRun("admin", "policy", "attach", "local", "photos", "--user", "alice")
	h.mustRun("admin", "group", "add", "local", "staff", "alice")
	h.mustRun("admin", "policy", "attach", "local", "readonly", "--group", "staff")
	if out := h.mustRun("admin", "user", "info", "local", "alice"); !strings.Contains(out, "PolicyName: photos") || !strings.Contains(out, "MemberOf: staff") {
		t.Errorf("user info: got\n%s", out)
	}
	if out := h.mustRun("admin", "policy", "entities", "local"); !strings.Contains(out, "Policy: photos\n  Users: alice") || !strings.Contains(out, "Groups: staff") {
		t.Errorf("policy entities: got\n%s", out)
	}
	if err := h.mustFail("admin", "policy", "rm", "local", "photos"); !strings.Contains(err.Error(), "PolicyInUse") {
		t.Errorf("rm of an attached policy: got %v", err)
	}
	h.mustRun("admin", "policy", "info", "local", "photos")

	// The service account's secret is printed once, with --json as
	// accessKey and secretKey.
	lines := jsonLines(t, h.mustRun("admin", "svcacct", "add", "local", "alice", "--policy", photos, "--expiry", "720h", "--json"))
	if len(lines) != 1 || lines[0]["accessKey"] == nil || lines[0]["secretKey"] == nil || lines[0]["expiry"] == nil {
		t.Fatalf("svcacct add --json: got %v", lines)
	}
	key, secret := lines[0]["accessKey"].(string), lines[0]["secretKey"].(string)
	for _, args := range [][]string{
		{"admin", "svcacct", "ls", "local", "alice"}, {"admin", "svcacct", "info", "local", key},
		{"admin", "user", "ls", "local"}, {"admin", "user", "info", "local", "alice"},
		{"admin", "svcacct", "ls", "local", "alice", "--json"},
	} {
		out := h.mustRun(args...)
		if strings.Contains(out, secret) || strings.Contains(out, "alice-secret-key") {
			t.Errorf("hoard %s prints a secret:\n%s", strings.Join(args, " "), out)
		}
	}
	h.mustRun("admin", "svcacct", "disable", "local", key)
	if out := h.mustRun("admin", "svcacct", "info", "local", key); !strings.Contains(out, "Status: disabled") {
		t.Errorf("svcacct info after disable: got\n%s", out)
	}
	h.mustRun("admin", "svcacct", "edit", "local", key, "--no-expiry", "--no-policy")
	h.mustRun("admin", "svcacct", "rm", "local", key)

	// The user works through an alias of its own keys, then stops when
	// disabled.
	h.mustRun("admin", "user", "disable", "local", "alice")
	if out := h.mustRun("admin", "user", "ls", "local"); !strings.Contains(out, "disabled  alice") {
		t.Errorf("user ls: got\n%s", out)
	}
	rot := jsonLines(t, h.mustRun("admin", "user", "rotate", "local", "alice", "--json"))
	if len(rot) != 1 || len(rot[0]["secretKey"].(string)) != 40 {
		t.Errorf("user rotate --json: got %v", rot)
	}
	h.mustRun("admin", "policy", "detach", "local", "photos", "--user", "alice")
	h.mustRun("admin", "group", "rm", "local", "staff", "alice")
	h.mustRun("admin", "group", "rm", "local", "staff")
	h.mustRun("admin", "policy", "rm", "local", "photos")
	h.mustRun("admin", "user", "rm", "local", "alice")
	if err := h.mustFail("admin", "user", "info", "local", "alice"); !strings.Contains(err.Error(), "NoSuchUser") {
		t.Errorf("info of a removed user: got %v", err)
	}
	if err := h.mustFail("admin", "policy", "attach", "local", "readonly"); err == nil || !strings.Contains(err.Error(), "--user") {
		t.Errorf("attach without --user/--group: got %v", err)
	}
}

package compat

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

// RequireToolsEnv names the environment variable that turns a missing
// client from a skip into a failure.
const RequireToolsEnv = "HOARD_REQUIRE_TOOLS"

// scriptTimeout bounds one run of one script against one layout.
const scriptTimeout = 3 * time.Minute

// layouts are the drive counts every script runs with: the single-folder
// mode and a four-drive erasure-coded set.
var layouts = []struct {
	name   string
	drives string
}{
	{"1-drive", "1"},
	{"4-drive", "4"},
}

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// missingTool skips t, or fails it when RequireToolsEnv is 1, naming what
// is missing and why.
func missingTool(t *testing.T, what string) {
	t.Helper()
	if os.Getenv(RequireToolsEnv) == "1" {
		t.Fatalf("%s and %s=1; run scripts/test-deps.sh", what, RequireToolsEnv)
	}
	t.Skipf("%s; scripts/test-deps.sh installs it", what)
}

// requireTools calls missingTool unless every command is on PATH.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"bash", "python3"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			missingTool(t, tool+" is not installed")
		}
	}
}

// runScript runs script (a file of this folder) with the built binary
// once per layout, each bounded by scriptTimeout, and fails t with the
// script's output when it fails.
func runScript(t *testing.T, script string) {
	t.Helper()
	bin := testserver.BuildHoard(t)
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", script, bin, l.drives)
			cmd.WaitDelay = 10 * time.Second
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("%s with %s drives did not finish within %v:\n%s", script, l.drives, scriptTimeout, out.String())
			}
			if err != nil {
				t.Fatalf("%s with %s drives failed: %v\n%s", script, l.drives, err, out.String())
			}
			t.Logf("%s with %s drives:\n%s", script, l.drives, out.String())
		})
	}
}

// TestRclone runs rclone.sh: mkdir, copy (multipart above the cutoff),
// check, sync with deletions, lsjson, cat, moveto, delete, purge, rmdir.
func TestRclone(t *testing.T) {
	t.Parallel()
	requireTools(t, "rclone")
	runScript(t, "rclone.sh")
}

// TestS3cmd runs s3cmd.sh: mb, put (multipart), ls, la, get, info,
// setcors, delcors, setpolicy, delpolicy (with anonymous curl requests),
// sync, cp, mv, setacl, del, rb.
func TestS3cmd(t *testing.T) {
	t.Parallel()
	requireTools(t, "s3cmd", "curl")
	runScript(t, "s3cmd.sh")
}

// TestRestic runs restic.sh: init, two backups, snapshots,
// check --read-data, restore and compare, forget --prune.
func TestRestic(t *testing.T) {
	t.Parallel()
	requireTools(t, "restic")
	runScript(t, "restic.sh")
}

// TestResticObjectLock runs restic_lock.sh: a bucket with object lock and
// a default GOVERNANCE retention (hoard mb --with-lock, hoard retention
// set --default), restic init --repository-version 2, two backups,
// forget --prune; then the data versions prune deleted are still listed,
// under retention, and cannot be removed for good.
func TestResticObjectLock(t *testing.T) {
	t.Parallel()
	requireTools(t, "restic")
	runScript(t, "restic_lock.sh")
}

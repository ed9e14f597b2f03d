package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

// RequireToolsEnv names the environment variable that turns a missing tool
// from a skip into a failure.
const RequireToolsEnv = "HOARD_REQUIRE_TOOLS"

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// requireTools skips t, or fails it when RequireToolsEnv is 1, unless every
// tool is on PATH.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(RequireToolsEnv) == "1" {
				t.Fatalf("%s is not installed and %s=1; run scripts/test-deps.sh", tool, RequireToolsEnv)
			}
			t.Skipf("%s is not installed; scripts/test-deps.sh installs it", tool)
		}
	}
}

// runScript runs a script of this folder with the built binary as its
// argument, bounded by timeout, and fails t with its output if it fails.
func runScript(t *testing.T, script string, timeout time.Duration) {
	t.Helper()
	bin := testserver.BuildHoard(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script, bin)
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %v:\n%s", script, timeout, out.String())
	}
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", script, err, out.String())
	}
	t.Logf("%s:\n%s", script, out.String())
}

// TestAWSCLI runs awscli.sh: aws s3 mb/ls/cp/sync/rm/rb and aws s3api
// multipart, tagging, bucket CORS (with curl preflights) and bucket policy
// (with anonymous curl requests) against the hoard binary.
//
// About 45 aws CLI calls each pay Python's start-up: seconds apiece on a
// loaded 2-core machine (about 260 s there at load 17), so the
// bound leaves room for that and still stops a hang.
func TestAWSCLI(t *testing.T) {
	requireTools(t, "aws", "python3", "curl")
	runScript(t, "awscli.sh", 9*time.Minute)
}

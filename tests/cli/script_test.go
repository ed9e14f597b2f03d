package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// RequireToolsEnv names the environment variable that turns a missing tool
// from a skip into a failure; TestMain moves it to requireToolsCopy.
const (
	RequireToolsEnv  = "HOARD_REQUIRE_TOOLS"
	requireToolsCopy = "CLI_E2E_REQUIRE_TOOLS"
)

// TestScript runs cli.sh (share links with curl, mirror, pipe, exit codes)
// against each layout's server.
func TestScript(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(requireToolsCopy) == "1" {
				t.Fatalf("%s is not installed and %s=1", tool, RequireToolsEnv)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	forEachLayout(t, func(t *testing.T, e *cliEnv) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "cli.sh", e.bin)
		cmd.Env = append(cleanEnv(),
			"CLI_E2E_URL="+e.srv.URL,
			"CLI_E2E_ACCESS_KEY="+e.srv.AccessKey,
			"CLI_E2E_SECRET_KEY="+e.srv.SecretKey,
		)
		cmd.WaitDelay = 10 * time.Second
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("cli.sh did not finish in time:\n%s", out.String())
		}
		if err != nil {
			t.Fatalf("cli.sh failed: %v\n%s", err, out.String())
		}
		t.Logf("cli.sh:\n%s", out.String())
	})
}

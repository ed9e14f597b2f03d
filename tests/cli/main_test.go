package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

func TestMain(m *testing.M) {
	// Child servers inherit this environment and refuse HOARD_ variables
	// they do not know, so the test-only switch moves to another name.
	if v, ok := os.LookupEnv(RequireToolsEnv); ok {
		os.Setenv(requireToolsCopy, v)
		os.Unsetenv(RequireToolsEnv)
	}
	os.Exit(testserver.Main(m))
}

// layouts are the server drive counts every test runs against: one drive
// and four erasure-coded drives.
func layouts() []int { return []int{1, 4} }

// commandTimeout bounds one run of the binary.
const commandTimeout = 2 * time.Minute

// cliEnv is a running hoard server and a configuration folder holding
// alias "e2e" for it.
type cliEnv struct {
	t      *testing.T
	bin    string
	cfgDir string
	srv    *testserver.Process
	drives int
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// forEachLayout runs fn as a subtest per layout with a fresh server.
func forEachLayout(t *testing.T, fn func(t *testing.T, e *cliEnv)) {
	for _, drives := range layouts() {
		t.Run(fmt.Sprintf("%ddrives", drives), func(t *testing.T) {
			fn(t, startEnv(t, drives))
		})
	}
}

// startEnv starts `hoard server` on drives fresh folders and sets alias e2e.
func startEnv(t *testing.T, drives int) *cliEnv {
	t.Helper()
	bin := testserver.BuildHoard(t)
	root := t.TempDir()
	dirs := make([]string, drives)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("drive%d", i+1))
		if err := os.MkdirAll(dirs[i], 0o755); err != nil {
			t.Fatal(err)
		}
	}
	srv := testserver.StartProcess(t, testserver.ProcessOptions{Binary: bin, Drives: dirs})
	e := &cliEnv{t: t, bin: bin, cfgDir: filepath.Join(root, "cfg"), srv: srv, drives: drives}
	e.ok("alias", "set", "e2e", srv.URL, srv.AccessKey, srv.SecretKey)
	return e
}

// runIn runs the binary with stdin and HOARD_CONFIG_DIR set.
func (e *cliEnv) runIn(stdin string, args ...string) result {
	e.t.Helper()
	return runBinary(e.t, e.bin, []string{"HOARD_CONFIG_DIR=" + e.cfgDir}, stdin, args...)
}

// run runs the binary with no input.
func (e *cliEnv) run(args ...string) result {
	e.t.Helper()
	return e.runIn("", args...)
}

// ok runs a command that must exit 0 and returns its stdout.
func (e *cliEnv) ok(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("hoard %s: exit code %d, want 0\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must exit with code and returns its stderr.
func (e *cliEnv) fails(code int, args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != code {
		e.t.Fatalf("hoard %s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r.stderr
}

// runBinary runs bin with args, extra environment and stdin.
func runBinary(t *testing.T, bin string, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run hoard %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("hoard %s did not finish within %v", strings.Join(args, " "), commandTimeout)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// cleanEnv is the process environment without HOARD_ variables, so a
// developer's own aliases do not leak into the tests.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOARD_") {
			out = append(out, kv)
		}
	}
	return out
}

package testserver

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// BinaryEnv names the environment variable that points the tests at an
// already built hoard binary instead of building one.
const BinaryEnv = "HOARD_BINARY"

// built memoises the one build a test binary makes. It is the package's
// only package-level variable: a write-once cache of an immutable result
// (the binary's path), safe under sync.Once, so tests stay independent.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BuildHoard returns the path of a hoard binary built from this module's
// ./cmd/hoard, building it once per test binary into a temporary folder
// (or returning $HOARD_BINARY when set). Packages that call it should run
// their tests through Main so the folder is removed afterwards.
func BuildHoard(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(BinaryEnv); p != "" {
		return p
	}
	built.once.Do(func() { built.dir, built.path, built.err = buildHoard() })
	if built.err != nil {
		tb.Fatalf("testserver: %v", built.err)
	}
	return built.path
}

func buildHoard() (dir, path string, err error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", "", fmt.Errorf("build hoard: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", "", fmt.Errorf("build hoard: not inside the module")
	}
	dir, err = os.MkdirTemp("", "hoard-test-bin-")
	if err != nil {
		return "", "", fmt.Errorf("build hoard: %w", err)
	}
	path = filepath.Join(dir, "hoard")
	cmd := exec.Command("go", "build", "-o", path, "./cmd/hoard")
	cmd.Dir = filepath.Dir(gomod)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("build hoard: go build ./cmd/hoard: %w\n%s", err, stderr.String())
	}
	return dir, path, nil
}

// Main runs the tests of m and then removes the binary BuildHoard built.
// Use it as: func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	return code
}

package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoardstore/hoard/internal/testserver"
)

// usageErr marks usage errors in tests, as cmd/hoard's type does.
type usageErr struct{ error }

func (u usageErr) Unwrap() error { return u.error }

// harness runs client commands in-process against a real server, each
// run with a fresh app, like a new process.
type harness struct {
	t      testing.TB
	srv    *testserver.Server
	cfgDir string
	env    []string
	stdin  string
	wrap   func(http.RoundTripper) http.RoundTripper
}

// newHarness starts a server and defines alias "local" for it.
func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, srv: testserver.Start(t, testserver.Options{}), cfgDir: filepath.Join(t.TempDir(), "cfg")}
	h.mustRun("alias", "set", "local", h.srv.URL, h.srv.AccessKey, h.srv.SecretKey)
	return h
}

// run executes one hoard command line and returns stdout, stderr, error.
func (h *harness) run(args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	a := newApp(Options{
		Stdin:      strings.NewReader(h.stdin),
		Stdout:     &out,
		Stderr:     &errb,
		Getenv:     func(k string) string { return "" },
		Environ:    func() []string { return h.env },
		HomeDir:    func() (string, error) { return "", errors.New("no home in tests") },
		UsageError: func(err error) error { return usageErr{err} },
	})
	a.wrapTransport = h.wrap
	root := &cobra.Command{Use: "hoard", SilenceUsage: true, SilenceErrors: true}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr{err} })
	root.AddCommand(a.commands()...)
	root.SetArgs(append(args, "--config-dir", h.cfgDir))
	root.SetOut(&out)
	root.SetErr(&errb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), errb.String(), err
}

// mustRun runs a command that must succeed and returns its stdout.
func (h *harness) mustRun(args ...string) string {
	h.t.Helper()
	out, stderr, err := h.run(args...)
	if err != nil {
		h.t.Fatalf("hoard %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// mustFail runs a command that must fail and returns its error.
func (h *harness) mustFail(args ...string) error {
	h.t.Helper()
	out, _, err := h.run(args...)
	if err == nil {
		h.t.Fatalf("hoard %s: got success, want an error\nstdout:\n%s", strings.Join(args, " "), out)
	}
	return err
}

// jsonLines decodes one JSON object per line.
func jsonLines(t testing.TB, out string) []map[string]any {
	t.Helper()
	var res []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		res = append(res, m)
	}
	return res
}

// writeRandom writes n random bytes to path and returns them.
func writeRandom(t testing.TB, path string, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

// countingTransport counts PUT requests whose query contains match.
type countingTransport struct {
	rt    http.RoundTripper
	match string
	n     *atomic.Int64
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.Contains(r.URL.RawQuery, c.match) {
		c.n.Add(1)
	}
	return c.rt.RoundTrip(r)
}

package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/testserver"
)

// RequireToolsEnv names the environment variable that turns a missing
// browser from a skip into a failure.
const RequireToolsEnv = "HOARD_REQUIRE_TOOLS"

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// env is a running server with its console.
type env struct {
	srv     *testserver.Server
	console string // "http://127.0.0.1:PORT"
}

// startServer starts a server with drives drive folders and its console on
// a free loopback port, and waits until the console answers.
func startServer(t *testing.T, drives int) *env {
	t.Helper()
	return startServerWith(t, drives, nil)
}

// startServerWith is startServer with configure adjusting the
// configuration last; it gets the console's address (host:port).
func startServerWith(t *testing.T, drives int, configure func(c *config.Server, consoleAddr string)) *env {
	t.Helper()
	addr := ""
	srv := testserver.Start(t, testserver.Options{Drives: drives, Configure: func(c *config.Server) {
		addr = testserver.FreePort(t)
		c.ConsoleAddress = addr
		if configure != nil {
			configure(c, addr)
		}
	}})
	e := &env{srv: srv, console: "http://" + addr}
	client := &http.Client{Transport: testserver.NewTransport(), Timeout: 5 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		res, err := client.Get(e.console + "/api/session")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusUnauthorized {
				return e
			}
		}
		if time.Now().After(deadline) || i > 2000 {
			t.Fatalf("console at %s did not become ready: last error %v", e.console, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// apiClient is a cookie-keeping HTTP client for the console's JSON API.
type apiClient struct {
	t       *testing.T
	base    string
	http    *http.Client
	csrf    string
	headers map[string]string
}

func (e *env) client(t *testing.T) *apiClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := testserver.NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	return &apiClient{t: t, base: e.console, http: &http.Client{Transport: tr, Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, headers: map[string]string{}}
}

// do sends a request and returns the status and the body.
func (c *apiClient) do(method, path string, body io.Reader, hdr map[string]string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return res.StatusCode, res.Header, data
}

// json sends v as JSON with the session's CSRF token and decodes the answer.
func (c *apiClient) json(method, path string, v any, out any) int {
	c.t.Helper()
	var body io.Reader
	hdr := map[string]string{"X-Hoard-CSRF": c.csrf}
	if v != nil {
		data, err := json.Marshal(v)
		if err != nil {
			c.t.Fatal(err)
		}
		body = strings.NewReader(string(data))
		hdr["Content-Type"] = "application/json"
	}
	status, _, data := c.do(method, path, body, hdr)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: decoding %q: %v", method, path, data, err)
		}
	}
	return status
}

// login signs in with the given keys and keeps the CSRF token.
func (c *apiClient) login(access, secret string) int {
	c.t.Helper()
	var s struct {
		CSRFToken string `json:"csrfToken"`
	}
	status := c.json(http.MethodPost, "/api/login", map[string]string{"accessKey": access, "secretKey": secret}, &s)
	c.csrf = s.CSRFToken
	return status
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// chromiumPath finds the browser: $HOARD_CHROMIUM, then the usual names.
func chromiumPath() string {
	if p := os.Getenv("HOARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the browser's path, skipping t without one (or
// failing it when HOARD_REQUIRE_TOOLS=1).
func requireChromium(t *testing.T) string {
	t.Helper()
	p := chromiumPath()
	if p == "" {
		if os.Getenv(RequireToolsEnv) == "1" {
			t.Fatalf("chromium is not installed and %s=1; run scripts/test-deps.sh", RequireToolsEnv)
		}
		t.Skip("chromium is not installed; scripts/test-deps.sh installs it")
	}
	return p
}

// artifactDir returns tests/artifacts/console, created if needed.
func artifactDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "artifacts", "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitFor polls cond every 20 ms until it is true or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for i := 0; i < 100000; i++ {
		ok, err := cond()
		if ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, last)
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/testserver"
)

// jsonLines decodes one JSON object per line of out.
func jsonLines(t *testing.T, out string) []map[string]any {
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

// lastJSON returns the last JSON line of out.
func lastJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	l := jsonLines(t, out)
	if len(l) == 0 {
		t.Fatalf("no JSON in %q", out)
	}
	return l[len(l)-1]
}

func TestHelpAndCompletion(t *testing.T) {
	bin := testserver.BuildHoard(t)
	cfg := []string{"HOARD_CONFIG_DIR=" + t.TempDir()}
	root := runBinary(t, bin, cfg, "", "--help")
	for _, want := range []string{"Exit codes: 0 success, 1 error, 2 usage error.", "Examples:", "hoard alias set"} {
		if !strings.Contains(root.stdout, want) {
			t.Errorf("hoard --help: want %q in\n%s", want, root.stdout)
		}
	}
	commands := []string{
		"alias", "alias set", "alias ls", "alias rm", "ls", "mb", "rb", "cp", "mv", "rm", "cat", "head", "pipe",
		"stat", "du", "find", "mirror", "share", "share download", "share upload", "admin", "admin info", "admin heal",
	}
	for _, c := range commands {
		t.Run(c, func(t *testing.T) {
			r := runBinary(t, bin, cfg, "", append(strings.Fields(c), "--help")...)
			if r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "hoard "+strings.Fields(c)[0]) {
				t.Errorf("hoard %s --help: exit %d, want 0 and an Examples section:\n%s", c, r.code, r.stdout)
			}
		})
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := runBinary(t, bin, cfg, "", "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "hoard") || len(r.stdout) < 500 {
			t.Errorf("hoard completion %s: exit %d, %d bytes; want a script", shell, r.code, len(r.stdout))
		}
	}
	runBinary(t, bin, cfg, "", "alias", "set", "compl", "http://127.0.0.1:1", "a", "b", "--no-check")
	r := runBinary(t, bin, cfg, "", "__complete", "ls", "com")
	if !strings.Contains(r.stdout, "compl/") {
		t.Errorf("completion of an alias name: got %q, want compl/", r.stdout)
	}
}

func TestErrorsAndExitCodes(t *testing.T) {
	e := startEnv(t, 1)
	e.fails(2, "cp", "only-one-argument")
	e.fails(2, "ls", "--no-such-flag", "e2e")
	e.fails(2, "rm", "-r", "e2e/bucket/prefix/")
	e.ok("alias", "set", "wrong", e.srv.URL, e.srv.AccessKey, "not-the-secret", "--no-check")
	stderr := e.fails(1, "ls", "wrong")
	if want := "access denied for alias wrong: check the access and secret key"; !strings.Contains(stderr, want) {
		t.Errorf("wrong secret: got %q, want %q", stderr, want)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	e.ok("alias", "set", "dead", dead, "a", "b", "--no-check")
	if stderr := e.fails(1, "ls", "dead"); !strings.Contains(stderr, dead) {
		t.Errorf("unreachable host: got %q, want the URL %s named", stderr, dead)
	}
	if stderr := e.fails(1, "ls", "e2e/no-such-bucket"); !strings.Contains(stderr, "bucket e2e/no-such-bucket does not exist") {
		t.Errorf("missing bucket: got %q", stderr)
	}
	e.ok("mb", "e2e/errs")
	if stderr := e.fails(1, "cat", "e2e/errs/no/such/key"); !strings.Contains(stderr, "object e2e/errs/no/such/key does not exist") {
		t.Errorf("missing key: got %q", stderr)
	}
	if out := e.run("stat", "--json", "e2e/errs/nothing"); out.code != 1 || lastJSON(t, out.stdout)["status"] != "error" {
		t.Errorf("error with --json: got exit %d, %q; want 1 and a JSON error line", out.code, out.stdout)
	}

	// An alias from the environment, without any file.
	u := strings.Replace(e.srv.URL, "http://", "http://"+e.srv.AccessKey+":"+e.srv.SecretKey+"@", 1)
	r := runBinary(t, e.bin, []string{"HOARD_CONFIG_DIR=" + t.TempDir(), "HOARD_ALIAS_CI=" + u}, "", "ls", "CI")
	if r.code != 0 || !strings.Contains(r.stdout, "errs/") {
		t.Errorf("ls through HOARD_ALIAS_CI: exit %d, %q; want the bucket listed", r.code, r.stdout+r.stderr)
	}
	fi, err := os.Stat(filepath.Join(e.cfgDir, "config.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file: got %v (%v), want mode 0600", fi.Mode(), err)
	}
	if out := e.ok("alias", "ls"); strings.Contains(out, e.srv.SecretKey) || strings.Contains(out, "not-the-secret") {
		t.Errorf("alias ls shows a secret in full:\n%s", out)
	}
}

func TestCommands(t *testing.T) {
	forEachLayout(t, func(t *testing.T, e *cliEnv) {
		src := t.TempDir()
		files := map[string]string{"index.html": "<h1>hi</h1>\n", "css/site.css": "body{}\n", "img/logo.svg": "<svg/>\n", "notes/a.txt": "one\ntwo\nthree\n"}
		for rel, body := range files {
			p := filepath.Join(src, rel)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(body), 0o644)
		}
		e.ok("mb", "e2e/site")
		if out := e.ok("ls", "e2e"); !strings.Contains(out, "site/") {
			t.Errorf("ls buckets: got %q", out)
		}
		e.ok("cp", "--recursive", src+"/", "e2e/site/www/")
		ls := e.ok("ls", "--recursive", "e2e/site/www/")
		for rel := range files {
			if !strings.Contains(ls, rel) {
				t.Errorf("ls -r: want %s in\n%s", rel, ls)
			}
		}
		st := lastJSON(t, e.ok("stat", "--json", "e2e/site/www/index.html"))
		if st["contentType"] != "text/html; charset=utf-8" || st["size"] != float64(len(files["index.html"])) {
			t.Errorf("stat: got %v, want text/html of %d bytes", st, len(files["index.html"]))
		}
		if got := e.ok("cat", "e2e/site/www/notes/a.txt"); got != files["notes/a.txt"] {
			t.Errorf("cat: got %q", got)
		}
		if got := e.ok("head", "-n", "1", "e2e/site/www/notes/a.txt"); got != "one\n" {
			t.Errorf("head -n 1: got %q", got)
		}
		if r := e.runIn("piped data", "pipe", "--attr", "origin=stdin", "e2e/site/piped.txt"); r.code != 0 {
			t.Fatalf("pipe: exit %d: %s", r.code, r.stderr)
		}
		if got := e.ok("cat", "e2e/site/piped.txt"); got != "piped data" {
			t.Errorf("cat after pipe: got %q", got)
		}
		e.ok("cp", "--tags", "team=web", "e2e/site/www/index.html", "e2e/site/copy/index.html")
		st = lastJSON(t, e.ok("stat", "--json", "e2e/site/copy/index.html"))
		if tags, _ := st["tags"].(map[string]any); tags["team"] != "web" || st["contentType"] != "text/html; charset=utf-8" {
			t.Errorf("stat after a server-side copy with tags: got %v, want team=web and the source's content type", st)
		}
		e.ok("mv", "e2e/site/copy/index.html", "e2e/site/moved.html")
		e.fails(1, "stat", "e2e/site/copy/index.html")
		du := lastJSON(t, e.ok("du", "--json", "e2e/site/www"))
		if du["objects"] != float64(4) {
			t.Errorf("du: got %v, want 4 objects", du)
		}
		if found := strings.Fields(e.ok("find", "e2e/site", "--name", "*.css")); len(found) != 1 || found[0] != "e2e/site/www/css/site.css" {
			t.Errorf("find: got %v", found)
		}

		checkMirror(t, e, src, files)

		e.ok("rm", "e2e/site/moved.html")
		e.ok("rm", "--recursive", "--force", "e2e/site/www/")
		if out := e.ok("ls", "--recursive", "e2e/site"); strings.Contains(out, "www/") {
			t.Errorf("ls after rm -r: got %q", out)
		}
		e.fails(1, "rb", "e2e/site")
		e.ok("rb", "--force", "e2e/site")
		e.ok("rb", "--force", "e2e/mirror")
		if out := e.ok("ls", "e2e"); strings.Contains(out, "site/") || strings.Contains(out, "mirror/") {
			t.Errorf("ls after rb: got %q", out)
		}

		info := lastJSON(t, e.ok("admin", "info", "--json", "e2e"))
		drives, _ := info["drives"].([]any)
		if len(drives) != e.drives {
			t.Errorf("admin info: got %d drives, want %d", len(drives), e.drives)
		}
		if human := e.ok("admin", "info", "e2e"); !strings.Contains(human, "online") {
			t.Errorf("admin info table: got\n%s", human)
		}
	})
}

// checkMirror mirrors src up twice and back down twice: each second run
// must transfer nothing.
func checkMirror(t *testing.T, e *cliEnv, src string, files map[string]string) {
	m1 := lastJSON(t, e.ok("mirror", "--json", src, "e2e/mirror/"))
	m2 := lastJSON(t, e.ok("mirror", "--json", src, "e2e/mirror/"))
	if m1["copied"] != float64(4) || m2["copied"] != float64(0) || m2["bytes"] != float64(0) {
		t.Errorf("mirror twice: got %v then %v; want 4 copied, then nothing", m1, m2)
	}
	back := filepath.Join(t.TempDir(), "back")
	e.ok("mirror", "e2e/mirror/", back)
	if m := lastJSON(t, e.ok("mirror", "--json", "e2e/mirror/", back)); m["copied"] != float64(0) {
		t.Errorf("second mirror to local: got %v, want nothing copied", m)
	}
	for rel, body := range files {
		if got, _ := os.ReadFile(filepath.Join(back, rel)); string(got) != body {
			t.Errorf("mirrored %s: got %q, want %q", rel, got, body)
		}
	}
}

// fileSHA256 hashes a file, streaming.
func fileSHA256(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

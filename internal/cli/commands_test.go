package cli

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minio/minio-go/v7"
)

func TestAliasCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	out := h.mustRun("alias", "ls")
	if !strings.Contains(out, "local") || !strings.Contains(out, h.srv.URL) {
		t.Errorf("alias ls: got %q, want the local alias and its URL", out)
	}
	if strings.Contains(out, h.srv.SecretKey) {
		t.Errorf("alias ls: got %q, which shows the secret key", out)
	}
	lines := jsonLines(t, h.mustRun("alias", "ls", "local", "--json"))
	if len(lines) != 1 || lines[0]["accessKey"] != h.srv.AccessKey || lines[0]["secretKey"] == h.srv.SecretKey {
		t.Errorf("alias ls --json: got %v, want one alias with a masked secret", lines)
	}

	err := h.mustFail("alias", "set", "wrong", h.srv.URL, h.srv.AccessKey, "not-the-secret")
	if want := "access denied for alias wrong: check the access and secret key"; !strings.Contains(err.Error(), want) || !errors.Is(err, ErrAccessDenied) {
		t.Errorf("alias set with a wrong secret: got %v, want %q", err, want)
	}
	if out := h.mustRun("alias", "ls"); strings.Contains(out, "wrong") {
		t.Errorf("alias ls after a refused set: got %q, want no alias 'wrong'", out)
	}
	h.mustRun("alias", "set", "wrong", h.srv.URL, h.srv.AccessKey, "not-the-secret", "--no-check")
	err = h.mustFail("ls", "wrong")
	if want := "access denied for alias wrong: check the access and secret key"; err.Error() != want {
		t.Errorf("ls with a wrong secret: got %q, want %q", err, want)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	h.mustRun("alias", "set", "dead", dead, "a", "b", "--no-check")
	err = h.mustFail("ls", "dead")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), dead) {
		t.Errorf("ls on an unreachable alias: got %v, want ErrUnreachable naming %s", err, dead)
	}

	h.stdin = h.srv.SecretKey + "\n"
	h.mustRun("alias", "set", "piped", h.srv.URL, h.srv.AccessKey, "-")
	h.stdin = ""
	h.mustRun("ls", "piped")

	h.mustRun("alias", "rm", "wrong", "dead", "piped")
	if out := h.mustRun("alias", "ls"); strings.Contains(out, "dead") || strings.Contains(out, "piped") {
		t.Errorf("alias ls after rm: got %q, want them gone", out)
	}
	if err := h.mustFail("alias", "rm", "nothere"); !errors.Is(err, ErrNotFound) {
		t.Errorf("alias rm of a missing alias: got %v, want ErrNotFound", err)
	}

	u := strings.Replace(h.srv.URL, "http://", "http://"+h.srv.AccessKey+":"+h.srv.SecretKey+"@", 1)
	h.env = []string{"HOARD_ALIAS_ENVSRV=" + u}
	h.mustRun("mb", "envsrv/from-env")
	if out := h.mustRun("ls", "local"); !strings.Contains(out, "from-env/") {
		t.Errorf("ls after mb through an environment alias: got %q, want bucket from-env", out)
	}
	if err := h.mustFail("alias", "rm", "ENVSRV"); !strings.Contains(err.Error(), "environment") {
		t.Errorf("alias rm of an environment alias: got %v, want a hint about the variable", err)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := [][]string{
		{"cp", "onlyone"},
		{"alias", "set", "x", "http://h"},
		{"alias", "set", "bad/name", "http://h", "a", "b"},
		{"alias", "set", "x", "ftp://h", "a", "b"},
		{"cp", "--part-size", "1KiB", "a", "local/b/"},
		{"cp", "--concurrency", "0", "a", "local/b/"},
		{"rm", "--recursive", "local/b/"},
		{"share", "download", "local/b/k", "--expire", "8d"},
		{"share", "download", "local/b"},
		{"find", "local/b", "--larger", "huge"},
		{"mirror", "--compare", "vibes", "a", "b"},
		{"ls", "--no-such-flag", "local"},
		{"ls", "nosuchalias/x/y"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			err := h.mustFail(args...)
			var ue usageErr
			if args[0] == "ls" && args[1] == "nosuchalias/x/y" {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("got %v, want ErrNotFound for a path that is neither alias nor file", err)
				}
				return
			}
			if !errors.As(err, &ue) {
				t.Errorf("got %T %v, want a usage error (exit code 2)", err, err)
			}
		})
	}
}

func TestCopyListStatRemove(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	src := t.TempDir()
	files := map[string][]byte{
		"a.txt":            []byte("alpha\nbeta\ngamma\n"),
		"img/cat.jpg":      bytes.Repeat([]byte{0xff, 0xd8}, 3000),
		"img/2026/dog.png": bytes.Repeat([]byte("png"), 100),
		"data/x.json":      []byte(`{"x":1}`),
	}
	for rel, data := range files {
		p := filepath.Join(src, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h.mustRun("mb", "local/docs")
	if err := h.mustFail("mb", "local/docs"); !errors.Is(err, ErrExists) {
		t.Errorf("mb of an existing bucket: got %v, want ErrExists", err)
	}
	h.mustRun("mb", "-p", "local/docs")
	h.mustRun("cp", "-r", src+"/", "local/docs/tree/")
	checkListing(t, h, files)
	checkStat(t, h, files)
	checkReads(t, h, files)
	checkDownloads(t, h, files)
	checkMoveRemove(t, h, files)
}

// checkListing checks ls on the tree TestCopyListStatRemove uploaded.
func checkListing(t *testing.T, h *harness, files map[string][]byte) {

	out := h.mustRun("ls", "-r", "local/docs")
	for rel := range files {
		if !strings.Contains(out, "tree/"+rel) {
			t.Errorf("ls -r: got %q, want tree/%s", out, rel)
		}
	}
	out = h.mustRun("ls", "local/docs/tree")
	if !strings.Contains(out, "PRE  img/") || !strings.Contains(out, "a.txt") || strings.Contains(out, "cat.jpg") {
		t.Errorf("ls of a prefix: got %q, want one level (a.txt, data/, img/)", out)
	}
	items := jsonLines(t, h.mustRun("ls", "-r", "--json", "local/docs/tree/img/"))
	if len(items) != 2 || items[0]["key"] != "2026/dog.png" || items[0]["size"] != float64(300) {
		t.Errorf("ls -r --json: got %v, want 2026/dog.png (300 bytes) and cat.jpg", items)
	}

}

// checkStat checks stat, metadata and tags on the tree TestCopyListStatRemove uploaded.
func checkStat(t *testing.T, h *harness, files map[string][]byte) {
	st := jsonLines(t, h.mustRun("stat", "--json", "local/docs/tree/img/cat.jpg"))[0]
	if st["contentType"] != "image/jpeg" || st["size"] != float64(6000) {
		t.Errorf("stat: got %v, want image/jpeg of 6000 bytes", st)
	}
	if sum := md5.Sum(files["img/cat.jpg"]); st["etag"] != hex.EncodeToString(sum[:]) {
		t.Errorf("stat etag: got %v, want the MD5", st["etag"])
	}

	h.mustRun("cp", "--attr", "owner=ana", "--tags", "project=x&tier=cold", "--content-type", "text/csv", "local/docs/tree/a.txt", "local/docs/copy/a.csv")
	st = jsonLines(t, h.mustRun("stat", "--json", "local/docs/copy/a.csv"))[0]
	meta, _ := st["userMetadata"].(map[string]any)
	tags, _ := st["tags"].(map[string]any)
	if st["contentType"] != "text/csv" || meta["Owner"] != "ana" && meta["owner"] != "ana" || tags["project"] != "x" || tags["tier"] != "cold" {
		t.Errorf("stat after a server-side copy with new metadata: got %v, want text/csv, owner=ana, tags project=x tier=cold", st)
	}
	if human := h.mustRun("stat", "local/docs/copy/a.csv"); !strings.Contains(human, "Tags") || !strings.Contains(human, "tier: cold") {
		t.Errorf("stat human: got %q, want a Tags section", human)
	}
	if out := h.mustRun("stat", "local/docs"); !strings.Contains(out, "bucket") {
		t.Errorf("stat of a bucket: got %q", out)
	}

}

// checkReads checks cat, head, pipe, du and find on the tree TestCopyListStatRemove uploaded.
func checkReads(t *testing.T, h *harness, files map[string][]byte) {
	if got := h.mustRun("cat", "local/docs/tree/a.txt"); got != string(files["a.txt"]) {
		t.Errorf("cat: got %q, want %q", got, files["a.txt"])
	}
	if got := h.mustRun("head", "-n", "2", "local/docs/tree/a.txt"); got != "alpha\nbeta\n" {
		t.Errorf("head -n 2: got %q, want two lines", got)
	}
	if got := h.mustRun("head", "--bytes", "3", "local/docs/tree/a.txt"); got != "alp" {
		t.Errorf("head --bytes 3: got %q, want %q", got, "alp")
	}
	h.stdin = "from stdin\n"
	h.mustRun("pipe", "local/docs/piped.txt")
	h.stdin = ""
	if got := h.mustRun("cat", "local/docs/piped.txt"); got != "from stdin\n" {
		t.Errorf("cat after pipe: got %q", got)
	}

	du := jsonLines(t, h.mustRun("du", "--json", "local/docs/tree"))
	last := du[len(du)-1]
	if last["total"] != true || last["objects"] != float64(4) || last["size"] != float64(17+6000+300+7) {
		t.Errorf("du total: got %v, want 4 objects of %d bytes", last, 17+6000+300+7)
	}
	found := strings.Fields(h.mustRun("find", "local/docs/tree", "--name", "*.png"))
	if len(found) != 1 || found[0] != "local/docs/tree/img/2026/dog.png" {
		t.Errorf("find --name: got %v, want the png", found)
	}
	found = strings.Fields(h.mustRun("find", "local/docs/tree", "--larger", "1KiB"))
	if len(found) != 1 || !strings.HasSuffix(found[0], "cat.jpg") {
		t.Errorf("find --larger 1KiB: got %v, want cat.jpg", found)
	}
	if out := h.mustRun("find", "local/docs/tree", "--older-than", "1h"); out != "" {
		t.Errorf("find --older-than 1h: got %q, want nothing", out)
	}

}

// checkDownloads checks downloads and errors that name what is missing on the tree TestCopyListStatRemove uploaded.
func checkDownloads(t *testing.T, h *harness, files map[string][]byte) {
	dst := filepath.Join(t.TempDir(), "back")
	h.mustRun("cp", "-r", "local/docs/tree", dst)
	for rel, data := range files {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("downloaded %s: got %d bytes (%v), want %d equal bytes", rel, len(got), err, len(data))
		}
	}
	one := filepath.Join(t.TempDir(), "one.txt")
	h.mustRun("cp", "local/docs/tree/a.txt", one)
	if got, _ := os.ReadFile(one); !bytes.Equal(got, files["a.txt"]) {
		t.Errorf("single download: got %q", got)
	}
	if err := h.mustFail("cp", "local/docs/tree/missing.txt", one); err.Error() != "object local/docs/tree/missing.txt does not exist" {
		t.Errorf("cp of a missing key: got %q, want it named", err)
	}
	if err := h.mustFail("cp", "local/docs/tree", one); !strings.Contains(err.Error(), "use --recursive") {
		t.Errorf("cp of a prefix without -r: got %v", err)
	}
	if err := h.mustFail("ls", "local/nobucket"); err.Error() != "bucket local/nobucket does not exist" {
		t.Errorf("ls of a missing bucket: got %q", err)
	}

}

// checkMoveRemove checks mv, rm and rb on the tree TestCopyListStatRemove uploaded.
func checkMoveRemove(t *testing.T, h *harness, files map[string][]byte) {
	h.mustRun("mv", "local/docs/tree/data/x.json", "local/docs/moved/x.json")
	if err := h.mustFail("stat", "local/docs/tree/data/x.json"); !errors.Is(err, ErrNotFound) {
		t.Errorf("stat of a moved source: got %v, want ErrNotFound", err)
	}
	if got := h.mustRun("cat", "local/docs/moved/x.json"); got != `{"x":1}` {
		t.Errorf("cat of the moved object: got %q", got)
	}
	local := filepath.Join(t.TempDir(), "m.txt")
	os.WriteFile(local, []byte("move me"), 0o644)
	h.mustRun("mv", local, "local/docs/")
	if _, err := os.Stat(local); !os.IsNotExist(err) {
		t.Errorf("local source after mv: got %v, want it gone", err)
	}

	h.mustRun("rm", "local/docs/tree/a.txt")
	if err := h.mustFail("rm", "local/docs/tree/a.txt"); err.Error() != "object local/docs/tree/a.txt does not exist" {
		t.Errorf("rm of a missing key: got %q", err)
	}
	dry := h.mustRun("rm", "-r", "--force", "--dry-run", "local/docs/tree")
	if !strings.Contains(dry, "Would remove local/docs/tree/img/cat.jpg") {
		t.Errorf("rm --dry-run: got %q", dry)
	}
	h.mustRun("rm", "-r", "--force", "local/docs/tree")
	if out := h.mustRun("ls", "-r", "local/docs"); strings.Contains(out, "tree/") {
		t.Errorf("ls after rm -r: got %q, want nothing under tree/", out)
	}

	if err := h.mustFail("rb", "local/docs"); !strings.Contains(err.Error(), "not empty") {
		t.Errorf("rb of a non-empty bucket: got %v", err)
	}
	core := h.srv.MinioCore(t)
	if _, err := core.NewMultipartUpload(context.Background(), "docs", "unfinished", minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	h.mustRun("rb", "--force", "local/docs")
	if out := h.mustRun("ls", "local"); strings.Contains(out, "docs/") {
		t.Errorf("ls after rb --force: got %q", out)
	}
}

func TestResumeUpload(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/big")
	const part = 5 << 20
	path := filepath.Join(t.TempDir(), "file.bin")
	data := writeRandom(t, path, 3*part+1234)

	core := h.srv.MinioCore(t)
	ctx := context.Background()
	id, err := core.NewMultipartUpload(ctx, "big", "file.bin", minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		body := data[(n-1)*part : n*part]
		if n == 2 {
			body = bytes.Repeat([]byte("x"), part)
		}
		if _, err := core.PutObjectPart(ctx, "big", "file.bin", id, n, bytes.NewReader(body), part, minio.PutObjectPartOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var puts atomic.Int64
	h.wrap = func(rt http.RoundTripper) http.RoundTripper {
		return countingTransport{rt: rt, match: "partNumber=", n: &puts}
	}
	h.mustRun("cp", "--part-size", "5MiB", "--concurrency", "3", path, "local/big/")
	if got := puts.Load(); got != 3 {
		t.Errorf("part uploads: got %d, want 3 (part 1 reused, part 2 wrong, parts 3 and 4 new)", got)
	}
	obj, err := h.srv.MinioClient(t).GetObject(ctx, "big", "file.bin", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("object after resumed upload: got %d bytes (%v), want %d equal bytes", len(got), err, len(data))
	}
	res, err := core.ListMultipartUploads(ctx, "big", "", "", "", "", 10)
	if err != nil || len(res.Uploads) != 0 {
		t.Errorf("unfinished uploads after completion: got %v (%v), want none", res.Uploads, err)
	}

	puts.Store(0)
	h.mustRun("cp", "--part-size", "5MiB", "--no-resume", path, "local/big/again.bin")
	if got := puts.Load(); got != 4 {
		t.Errorf("part uploads with --no-resume: got %d, want 4", got)
	}
	dst := filepath.Join(t.TempDir(), "down.bin")
	h.mustRun("cp", "--part-size", "5MiB", "--concurrency", "4", "local/big/again.bin", dst)
	if back, _ := os.ReadFile(dst); !bytes.Equal(back, data) {
		t.Errorf("parallel ranged download: got %d bytes, want %d equal bytes", len(back), len(data))
	}
	ok, err := localMatchesETag(path, int64(len(data)), jsonLines(t, h.mustRun("stat", "--json", "local/big/again.bin"))[0]["etag"].(string), part)
	if err != nil || !ok {
		t.Errorf("local multipart ETag of the uploaded file: got match %v (%v), want true", ok, err)
	}
}

func TestJSONEveryCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	file := filepath.Join(t.TempDir(), "f.txt")
	os.WriteFile(file, []byte("json"), 0o644)
	cmds := [][]string{
		{"mb", "local/jsn"},
		{"cp", file, "local/jsn/f.txt"},
		{"ls", "local/jsn"},
		{"ls", "local"},
		{"stat", "local/jsn/f.txt"},
		{"du", "local/jsn"},
		{"find", "local/jsn"},
		{"share", "download", "local/jsn/f.txt", "--expire", "1h"},
		{"share", "upload", "local/jsn/u.txt", "--expire", "1h"},
		{"mirror", filepath.Dir(file), "local/jsn/m/"},
		{"cors", "get", "local/jsn"},
		{"cors", "rm", "local/jsn"},
		{"mv", "local/jsn/f.txt", "local/jsn/g.txt"},
		{"rm", "local/jsn/g.txt"},
		{"alias", "ls"},
		{"rm", "-r", "--force", "local/jsn/m/"},
		{"rb", "local/jsn"},
	}
	for _, args := range cmds {
		out := h.mustRun(append(args, "--json")...)
		lines := jsonLines(t, out)
		if len(lines) == 0 {
			t.Errorf("hoard %s --json: got no output, want JSON lines", strings.Join(args, " "))
		}
		for _, l := range lines {
			if l["status"] == nil {
				t.Errorf("hoard %s --json: line %v has no status", strings.Join(args, " "), l)
			}
		}
	}
	out, _, err := h.run("stat", "--json", "local/nobucket/x")
	if err == nil {
		t.Fatal("stat of a missing bucket: got success")
	}
	if l := jsonLines(t, out); len(l) != 1 || l[0]["status"] != "error" || !strings.Contains(l[0]["error"].(string), "nobucket") {
		t.Errorf("error as JSON: got %v, want one error line naming the bucket", l)
	}
}

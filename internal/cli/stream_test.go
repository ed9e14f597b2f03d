package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPipeSizes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/pipes")
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"small", 1000},
		{"one part exactly", 5 << 20},
		{"several parts", 11<<20 + 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := bytes.Repeat([]byte{'p'}, tt.size)
			for i := range data {
				data[i] = byte(i * 7)
			}
			h.stdin = string(data)
			key := "local/pipes/" + strings.ReplaceAll(tt.name, " ", "-")
			res := jsonLines(t, h.mustRun("pipe", "--json", "--part-size", "5MiB", "--concurrency", "2", key))
			if len(res) != 1 || res[0]["size"] != float64(tt.size) {
				t.Errorf("pipe result: got %v, want size %d", res, tt.size)
			}
			h.stdin = ""
			if got := h.mustRun("cat", key); got != string(data) {
				t.Errorf("cat after pipe: got %d bytes, want %d equal bytes", len(got), len(data))
			}
		})
	}
}

func TestVersionsAndPostPolicy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/vers")
	h.stdin = "v1"
	h.mustRun("pipe", "local/vers/k.txt")
	h.stdin = ""
	items := jsonLines(t, h.mustRun("ls", "--versions", "--json", "local/vers"))
	if len(items) != 1 || items[0]["key"] != "k.txt" || items[0]["isLatest"] != true {
		t.Errorf("ls --versions: got %v, want k.txt as the latest version", items)
	}
	if out := h.mustRun("ls", "--versions", "local/vers"); !strings.Contains(out, "(latest)") {
		t.Errorf("ls --versions human: got %q", out)
	}

	res := jsonLines(t, h.mustRun("share", "upload", "--post", "--max-size", "1MiB", "--content-type", "text/plain", "--json", "local/vers/form.txt"))[0]
	curl := res["curl"].(string)
	for _, want := range []string{"--form-string 'key=form.txt'", "--form-string 'policy=", "--form-string 'x-amz-signature=", "-F file=@<FILE> '" + h.srv.URL + "/vers/'"} {
		if !strings.Contains(curl, want) {
			t.Errorf("POST policy curl: got %q, want it to contain %q", curl, want)
		}
	}
	var policyB64 string
	for _, f := range res["form"].([]any) {
		if v, ok := strings.CutPrefix(f.(string), "policy="); ok {
			policyB64 = v
		}
	}
	raw, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		t.Fatalf("policy is not base64: %v", err)
	}
	var policy struct {
		Conditions []any `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatal(err)
	}
	var conds []string
	for _, c := range policy.Conditions {
		conds = append(conds, fmt.Sprint(c))
	}
	all := strings.Join(conds, " ")
	for _, want := range []string{"[content-length-range 0 1.048576e+06]", "[eq $key form.txt]", "[eq $Content-Type text/plain]"} {
		if !strings.Contains(all, want) {
			t.Errorf("policy conditions: got %s, want %s", all, want)
		}
	}
}

func TestMoveLocalFolder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "outbox")
	writeRandom(t, filepath.Join(src, "a/b/c.bin"), 100)
	writeRandom(t, filepath.Join(src, "d.bin"), 100)
	h.mustRun("mb", "local/moves")
	h.mustRun("mv", "-r", src+"/", "local/moves/")
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(src)
		if len(entries) != 0 {
			t.Errorf("source folder after mv -r: got %d entries, want it emptied", len(entries))
		}
	}
	out := h.mustRun("ls", "-r", "local/moves")
	if !strings.Contains(out, "a/b/c.bin") || !strings.Contains(out, "d.bin") {
		t.Errorf("ls after mv -r: got %q", out)
	}
}

func TestCopyBetweenAliases(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("alias", "set", "other", h.srv.URL, h.srv.AccessKey, h.srv.SecretKey)
	h.mustRun("mb", "local/from")
	h.mustRun("mb", "other/dest")
	src := filepath.Join(t.TempDir(), "page.html")
	data := writeRandom(t, src, 7<<20)
	h.mustRun("cp", "--attr", "owner=ana", src, "local/from/page.html")
	h.mustRun("cp", "--part-size", "5MiB", "local/from/page.html", "other/dest/copy.html")
	st := jsonLines(t, h.mustRun("stat", "--json", "other/dest/copy.html"))[0]
	meta, _ := st["userMetadata"].(map[string]any)
	if st["contentType"] != "text/html; charset=utf-8" || st["size"] != float64(len(data)) || meta["Owner"] != "ana" {
		t.Errorf("stat after a copy between aliases: got %v, want the content type, size and metadata kept", st)
	}
	dst := filepath.Join(t.TempDir(), "back.html")
	h.mustRun("cp", "other/dest/copy.html", dst)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Errorf("content after a copy between aliases: got %d bytes, want %d equal bytes", len(got), len(data))
	}
}

package cli

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSharePostUpload checks that `share upload --post` makes a form the
// server accepts: its fields sent with net/http, and its printed curl
// command run as printed (when curl is installed).
func TestSharePostUpload(t *testing.T) {
	forEachLayout(t, func(t *testing.T, e *cliEnv) {
		e.ok("mb", "e2e/postshare")
		up := lastJSON(t, e.ok("share", "upload", "--post", "--json", "--expire", "1h", "--max-size", "1KiB",
			"--content-type", "text/plain", "e2e/postshare/form.txt"))
		if up["method"] != "POST" {
			t.Fatalf("share upload --post method: got %v, want POST", up["method"])
		}
		send := func(body []byte) (int, string) {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for _, f := range up["form"].([]any) {
				name, value, _ := strings.Cut(f.(string), "=")
				w.WriteField(name, value)
			}
			fw, _ := w.CreateFormFile("file", "form.txt")
			fw.Write(body)
			w.Close()
			client := &http.Client{Timeout: 30 * time.Second}
			resp, err := client.Post(up["url"].(string), w.FormDataContentType(), &buf)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var rb bytes.Buffer
			rb.ReadFrom(resp.Body)
			return resp.StatusCode, rb.String()
		}
		if code, body := send([]byte("posted with a form")); code != http.StatusNoContent {
			t.Fatalf("POST of the printed form: got %d %s, want 204", code, body)
		}
		if got := e.ok("cat", "e2e/postshare/form.txt"); got != "posted with a form" {
			t.Errorf("object posted with the form: got %q", got)
		}
		if code, body := send(bytes.Repeat([]byte("x"), 1025)); code != http.StatusBadRequest || !strings.Contains(body, "EntityTooLarge") {
			t.Errorf("POST over --max-size: got %d %s, want 400 EntityTooLarge", code, body)
		}

		if _, err := exec.LookPath("curl"); err != nil {
			if os.Getenv(requireToolsCopy) == "1" {
				t.Fatalf("curl is not installed and %s=1", RequireToolsEnv)
			}
			t.Skip("curl is not installed: the printed command is not run")
		}
		file := filepath.Join(t.TempDir(), "by curl.txt")
		os.WriteFile(file, []byte("sent by the printed curl command"), 0o644)
		cmd := strings.ReplaceAll(up["curl"].(string), "<FILE>", `"`+file+`"`)
		out, err := exec.Command("bash", "-c", cmd).CombinedOutput()
		if err != nil {
			t.Fatalf("printed curl command: %v\n%s", err, out)
		}
		if got := e.ok("cat", "e2e/postshare/form.txt"); got != "sent by the printed curl command" {
			t.Errorf("object posted by curl: got %q", got)
		}
	})
}

package cli

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fetch GETs url with a plain client and returns the status and body.
func fetch(t *testing.T, client *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestShareLinks(t *testing.T) {
	forEachLayout(t, func(t *testing.T, e *cliEnv) {
		client := &http.Client{Timeout: 30 * time.Second}
		body := bytes.Repeat([]byte("shared "), 1000)
		p := filepath.Join(t.TempDir(), "doc.txt")
		os.WriteFile(p, body, 0o644)
		e.ok("mb", "e2e/share")
		e.ok("cp", p, "e2e/share/doc.txt")

		human := e.ok("share", "download", "e2e/share/doc.txt")
		if !strings.Contains(human, "URL: http") || !strings.Contains(human, "(in 7d)") {
			t.Errorf("share download default: got %q, want a URL valid 7 days", human)
		}
		link := lastJSON(t, e.ok("share", "download", "--json", "--expire", "2s", "e2e/share/doc.txt"))
		url := link["url"].(string)
		expires, err := time.Parse(time.RFC3339, link["expires"].(string))
		if err != nil {
			t.Fatal(err)
		}
		status, got := fetch(t, client, url)
		if status != http.StatusOK || !bytes.Equal(got, body) {
			t.Fatalf("GET before expiry: status %d, %d bytes; want 200 and the object", status, len(got))
		}
		// Poll (bounded) until the link is refused; it must not be before expiry.
		deadline := time.Now().Add(15 * time.Second)
		for status == http.StatusOK && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			status, _ = fetch(t, client, url)
		}
		if status != http.StatusForbidden {
			t.Fatalf("GET after expiry: status %d, want 403", status)
		}
		if now := time.Now(); now.Before(expires) {
			t.Errorf("link refused at %v, before its expiry %v", now, expires)
		}

		up := lastJSON(t, e.ok("share", "upload", "--json", "--expire", "1h", "e2e/share/uploaded.txt"))
		if !strings.HasPrefix(up["curl"].(string), "curl -fsS --upload-file <FILE> '") {
			t.Errorf("share upload curl: got %q", up["curl"])
		}
		req, _ := http.NewRequest(http.MethodPut, up["url"].(string), strings.NewReader("sent with a link"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT through the upload link: status %d, want 200", resp.StatusCode)
		}
		if got := e.ok("cat", "e2e/share/uploaded.txt"); got != "sent with a link" {
			t.Errorf("object uploaded through the link: got %q", got)
		}
		e.fails(1, "share", "download", "e2e/share/missing.txt")
		e.fails(2, "share", "download", "--expire", "8d", "e2e/share/doc.txt")
	})
}

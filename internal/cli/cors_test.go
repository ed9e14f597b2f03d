package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCORS(t *testing.T) {
	tests := []struct {
		name, doc string
		rules     int
		err       string
	}{
		{"xml", `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod></CORSRule></CORSConfiguration>`, 1, ""},
		{"json", ` {"CORSRules": [{"AllowedOrigins": ["https://a.example"], "AllowedMethods": ["put"], "MaxAgeSeconds": 60}, {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}`, 2, ""},
		{"json without rules", `{"CORSRules": []}`, 0, "no rules"},
		{"broken json", `{"CORSRules": [`, 0, "not a CORS configuration"},
		{"neither", `AllowedOrigins: "*"`, 0, "not a CORS configuration"},
		{"empty", " \n", 0, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf, err := parseCORS([]byte(tt.doc))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parseCORS: got %v, want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil || len(conf.CORSRules) != tt.rules {
				t.Fatalf("parseCORS: got %+v, %v; want %d rules", conf, err, tt.rules)
			}
			for _, r := range conf.CORSRules {
				for _, m := range r.AllowedMethod {
					if m != strings.ToUpper(m) {
						t.Errorf("method %q not upper-cased", m)
					}
				}
			}
		})
	}
}

// TestCorsCommands sets a configuration from a JSON file and from XML on
// standard input, reads it back as XML and as JSON (which set accepts
// again), and removes it, against a real server.
func TestCorsCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/web")
	dir := t.TempDir()
	file := filepath.Join(dir, "cors.json")
	os.WriteFile(file, []byte(`{"CORSRules": [{"ID": "app", "AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]}`), 0o644)

	if out := h.mustRun("cors", "get", "local/web"); !strings.Contains(out, "no CORS configuration") {
		t.Errorf("cors get before set: %q", out)
	}
	if out := h.mustRun("cors", "set", "local/web", file); !strings.Contains(out, "set (1 rules)") {
		t.Errorf("cors set: %q", out)
	}
	out := h.mustRun("cors", "get", "local/web")
	for _, want := range []string{"<AllowedOrigin>https://app.example.com</AllowedOrigin>", "<AllowedMethod>PUT</AllowedMethod>", "<MaxAgeSeconds>600</MaxAgeSeconds>"} {
		if !strings.Contains(out, want) {
			t.Errorf("cors get: %q lacks %q", out, want)
		}
	}
	js := h.mustRun("cors", "get", "--json", "local/web")
	lines := jsonLines(t, js)
	rules, _ := lines[0]["CORSRules"].([]any)
	if len(lines) != 1 || lines[0]["status"] != "success" || len(rules) != 1 {
		t.Fatalf("cors get --json: %s", js)
	}

	h.stdin = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
	h.mustRun("cors", "set", "local/web", "-")
	if out := h.mustRun("cors", "get", "local/web"); !strings.Contains(out, "<AllowedOrigin>*</AllowedOrigin>") || strings.Contains(out, "app.example.com") {
		t.Errorf("cors get after set from stdin: %q", out)
	}
	// What get --json prints, set reads back.
	h.stdin = js
	h.mustRun("cors", "set", "local/web", "-")
	if out := h.mustRun("cors", "get", "local/web"); !strings.Contains(out, "app.example.com") {
		t.Errorf("cors get after set from get --json: %q", out)
	}
	h.stdin = ""

	// Refusals: the server's reason, a missing bucket, a missing file.
	os.WriteFile(file, []byte(`{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}`), 0o644)
	if err := h.mustFail("cors", "set", "local/web", file); !strings.Contains(err.Error(), "unsupported HTTP method") {
		t.Errorf("cors set with PATCH: %v", err)
	}
	if err := h.mustFail("cors", "get", "local/nobucket"); !errors.Is(err, ErrNotFound) {
		t.Errorf("cors get of a missing bucket: %v, want ErrNotFound", err)
	}
	if err := h.mustFail("cors", "set", "local/web", filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cors set from a missing file: %v", err)
	}
	var ue usageErr
	if err := h.mustFail("cors", "set", "local/web"); !errors.As(err, &ue) {
		t.Errorf("cors set without a file: %v, want a usage error", err)
	}

	if out := h.mustRun("cors", "rm", "local/web"); !strings.Contains(out, "removed") {
		t.Errorf("cors rm: %q", out)
	}
	if out := h.mustRun("cors", "get", "local/web"); !strings.Contains(out, "no CORS configuration") {
		t.Errorf("cors get after rm: %q", out)
	}
}

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestILMCommands adds rules with every flag family, lists them as a
// table and as JSON, exports and imports the configuration, removes
// rules one by one and all at once, refuses contradictory flags before
// calling the server, and shows the worker's status, against a real
// server.
func TestILMCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/logs", "local/copy")
	if out := h.mustRun("ilm", "ls", "local/logs"); !strings.Contains(out, "no lifecycle rules") {
		t.Errorf("ilm ls before add: %q", out)
	}
	h.mustRun("ilm", "add", "local/logs", "--id", "app", "--prefix", "app/", "--expire-days", "30")
	h.mustRun("ilm", "add", "local/logs", "--id", "old", "--noncurrent-expire-days", "7", "--newer-noncurrent", "3", "--expire-delete-marker")
	h.mustRun("ilm", "add", "local/logs", "--id", "tmp", "--prefix", "tmp/", "--tags", "a=1&b=2", "--size-gt", "10", "--expire-date", "2030-01-01")
	h.mustRun("ilm", "add", "local/logs", "--abort-uploads-days", "2")

	out := h.mustRun("ilm", "ls", "local/logs")
	for _, want := range []string{"app/", "30 days", "7 days, keep 3", "remove", "a=1&b=2", ">10", "2030-01-01", "2 days"} {
		if !strings.Contains(out, want) {
			t.Errorf("ilm ls: %q lacks %q", out, want)
		}
	}
	rules := jsonLines(t, h.mustRun("ilm", "ls", "local/logs", "--json"))
	if len(rules) != 4 || rules[0]["id"] != "app" || rules[1]["newerNoncurrent"] != float64(3) || rules[3]["id"] == "" {
		t.Fatalf("ilm ls --json: got %v", rules)
	}

	file := filepath.Join(t.TempDir(), "rules.xml")
	if err := os.WriteFile(file, []byte(h.mustRun("ilm", "export", "local/logs")), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustRun("ilm", "import", "local/copy", file)
	if got := jsonLines(t, h.mustRun("ilm", "ls", "local/copy", "--json")); len(got) != 4 || got[2]["expireDate"] != "2030-01-01" {
		t.Errorf("ilm ls after import: got %v", got)
	}

	for _, bad := range [][]string{
		{"ilm", "add", "local/logs", "--prefix", "x/"},
		{"ilm", "add", "local/logs", "--expire-days", "1", "--expire-date", "2030-01-01"},
		{"ilm", "add", "local/logs", "--expire-days", "1", "--expire-delete-marker"},
		{"ilm", "add", "local/logs", "--newer-noncurrent", "2"},
		{"ilm", "add", "local/logs", "--id", "app", "--expire-days", "1"},
		{"ilm", "rm", "local/logs"},
	} {
		h.mustFail(bad...)
	}
	// The server's validation answers what the flags do not check.
	if err := h.mustFail("ilm", "add", "local/logs", "--expire-date", "2030-01-01", "--tags", "k=v", "--abort-uploads-days", "1"); !strings.Contains(err.Error(), "Tags") {
		t.Errorf("abort with tags: got %v, want the server's refusal", err)
	}
	h.mustRun("ilm", "rm", "local/logs", "--id", "tmp")
	if got := jsonLines(t, h.mustRun("ilm", "ls", "local/logs", "--json")); len(got) != 3 {
		t.Errorf("after rm --id: got %v", got)
	}
	h.mustFail("ilm", "rm", "local/logs", "--id", "tmp")
	h.mustRun("ilm", "rm", "local/logs", "--all")
	if out := h.mustRun("ilm", "ls", "local/logs"); !strings.Contains(out, "no lifecycle rules") {
		t.Errorf("ilm ls after rm --all: %q", out)
	}

	st := jsonLines(t, h.mustRun("admin", "ilm", "local", "--json"))
	if len(st) != 1 || st[0]["dayLength"] != "24h0m0s" || st[0]["sets"] == nil {
		t.Errorf("admin ilm --json: got %v", st)
	}
	if out := h.mustRun("admin", "ilm", "local"); !strings.Contains(out, "SINCE START") {
		t.Errorf("admin ilm: %q", out)
	}
}

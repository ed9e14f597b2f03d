package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRetentionCommands makes a bucket with object lock, gives it a
// default retention, uploads into it, and walks the retention and legal
// hold commands against a real server: a locked version cannot be
// removed until its hold is lifted and its retention cleared with bypass.
func TestRetentionCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "--with-lock", "local/locked")
	if out := h.mustRun("version", "info", "local/locked"); !strings.Contains(out, "Enabled") {
		t.Fatalf("mb --with-lock: versioning %q, want Enabled", out)
	}
	if out := h.mustRun("retention", "info", "local/locked"); !strings.Contains(out, "enabled; no default") {
		t.Fatalf("retention info: %q", out)
	}
	h.mustRun("retention", "set", "--default", "--mode", "governance", "--days", "1", "local/locked")
	if out := h.mustRun("retention", "info", "local/locked"); !strings.Contains(out, "GOVERNANCE for 1 days") {
		t.Fatalf("retention info after set --default: %q", out)
	}
	f := filepath.Join(t.TempDir(), "db.dump")
	os.WriteFile(f, []byte("dump"), 0o644)
	h.mustRun("cp", f, "local/locked/db.dump")
	var view retentionView
	if err := json.Unmarshal([]byte(h.mustRun("retention", "get", "--json", "local/locked/db.dump")), &view); err != nil || view.Mode != "GOVERNANCE" {
		t.Fatalf("retention get --json: got %+v, %v; want GOVERNANCE", view, err)
	}
	id := mustVersion(t, h, "local/locked/db.dump")
	if err := h.mustFail("rm", "--version-id", id, "local/locked/db.dump"); err == nil || !strings.Contains(err.Error(), "protected by object lock") {
		t.Fatalf("rm of a version under retention: got %v, want an object lock refusal", err)
	}
	h.mustRun("legalhold", "set", "local/locked/db.dump")
	if out := h.mustRun("legalhold", "info", "--version-id", id, "local/locked/db.dump"); !strings.Contains(out, ": ON.") {
		t.Fatalf("legalhold info: %q", out)
	}
	h.mustRun("retention", "clear", "--bypass", "local/locked/db.dump")
	if out := h.mustRun("retention", "get", "local/locked/db.dump"); !strings.Contains(out, "none") {
		t.Fatalf("retention get after clear: %q", out)
	}
	if err := h.mustFail("rm", "--version-id", id, "local/locked/db.dump"); err == nil {
		t.Fatalf("rm of a version under legal hold succeeded")
	}
	h.mustRun("legalhold", "clear", "local/locked/db.dump")
	h.mustRun("rm", "--version-id", id, "local/locked/db.dump")
	h.mustRun("retention", "clear", "--default", "local/locked")
	if out := h.mustRun("retention", "info", "local/locked"); !strings.Contains(out, "no default") {
		t.Fatalf("retention info after clear --default: %q", out)
	}
	if err := h.mustFail("version", "suspend", "local/locked"); err == nil {
		t.Errorf("version suspend of a locked bucket succeeded")
	}
	for _, args := range [][]string{
		{"retention", "set", "--mode", "forever", "--days", "1", "local/locked/x"},
		{"retention", "set", "--mode", "governance", "local/locked/x"},
		{"retention", "set", "--mode", "governance", "--days", "1", "--until", "2030-01-01T00:00:00Z", "local/locked/x"},
		{"retention", "set", "--default", "--mode", "governance", "local/locked"},
	} {
		if err := h.mustFail(args...); err == nil {
			t.Errorf("%v: no usage error", args)
		}
	}
}

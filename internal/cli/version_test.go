package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionCommands enables versioning, writes a key twice, removes it
// (a delete marker), lists the versions, removes the marker by its ID
// (the object is back) and a version for good, and suspends versioning,
// against a real server.
func TestVersionCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/vers")
	if out := h.mustRun("version", "info", "local/vers"); !strings.Contains(out, "never enabled") {
		t.Fatalf("version info of a new bucket: %q", out)
	}
	h.mustRun("version", "enable", "local/vers")
	if out := h.mustRun("version", "info", "local/vers"); !strings.Contains(out, "Enabled") {
		t.Fatalf("version info after enable: %q", out)
	}
	dir := t.TempDir()
	for _, body := range []string{"first", "second"} {
		f := filepath.Join(dir, "doc.txt")
		os.WriteFile(f, []byte(body), 0o644)
		h.mustRun("cp", f, "local/vers/doc.txt")
	}
	h.mustRun("rm", "local/vers/doc.txt")
	if out := h.mustRun("ls", "local/vers"); strings.Contains(out, "doc.txt") {
		t.Fatalf("ls after rm shows the key: %q", out)
	}
	type item struct {
		Key, VersionID string
		IsLatest       bool `json:"isLatest"`
		DeleteMarker   bool `json:"deleteMarker"`
	}
	versions := func() []item {
		var out []item
		for _, line := range strings.Split(strings.TrimSpace(h.mustRun("ls", "--versions", "--json", "local/vers")), "\n") {
			var it item
			if err := json.Unmarshal([]byte(line), &it); err != nil {
				t.Fatalf("ls --versions --json line %q: %v", line, err)
			}
			out = append(out, it)
		}
		return out
	}
	vs := versions()
	if len(vs) != 3 || !vs[0].DeleteMarker || !vs[0].IsLatest || vs[1].DeleteMarker || vs[1].IsLatest {
		t.Fatalf("ls --versions: got %+v, want a latest delete marker and two versions", vs)
	}
	// cp --version-id reads an old version: downloaded and server-side.
	old := filepath.Join(dir, "old.txt")
	h.mustRun("cp", "--version-id", vs[2].VersionID, "local/vers/doc.txt", old)
	if b, err := os.ReadFile(old); err != nil || string(b) != "first" {
		t.Fatalf("cp --version-id download: got %q, %v; want first", b, err)
	}
	h.mustRun("cp", "--version-id", vs[2].VersionID, "local/vers/doc.txt", "local/vers/restored.txt")
	if out := h.mustRun("cat", "local/vers/restored.txt"); out != "first" {
		t.Fatalf("cp --version-id server-side: %q, want first", out)
	}
	h.mustRun("rm", "--version-id", mustVersion(t, h, "local/vers/restored.txt"), "local/vers/restored.txt")
	if err := h.mustFail("cp", "--recursive", "--version-id", "x", "local/vers/", dir); err == nil {
		t.Errorf("cp --recursive --version-id: no usage error")
	}
	h.mustRun("rm", "--version-id", vs[0].VersionID, "local/vers/doc.txt")
	if out := h.mustRun("cat", "local/vers/doc.txt"); out != "second" {
		t.Fatalf("cat after removing the marker: %q, want second", out)
	}
	h.mustRun("rm", "--version-id", vs[1].VersionID, "local/vers/doc.txt")
	if out := h.mustRun("cat", "local/vers/doc.txt"); out != "first" {
		t.Fatalf("cat after removing the newest version: %q, want first", out)
	}
	if err := h.mustFail("rm", "--version-id", vs[1].VersionID, "local/vers/doc.txt"); !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("rm of a removed version: got %v, want a missing-object error", err)
	}
	if err := h.mustFail("rm", "--recursive", "--force", "--version-id", "x", "local/vers/"); err == nil {
		t.Errorf("rm --recursive --version-id: no usage error")
	}
	h.mustRun("version", "suspend", "local/vers")
	if out := h.mustRun("version", "info", "--json", "local/vers"); !strings.Contains(out, `"versioning":"Suspended"`) {
		t.Fatalf("version info --json after suspend: %q", out)
	}
	if got := versions(); len(got) != 1 || got[0].VersionID != vs[2].VersionID || !got[0].IsLatest {
		t.Fatalf("versions at the end: got %+v, want the first version alone", got)
	}
}

// mustVersion returns the version ID of an object's current version.
func mustVersion(t *testing.T, h *harness, target string) string {
	t.Helper()
	var st struct {
		VersionID string `json:"versionId"`
	}
	out := h.mustRun("stat", "--json", target)
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &st); err != nil || st.VersionID == "" {
		t.Fatalf("stat --json %s: %q, %v; want a version ID", target, out, err)
	}
	return st.VersionID
}

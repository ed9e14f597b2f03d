package cli

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// summary returns the mirror-summary line of a --json mirror run.
func mirrorSummary(t *testing.T, out string) map[string]any {
	t.Helper()
	for _, l := range jsonLines(t, out) {
		if l["op"] == "mirror-summary" {
			return l
		}
	}
	t.Fatalf("no mirror-summary line in %q", out)
	return nil
}

func TestMirror(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	src := t.TempDir()
	writeRandom(t, filepath.Join(src, "a.bin"), 1000)
	writeRandom(t, filepath.Join(src, "sub/b.bin"), 6<<20)
	writeRandom(t, filepath.Join(src, "sub/deeper/c.txt"), 10)

	first := mirrorSummary(t, h.mustRun("mirror", "--json", "--part-size", "5MiB", src, "local/mirror/site/"))
	if first["copied"] != float64(3) {
		t.Errorf("first mirror: got %v, want 3 copied (and the bucket created)", first)
	}
	for _, compare := range []string{"etag", "mtime", "size"} {
		second := mirrorSummary(t, h.mustRun("mirror", "--json", "--compare", compare, src, "local/mirror/site/"))
		if second["copied"] != float64(0) || second["bytes"] != float64(0) || second["unchanged"] != float64(3) {
			t.Errorf("second mirror (--compare %s): got %v, want nothing copied, 3 unchanged", compare, second)
		}
	}

	// Same size, new content: kept without --overwrite, replaced with it.
	writeRandom(t, filepath.Join(src, "a.bin"), 1000)
	res := mirrorSummary(t, h.mustRun("mirror", "--json", src, "local/mirror/site/"))
	if res["copied"] != float64(0) || res["differ"] != float64(1) {
		t.Errorf("mirror of a changed file without --overwrite: got %v, want 1 differing, 0 copied", res)
	}
	res = mirrorSummary(t, h.mustRun("mirror", "--json", "--overwrite", src, "local/mirror/site/"))
	if res["copied"] != float64(1) || res["bytes"] != float64(1000) {
		t.Errorf("mirror --overwrite: got %v, want 1 copied (1000 bytes)", res)
	}

	// An extra object: listed by --dry-run, removed by --remove.
	h.stdin = "extra"
	h.mustRun("pipe", "local/mirror/site/extra.txt")
	h.stdin = ""
	os.Remove(filepath.Join(src, "sub/deeper/c.txt"))
	dry := h.mustRun("mirror", "--remove", "--dry-run", src, "local/mirror/site/")
	if !strings.Contains(dry, "Would remove local/mirror/site/extra.txt") || !strings.Contains(dry, "Would remove local/mirror/site/sub/deeper/c.txt") {
		t.Errorf("mirror --remove --dry-run: got %q, want both extra objects listed", dry)
	}
	if out := h.mustRun("cat", "local/mirror/site/extra.txt"); out != "extra" {
		t.Errorf("after a dry run: got %q, want the object untouched", out)
	}
	res = mirrorSummary(t, h.mustRun("mirror", "--json", "--remove", src, "local/mirror/site/"))
	if res["removed"] != float64(2) || res["copied"] != float64(0) {
		t.Errorf("mirror --remove: got %v, want 2 removed", res)
	}

	// Remote to local, twice.
	back := filepath.Join(t.TempDir(), "back")
	res = mirrorSummary(t, h.mustRun("mirror", "--json", "--part-size", "5MiB", "local/mirror/site/", back))
	if res["copied"] != float64(2) {
		t.Errorf("mirror to local: got %v, want 2 copied", res)
	}
	for _, compare := range []string{"etag", "mtime"} {
		res = mirrorSummary(t, h.mustRun("mirror", "--json", "--compare", compare, "local/mirror/site/", back))
		if res["copied"] != float64(0) || res["unchanged"] != float64(2) {
			t.Errorf("second mirror to local (--compare %s): got %v, want nothing copied", compare, res)
		}
	}
	// Remote to remote, twice.
	res = mirrorSummary(t, h.mustRun("mirror", "--json", "local/mirror/site/", "local/mirror2/"))
	if res["copied"] != float64(2) {
		t.Errorf("mirror remote to remote: got %v, want 2 copied", res)
	}
	res = mirrorSummary(t, h.mustRun("mirror", "--json", "local/mirror/site/", "local/mirror2/"))
	if res["copied"] != float64(0) {
		t.Errorf("second mirror remote to remote: got %v, want nothing copied", res)
	}
}

func TestLocalMatchesETag(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	data := writeRandom(t, p, 11<<20)
	sum := md5.Sum(data)
	single := hex.EncodeToString(sum[:])
	// The multipart ETag of 5 MiB parts, computed independently.
	var cat []byte
	for off := 0; off < len(data); off += 5 << 20 {
		s := md5.Sum(data[off:min(off+5<<20, len(data))])
		cat = append(cat, s[:]...)
	}
	all := md5.Sum(cat)
	multi := hex.EncodeToString(all[:]) + "-3"
	tests := []struct {
		name     string
		etag     string
		partSize int64
		want     bool
	}{
		{"single part", single, 16 << 20, true},
		{"single part quoted", `"` + single + `"`, 16 << 20, true},
		{"multipart with this run's part size", multi, 5 << 20, true},
		{"multipart found among common sizes", multi, 64 << 20, true},
		{"wrong hash", strings.Repeat("0", 32), 16 << 20, false},
		{"wrong part count", hex.EncodeToString(all[:]) + "-2", 5 << 20, false},
		{"garbage count", hex.EncodeToString(all[:]) + "-x", 5 << 20, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := localMatchesETag(p, int64(len(data)), tt.etag, tt.partSize)
			if err != nil || got != tt.want {
				t.Errorf("localMatchesETag: got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestSameContent(t *testing.T) {
	now := time.Now()
	remote := target{alias: "x", bucket: "b", key: "k"}
	other := target{alias: "x", bucket: "c", key: "k"}
	tests := []struct {
		name   string
		mode   string
		se, de entry
		want   bool
	}{
		{"size differs", compareSize, entry{Size: 1}, entry{Size: 2}, false},
		{"size mode", compareSize, entry{Size: 1, ETag: "a"}, entry{Size: 1, ETag: "b"}, true},
		{"mtime: source older", compareMtime, entry{Size: 1, ModTime: now.Add(-time.Hour)}, entry{Size: 1, ModTime: now}, true},
		{"mtime: source newer", compareMtime, entry{Size: 1, ModTime: now}, entry{Size: 1, ModTime: now.Add(-time.Hour)}, false},
		{"etag equal", compareETag, entry{Size: 1, ETag: "a"}, entry{Size: 1, ETag: "a"}, true},
		{"etag differs", compareETag, entry{Size: 1, ETag: "a"}, entry{Size: 1, ETag: "b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sameContent(tt.mode, remote, tt.se, other, tt.de, 16<<20)
			if err != nil || got != tt.want {
				t.Errorf("sameContent: got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

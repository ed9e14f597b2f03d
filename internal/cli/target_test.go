package cli

import (
	"path/filepath"
	"testing"
)

func TestParseTarget(t *testing.T) {
	isAlias := func(s string) bool { return s == "local" || s == "s3" }
	tests := []struct {
		in                        string
		alias, bucket, key, local string
		dirLike                   bool
	}{
		{"local", "local", "", "", "", true},
		{"local/", "local", "", "", "", true},
		{"local/photos", "local", "photos", "", "", true},
		{"local/photos/2026/a.jpg", "local", "photos", "2026/a.jpg", "", false},
		{"local/photos/2026/", "local", "photos", "2026/", "", true},
		{"./local/photos", "", "", "", "local/photos", false},
		{"/tmp/x/", "", "", "", "/tmp/x", true},
		{"notalias/x", "", "", "", "notalias/x", false},
		{"file.txt", "", "", "", "file.txt", false},
		{"~/file", "", "", "", "~/file", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := parseTarget(tt.in, isAlias)
			if got.alias != tt.alias || got.bucket != tt.bucket || got.key != tt.key || got.local != filepath.FromSlash(tt.local) && tt.local != "" {
				t.Errorf("parseTarget(%q): got %+v, want alias %q bucket %q key %q local %q", tt.in, got, tt.alias, tt.bucket, tt.key, tt.local)
			}
			if got.dirLike() != tt.dirLike {
				t.Errorf("parseTarget(%q).dirLike(): got %v, want %v", tt.in, got.dirLike(), tt.dirLike)
			}
		})
	}
}

func TestTargetChild(t *testing.T) {
	isAlias := func(s string) bool { return s == "local" }
	tests := []struct {
		base, rel, want string
	}{
		{"local/photos", "a/b.jpg", "local/photos/a/b.jpg"},
		{"local/photos/2026", "b.jpg", "local/photos/2026/b.jpg"},
		{"local/photos/2026/", "b.jpg", "local/photos/2026/b.jpg"},
		{"local", "bucket/k", "local/bucket/k"},
		{"/tmp/out", "a/b.jpg", filepath.FromSlash("/tmp/out/a/b.jpg")},
	}
	for _, tt := range tests {
		got := parseTarget(tt.base, isAlias).child(tt.rel).String()
		if got != tt.want {
			t.Errorf("%q.child(%q): got %q, want %q", tt.base, tt.rel, got, tt.want)
		}
	}
}

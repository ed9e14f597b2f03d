package drive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFormatValidate(t *testing.T) {
	good := Format{Version: 1, Deployment: "dep", DriveID: "b", Sets: [][]string{{"a", "b"}, {"c", "d"}}}
	tests := []struct {
		name string
		mod  func(f *Format)
		ok   bool
	}{
		{"valid", func(f *Format) {}, true},
		{"future version", func(f *Format) { f.Version = FormatVersion + 1 }, false},
		{"version 1 (before version tails)", func(f *Format) { f.Version = 1 }, true},
		{"version 0", func(f *Format) { f.Version = 0 }, false},
		{"no deployment", func(f *Format) { f.Deployment = "" }, false},
		{"no drive id", func(f *Format) { f.DriveID = "" }, false},
		{"no sets", func(f *Format) { f.Sets = nil }, false},
		{"empty set", func(f *Format) { f.Sets = [][]string{{"b"}, {}} }, false},
		{"uneven sets", func(f *Format) { f.Sets = [][]string{{"a", "b"}, {"c"}} }, false},
		{"duplicate id", func(f *Format) { f.Sets = [][]string{{"a", "b"}, {"b", "d"}} }, false},
		{"empty id", func(f *Format) { f.Sets = [][]string{{"", "b"}} }, false},
		{"drive not in layout", func(f *Format) { f.DriveID = "z" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			f.Sets = [][]string{{"a", "b"}, {"c", "d"}}
			tt.mod(&f)
			err := f.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate: got %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrFormatCorrupt) {
				t.Errorf("Validate: got %v, want ErrFormatCorrupt", err)
			}
		})
	}
}

func TestReadFormatCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not json", "{\"version\": 1, \"deploy"},
		{"empty file", ""},
		{"json of the wrong shape", `{"version": 1, "deployment": "d", "drive": "x", "sets": [["y"]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLocal(t, dir)
			if err := os.WriteFile(filepath.Join(dir, sysDir, formatFile), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := l.ReadFormat(context.Background())
			if !errors.Is(err, ErrFormatCorrupt) || errors.Is(err, ErrUnformatted) {
				t.Errorf("ReadFormat: got %v, want ErrFormatCorrupt", err)
			}
		})
	}
}

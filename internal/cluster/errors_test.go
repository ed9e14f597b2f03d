package cluster

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
)

// TestErrorMarkersRoundTrip: every marker that crosses the wire comes
// back as itself.
func TestErrorMarkersRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range errorCodes {
		code, _ := encodeError(errors.Join(errors.New("context"), e.err))
		got := decodeError("node", code, "message")
		if !errors.Is(got, e.err) {
			t.Fatalf("%v: came back as %v (code %s)", e.err, got, code)
		}
	}
}

// TestEveryDriveMarkerIsMapped reads package drive's source: each of its
// Err* variables must have a wire code, so a new marker cannot silently
// arrive from a remote drive as a plain error.
func TestEveryDriveMarkerIsMapped(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "drive", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("drive sources: %v", err)
	}
	known := map[string]error{
		"ErrNotFound": drive.ErrNotFound, "ErrExists": drive.ErrExists, "ErrUnformatted": drive.ErrUnformatted,
		"ErrFull": drive.ErrFull, "ErrInvalidArgument": drive.ErrInvalidArgument, "ErrClosed": drive.ErrClosed,
		"ErrFormatCorrupt": drive.ErrFormatCorrupt,
		"ErrFaulty":        drive.ErrFaulty,
		"ErrRecordChanged": drive.ErrRecordChanged,
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, sp := range g.Specs {
				for _, name := range sp.(*ast.ValueSpec).Names {
					if !strings.HasPrefix(name.Name, "Err") {
						continue
					}
					marker, ok := known[name.Name]
					if !ok {
						t.Fatalf("drive.%s is not known to this test: add it to errorCodes and here", name.Name)
					}
					code, _ := encodeError(marker)
					if code == "other" {
						t.Fatalf("drive.%s has no wire code in errorCodes", name.Name)
					}
				}
			}
		}
	}
}

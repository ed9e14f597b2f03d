package drive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FormatVersion is the version of the format record this code writes.
// Version 2 says object records may be stored cut into a head and a tail
// of older versions (tail.go): a binary that reads only version 1 would
// see the newest version of such objects alone, so it refuses the drive.
// Version 3 says a head may name where its tail starts (tailMarkerAt),
// which a binary of version 2 would take for a corrupt record. A drive of
// an older version is raised to 3 when it first stores either.
const FormatVersion = 3

// oldestFormatVersion is the oldest format version this code reads.
const oldestFormatVersion = 1

// ErrFormatCorrupt marks a format record that cannot be parsed or does not
// describe a valid layout; such a drive is kept out of service, never
// formatted over.
var ErrFormatCorrupt = errors.New("drive: format corrupt")

// Validate reports whether f is a complete format record: the known
// version, a deployment and drive ID, and a set layout of unique drive IDs
// that lists this drive exactly once. Its errors wrap ErrFormatCorrupt.
func (f Format) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrFormatCorrupt, fmt.Sprintf(format, args...))
	}
	switch {
	case f.Version < oldestFormatVersion || f.Version > FormatVersion:
		return bad("version %d, want %d to %d", f.Version, oldestFormatVersion, FormatVersion)
	case f.Deployment == "":
		return bad("no deployment ID")
	case f.DriveID == "":
		return bad("no drive ID")
	case len(f.Sets) == 0:
		return bad("no erasure sets")
	}
	seen := map[string]bool{}
	for i, set := range f.Sets {
		if len(set) == 0 || len(set) != len(f.Sets[0]) {
			return bad("set %d has %d drives, set 1 has %d", i+1, len(set), len(f.Sets[0]))
		}
		for _, id := range set {
			if id == "" || seen[id] {
				return bad("drive ID %q empty or listed twice", id)
			}
			seen[id] = true
		}
	}
	if !seen[f.DriveID] {
		return bad("drive ID %s is not in the set layout", f.DriveID)
	}
	return nil
}

// ReadFormat reads .hoard.sys/format.json; ErrUnformatted if it is absent,
// an error wrapping ErrFormatCorrupt if it cannot be parsed or is invalid.
func (l *Local) ReadFormat(ctx context.Context) (Format, error) {
	var f Format
	b, err := os.ReadFile(filepath.Join(l.sys, formatFile))
	if errors.Is(err, fs.ErrNotExist) {
		return f, ErrUnformatted
	}
	if err != nil {
		return f, fmt.Errorf("drive: read format: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Format{}, fmt.Errorf("%w: %s: %v", ErrFormatCorrupt, l.root, err)
	}
	if err := f.Validate(); err != nil {
		return Format{}, fmt.Errorf("%s: %w", l.root, err)
	}
	l.formatSeen.Store(true)
	return f, nil
}

// WriteFormat writes .hoard.sys/format.json durably (temp file, fsync,
// rename, fsync of the folder).
func (l *Local) WriteFormat(ctx context.Context, f Format) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("drive: encode format: %w", err)
	}
	tmp := filepath.Join(l.sys, tmpDir, "format.json.new")
	if err := writeFileSync(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(l.sys, formatFile)); err != nil {
		return fmt.Errorf("drive: install format: %w", err)
	}
	if err := syncDir(l.sys); err != nil {
		return err
	}
	l.formatSeen.Store(true)
	return nil
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, FileMode)
	if err != nil {
		return fmt.Errorf("drive: create %s: %w", path, mapErr(err))
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("drive: write %s: %w", path, mapErr(err))
	}
	return nil
}

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

// ReadFormat reads .hoard.sys/format.json; ErrUnformatted if it is absent.
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
		return f, fmt.Errorf("drive: parse format %s: %w", l.root, err)
	}
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
	return syncDir(l.sys)
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
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

package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

// entry is one object or file found under a listing root, or a prefix
// (folder) in a non-recursive listing.
type entry struct {
	// Rel is the path relative to the root, '/'-separated; a prefix ends in '/'.
	Rel string
	// Size, ModTime and ETag describe the object or file.
	Size    int64
	ModTime time.Time
	ETag    string
	// ContentType is known for remote objects listed with metadata.
	ContentType string
	// IsPrefix marks a folder or common prefix.
	IsPrefix bool
	// VersionID, IsLatest and DeleteMarker are set for version listings.
	VersionID    string
	IsLatest     bool
	DeleteMarker bool
}

// walkFunc receives each entry; returning an error stops the walk.
type walkFunc func(entry) error

// walk lists the objects or files under t (a remote prefix or a local
// folder), recursively or one level deep. A t naming a single file or
// object yields just that, with Rel its base name.
func (a *app) walk(ctx context.Context, t target, recursive bool, fn walkFunc) error {
	if t.isRemote() {
		r, err := a.remote(t.alias)
		if err != nil {
			return err
		}
		return r.walk(ctx, t.bucket, t.dirPrefix(), recursive, false, fn)
	}
	return walkLocal(t.local, recursive, fn)
}

// walk lists bucket under prefix. Rel is the key less the prefix.
func (r *remote) walk(ctx context.Context, bucket, prefix string, recursive, versions bool, fn walkFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: recursive, WithVersions: versions}
	for obj := range r.c.ListObjects(ctx, bucket, opts) {
		if obj.Err != nil {
			return r.wrap(obj.Err, bucket, prefix)
		}
		e := entry{
			Rel: strings.TrimPrefix(obj.Key, prefix), Size: obj.Size, ModTime: obj.LastModified,
			ETag: strings.Trim(obj.ETag, `"`), ContentType: obj.ContentType,
			IsPrefix:  strings.HasSuffix(obj.Key, "/") && obj.ETag == "" && !recursive,
			VersionID: obj.VersionID, IsLatest: obj.IsLatest, DeleteMarker: obj.IsDeleteMarker,
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// walkLocal lists the regular files under root (following symbolic links
// to files, not to folders). A root that is a file yields itself.
func walkLocal(root string, recursive bool, fn walkFunc) error {
	fi, err := os.Stat(root)
	if err != nil {
		return localError(err, root)
	}
	if !fi.IsDir() {
		return fn(entry{Rel: filepath.Base(root), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return localError(err, p)
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if !recursive {
				if err := fn(entry{Rel: rel + "/", IsPrefix: true}); err != nil {
					return err
				}
				return filepath.SkipDir
			}
			return nil
		}
		info, err := os.Stat(p)
		if err != nil {
			return localError(err, p)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		return fn(entry{Rel: rel, Size: info.Size(), ModTime: info.ModTime()})
	})
}

// localError names the path in a local file error.
func localError(err error, path string) error {
	if errors.Is(err, fs.ErrNotExist) {
		if first := strings.SplitN(filepath.ToSlash(path), "/", 2)[0]; validAliasName(first) && !filepath.IsAbs(path) {
			return newError(ErrNotFound, err, "%s: no such file or folder (and no alias named %q)", path, first)
		}
		return newError(ErrNotFound, err, "%s: no such file or folder", path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}

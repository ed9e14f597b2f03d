package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// removeResult reports one removed object or file.
type removeResult struct {
	Status    string `json:"status"`
	Key       string `json:"key"`
	VersionID string `json:"versionId,omitempty"`
	DryRun    bool   `json:"dryRun,omitempty"`
}

func (a *app) rmCommand() *cobra.Command {
	var recursive, force, dryRun, incomplete, versions bool
	var versionID string
	cmd := &cobra.Command{
		Use:     "rm TARGET...",
		Aliases: []string{"remove"},
		Short:   "Remove objects or files",
		Long: `Remove objects (or local files). Removing everything under a prefix
needs both --recursive and --force; objects go in batches of up to 1,000
per DeleteObjects request. --incomplete aborts unfinished multipart
uploads under the prefix instead. In a versioned bucket a removal leaves
a delete marker; --version-id removes that one version (or delete marker)
of one object for good.`,
		Example: `  hoard rm local/photos/2026/blurry.jpg
  hoard rm --recursive --force local/photos/2019/
  hoard rm --recursive --force --dry-run local/logs/
  hoard rm --incomplete --recursive --force local/uploads/
  hoard rm --version-id 0190f1c2-8a4e-7d21-9b3c-5e6f7a8b9c0d local/backups/db.dump`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			if recursive && !force {
				return a.usage("rm: --recursive removes everything under a prefix; add --force to confirm")
			}
			if versionID != "" {
				if recursive || incomplete || versions || len(args) != 1 {
					return a.usage("rm: --version-id names a version of one object: no --recursive, --incomplete or --versions")
				}
				return a.removeVersion(ctx, a.target(args[0]), versionID, dryRun)
			}
			for _, arg := range args {
				if err := a.remove(ctx, a.target(arg), recursive, dryRun, incomplete, versions); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.BoolVarP(&recursive, "recursive", "r", false, "remove everything under the prefix or folder")
	f.BoolVar(&force, "force", false, "confirm a recursive removal")
	f.BoolVar(&dryRun, "dry-run", false, "only show what would be removed")
	f.BoolVar(&incomplete, "incomplete", false, "abort unfinished multipart uploads instead of removing objects")
	f.BoolVar(&versions, "versions", false, "with --recursive, remove every version too")
	f.StringVar(&versionID, "version-id", "", "remove this version (or delete marker) of the object for good")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// remove removes one target.
func (a *app) remove(ctx context.Context, t target, recursive, dryRun, incomplete, versions bool) error {
	report := func(key string) {
		a.printer().emit(removeResult{Status: "success", Key: key, DryRun: dryRun}, map[bool]string{true: "Would remove ", false: "Removed "}[dryRun]+key)
	}
	if !t.isRemote() {
		return removeLocal(t, recursive, dryRun, report)
	}
	r, err := a.remote(t.alias)
	if err != nil {
		return err
	}
	if t.bucket == "" {
		return a.usage("%s: name a bucket (use 'hoard rb' to remove buckets)", t.raw)
	}
	if incomplete {
		if dryRun {
			for u := range r.c.ListIncompleteUploads(ctx, t.bucket, t.key, true) {
				if u.Err != nil {
					return r.wrap(u.Err, t.bucket, t.key)
				}
				report(fmt.Sprintf("%s/%s/%s (upload %s)", t.alias, t.bucket, u.Key, u.UploadID))
			}
			return nil
		}
		return r.abortUploads(ctx, t.bucket, t.key)
	}
	if !recursive {
		if t.key == "" || t.dirLike() {
			return a.usage("%s is a bucket or prefix: use --recursive --force", t.raw)
		}
		if _, err := r.statObject(ctx, t.bucket, t.key); err != nil {
			return err
		}
		if !dryRun {
			if err := r.c.RemoveObject(ctx, t.bucket, t.key, minio.RemoveObjectOptions{}); err != nil {
				return r.wrap(err, t.bucket, t.key)
			}
		}
		report(t.String())
		return nil
	}
	if err := r.bucketExists(ctx, t.bucket); err != nil {
		return err
	}
	prefix := t.dirPrefix()
	if dryRun {
		return r.walk(ctx, t.bucket, prefix, true, versions, func(e entry) error {
			report(fmt.Sprintf("%s/%s/%s", t.alias, t.bucket, prefix+e.Rel))
			return nil
		})
	}
	n, err := r.removeAll(ctx, t.bucket, prefix, versions, func(key string) {
		if !a.quiet {
			report(fmt.Sprintf("%s/%s/%s", t.alias, t.bucket, key))
		}
	})
	if err != nil {
		return err
	}
	if !a.quiet && !a.jsonOut {
		a.printer().emit(nil, fmt.Sprintf("%d objects removed.", n))
	}
	return nil
}

// removeVersion removes one version of one object ("null" names the
// version written while versioning was off or suspended).
func (a *app) removeVersion(ctx context.Context, t target, versionID string, dryRun bool) error {
	if !t.isRemote() || t.bucket == "" || t.key == "" || t.dirLike() {
		return a.usage("%s: --version-id needs ALIAS/BUCKET/KEY", t.raw)
	}
	r, err := a.remote(t.alias)
	if err != nil {
		return err
	}
	if _, err := r.c.StatObject(ctx, t.bucket, t.key, minio.StatObjectOptions{VersionID: versionID}); err != nil {
		// A delete marker answers 405 to a read by its ID: it exists.
		if minio.ToErrorResponse(err).StatusCode != http.StatusMethodNotAllowed {
			return r.wrap(err, t.bucket, t.key)
		}
	}
	if !dryRun {
		if err := r.c.RemoveObject(ctx, t.bucket, t.key, minio.RemoveObjectOptions{VersionID: versionID}); err != nil {
			return r.wrap(err, t.bucket, t.key)
		}
	}
	verb := map[bool]string{true: "Would remove ", false: "Removed "}[dryRun]
	a.printer().emit(removeResult{Status: "success", Key: t.String(), VersionID: versionID, DryRun: dryRun},
		verb+t.String()+" (version "+versionID+")")
	return nil
}

// removeLocal removes a local file, or a folder with recursive.
func removeLocal(t target, recursive, dryRun bool, report func(string)) error {
	fi, err := os.Stat(t.local)
	if err != nil {
		return localError(err, t.local)
	}
	if fi.IsDir() && !recursive {
		return fmt.Errorf("%s is a folder: use --recursive --force", t.local)
	}
	if !dryRun {
		if err := os.RemoveAll(t.local); err != nil {
			return err
		}
	}
	report(t.local)
	return nil
}

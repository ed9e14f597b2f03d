package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// removeResult reports one removed object or file.
type removeResult struct {
	Status string `json:"status"`
	Key    string `json:"key"`
	DryRun bool   `json:"dryRun,omitempty"`
}

func (a *app) rmCommand() *cobra.Command {
	var recursive, force, dryRun, incomplete, versions bool
	cmd := &cobra.Command{
		Use:     "rm TARGET...",
		Aliases: []string{"remove"},
		Short:   "Remove objects or files",
		Long: `Remove objects (or local files). Removing everything under a prefix
needs both --recursive and --force; objects go in batches of up to 1,000
per DeleteObjects request. --incomplete aborts unfinished multipart
uploads under the prefix instead.`,
		Example: `  hoard rm local/photos/2026/blurry.jpg
  hoard rm --recursive --force local/photos/2019/
  hoard rm --recursive --force --dry-run local/logs/
  hoard rm --incomplete --recursive --force local/uploads/`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			if recursive && !force {
				return a.usage("rm: --recursive removes everything under a prefix; add --force to confirm")
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

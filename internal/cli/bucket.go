package cli

import (
	"context"
	"errors"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

func (a *app) mbCommand() *cobra.Command {
	var region string
	var ignoreExisting, withLock bool
	cmd := &cobra.Command{
		Use:     "mb ALIAS/BUCKET...",
		Aliases: []string{"make-bucket"},
		Short:   "Make buckets",
		Example: `  hoard mb local/photos
  hoard mb --ignore-existing local/photos local/backups
  hoard mb --region eu-west-1 aws/my-eu-bucket
  hoard mb --with-lock local/backups`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			for _, arg := range args {
				t, r, err := a.bucketTarget(arg)
				if err != nil {
					return err
				}
				reg := region
				if reg == "" {
					reg = r.alias.Region
				}
				err = r.c.MakeBucket(ctx, t.bucket, minio.MakeBucketOptions{Region: reg, ObjectLocking: withLock})
				if err != nil {
					werr := r.wrap(err, t.bucket, "")
					if !(ignoreExisting && errors.Is(werr, ErrExists)) {
						return werr
					}
				}
				a.printer().emit(map[string]string{"status": "success", "bucket": t.String()}, "Bucket "+t.String()+" created.")
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&region, "region", "", "region to create the bucket in (default: the alias's)")
	cmd.Flags().BoolVarP(&ignoreExisting, "ignore-existing", "p", false, "succeed when the bucket already exists")
	cmd.Flags().BoolVar(&withLock, "with-lock", false, "enable object lock (and versioning, for good): see 'hoard retention' and 'hoard legalhold'")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) rbCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rb ALIAS/BUCKET...",
		Aliases: []string{"remove-bucket"},
		Short:   "Remove buckets",
		Long: `Remove buckets. A bucket must be empty unless --force is given, which
first deletes every object (and version) in it and aborts its unfinished
multipart uploads.`,
		Example: `  hoard rb local/scratch
  hoard rb --force local/old-logs`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			for _, arg := range args {
				t, r, err := a.bucketTarget(arg)
				if err != nil {
					return err
				}
				if err := r.bucketExists(ctx, t.bucket); err != nil {
					return err
				}
				if force {
					if _, err := r.removeAll(ctx, t.bucket, "", true, nil); err != nil {
						return err
					}
					if err := r.abortUploads(ctx, t.bucket, ""); err != nil {
						return err
					}
				}
				if err := r.c.RemoveBucket(ctx, t.bucket); err != nil {
					return r.wrap(err, t.bucket, "")
				}
				a.printer().emit(map[string]string{"status": "success", "bucket": t.String()}, "Bucket "+t.String()+" removed.")
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "delete all objects and unfinished uploads first")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// bucketTarget parses ALIAS/BUCKET and returns its client.
func (a *app) bucketTarget(arg string) (target, *remote, error) {
	t := a.target(arg)
	if !t.isRemote() || t.bucket == "" || (t.key != "" && t.key != "/") {
		return t, nil, a.usage("%q: want ALIAS/BUCKET with a defined alias", arg)
	}
	t.key = ""
	r, err := a.remote(t.alias)
	return t, r, err
}

// abortUploads aborts the unfinished multipart uploads under prefix.
func (r *remote) abortUploads(ctx context.Context, bucket, prefix string) error {
	for u := range r.c.ListIncompleteUploads(ctx, bucket, prefix, true) {
		if u.Err != nil {
			return r.wrap(u.Err, bucket, prefix)
		}
		if err := r.c.RemoveIncompleteUpload(ctx, bucket, u.Key); err != nil {
			return r.wrap(err, bucket, u.Key)
		}
	}
	return nil
}

// removeAll deletes every object under prefix (every version when
// versions is set) with batched DeleteObjects requests of up to 1,000
// keys, calling removed for each deleted key. It returns the count.
func (r *remote) removeAll(ctx context.Context, bucket, prefix string, versions bool, removed func(key string)) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	objects := make(chan minio.ObjectInfo)
	listErr := make(chan error, 1)
	go func() {
		defer close(objects)
		opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true, WithVersions: versions}
		for obj := range r.c.ListObjects(ctx, bucket, opts) {
			if obj.Err != nil {
				listErr <- r.wrap(obj.Err, bucket, prefix)
				return
			}
			select {
			case objects <- obj:
			case <-ctx.Done():
				return
			}
		}
	}()
	n := 0
	var firstErr error
	for res := range r.c.RemoveObjectsWithResult(ctx, bucket, objects, minio.RemoveObjectsOptions{}) {
		if res.Err != nil {
			if firstErr == nil {
				firstErr = r.wrap(res.Err, bucket, res.ObjectName)
			}
			continue
		}
		n++
		if removed != nil {
			removed(res.ObjectName)
		}
	}
	select {
	case err := <-listErr:
		return n, err
	default:
	}
	return n, firstErr
}

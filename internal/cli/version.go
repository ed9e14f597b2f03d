package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// versioningView is `version info --json`'s line.
type versioningView struct {
	Status string `json:"status"`
	Bucket string `json:"bucket"`
	// Versioning is "Enabled", "Suspended" or "" (never enabled).
	Versioning string `json:"versioning"`
}

func (a *app) versionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Enable, suspend or show a bucket's versioning",
		Long: `Manage a bucket's versioning. Once enabled, every write keeps the previous
version and a removal leaves a delete marker ('hoard ls --versions' lists
them all; 'hoard rm --version-id' removes one version for good).
Suspending stops making new versions and keeps the old ones; a bucket is
never unversioned again.`,
		Example: `  hoard version enable local/backups
  hoard version info local/backups
  hoard version suspend local/backups`,
	}
	for _, c := range []struct{ use, short, status string }{
		{"enable", "Enable versioning", "Enabled"},
		{"suspend", "Suspend versioning (existing versions stay)", "Suspended"},
	} {
		status := c.status
		sub := &cobra.Command{
			Use:   c.use + " ALIAS/BUCKET",
			Short: c.short,
			Args:  a.args(1, 1),
			RunE: a.run(func(ctx context.Context, args []string) error {
				t, r, err := a.bucketTarget(args[0])
				if err != nil {
					return err
				}
				set := r.c.EnableVersioning
				if status == "Suspended" {
					set = r.c.SuspendVersioning
				}
				if err := set(ctx, t.bucket); err != nil {
					return r.wrap(err, t.bucket, "")
				}
				a.printer().emit(versioningView{Status: "success", Bucket: t.String(), Versioning: status},
					fmt.Sprintf("Versioning of %s: %s.", t, status))
				return nil
			}),
		}
		sub.ValidArgsFunction = a.completePaths
		cmd.AddCommand(sub)
	}
	info := &cobra.Command{
		Use:   "info ALIAS/BUCKET",
		Short: "Show a bucket's versioning status",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			conf, err := r.c.GetBucketVersioning(ctx, t.bucket)
			if err != nil {
				return r.wrap(err, t.bucket, "")
			}
			human := conf.Status
			if human == "" {
				human = "never enabled"
			}
			a.printer().emit(versioningView{Status: "success", Bucket: t.String(), Versioning: conf.Status},
				fmt.Sprintf("Versioning of %s: %s.", t, human))
			return nil
		}),
	}
	info.ValidArgsFunction = a.completePaths
	cmd.AddCommand(info)
	return cmd
}

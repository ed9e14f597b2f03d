package cli

import (
	"context"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// legalHoldView is a `legalhold` command's --json line.
type legalHoldView struct {
	Status    string `json:"status"`
	Target    string `json:"target"`
	VersionID string `json:"versionId,omitempty"`
	// LegalHold is "ON", "OFF" or "" (never set).
	LegalHold string `json:"legalHold"`
}

func (a *app) legalHoldCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "legalhold",
		Short: "Set, clear or show an object version's legal hold",
		Long: `Manage the S3 Object Lock legal hold of object versions in a bucket made
with 'hoard mb --with-lock'. A version under a legal hold cannot be
deleted by anyone, whatever its retention, until the hold is cleared.`,
		Example: `  hoard legalhold set local/backups/db.dump
  hoard legalhold info --version-id ID local/backups/db.dump
  hoard legalhold clear local/backups/db.dump`,
	}
	for _, c := range []struct {
		use, short string
		status     minio.LegalHoldStatus
	}{
		{"set", "Put a version under legal hold", minio.LegalHoldEnabled},
		{"clear", "Lift a version's legal hold", minio.LegalHoldDisabled},
	} {
		var versionID string
		status := c.status
		sub := &cobra.Command{
			Use:   c.use + " ALIAS/BUCKET/KEY",
			Short: c.short,
			Args:  a.args(1, 1),
			RunE: a.run(func(ctx context.Context, args []string) error {
				t, r, err := a.objectTarget(args[0])
				if err != nil {
					return err
				}
				err = r.c.PutObjectLegalHold(ctx, t.bucket, t.key, minio.PutObjectLegalHoldOptions{VersionID: versionID, Status: &status})
				if err != nil {
					return r.wrap(err, t.bucket, t.key)
				}
				a.printer().emit(legalHoldView{Status: "success", Target: t.String(), VersionID: versionID, LegalHold: string(status)},
					"Legal hold of "+t.String()+": "+string(status)+".")
				return nil
			}),
		}
		sub.Flags().StringVar(&versionID, "version-id", "", "the version (default: the current one)")
		sub.ValidArgsFunction = a.completePaths
		cmd.AddCommand(sub)
	}
	var versionID string
	info := &cobra.Command{
		Use:   "info ALIAS/BUCKET/KEY",
		Short: "Show a version's legal hold",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.objectTarget(args[0])
			if err != nil {
				return err
			}
			st, err := r.c.GetObjectLegalHold(ctx, t.bucket, t.key, minio.GetObjectLegalHoldOptions{VersionID: versionID})
			if err != nil && minio.ToErrorResponse(err).Code != "NoSuchObjectLockConfiguration" {
				return r.wrap(err, t.bucket, t.key)
			}
			view := legalHoldView{Status: "success", Target: t.String(), VersionID: versionID}
			human := "Legal hold of " + t.String() + ": never set."
			if err == nil && st != nil {
				view.LegalHold = string(*st)
				human = "Legal hold of " + t.String() + ": " + view.LegalHold + "."
			}
			a.printer().emit(view, human)
			return nil
		}),
	}
	info.Flags().StringVar(&versionID, "version-id", "", "the version (default: the current one)")
	info.ValidArgsFunction = a.completePaths
	cmd.AddCommand(info)
	return cmd
}

package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// retentionView is a `retention` command's --json line: an object
// version's retention, or (Default) a bucket's default retention.
type retentionView struct {
	Status    string `json:"status"`
	Target    string `json:"target"`
	VersionID string `json:"versionId,omitempty"`
	// Mode is "GOVERNANCE", "COMPLIANCE" or "" (none).
	Mode string `json:"mode"`
	// Until is the end of an object's retention (RFC 3339), empty without one.
	Until string `json:"until,omitempty"`
	// Days or Years is a bucket's default retention period.
	Days  uint `json:"days,omitempty"`
	Years uint `json:"years,omitempty"`
	// Enabled says whether the bucket has object lock (retention info).
	Enabled *bool `json:"objectLock,omitempty"`
}

// retentionFlags are the flags of `retention set` and `clear`.
type retentionFlags struct {
	mode, until, versionID string
	days, years            uint
	bypass, bucketDefault  bool
}

func (a *app) retentionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Set, show or clear object lock retention",
		Long: `Manage S3 Object Lock retention of object versions, and the default
retention of a bucket made with 'hoard mb --with-lock'.

A version under GOVERNANCE retention cannot be deleted, nor its retention
shortened or removed, without --bypass (allowed to the root user, or to a
caller whose policy allows s3:BypassGovernanceRetention). A version under
COMPLIANCE retention cannot be deleted nor its retention shortened by
anyone until the date has passed; it can only be extended.`,
		Example: `  hoard retention set --mode governance --days 30 local/backups/db.dump
  hoard retention set --mode compliance --until 2030-01-01T00:00:00Z --version-id ID local/backups/db.dump
  hoard retention get local/backups/db.dump
  hoard retention clear --bypass local/backups/db.dump
  hoard retention set --default --mode governance --days 7 local/backups
  hoard retention info local/backups
  hoard retention clear --default local/backups`,
	}
	cmd.AddCommand(a.retentionSetCommand(), a.retentionGetCommand(), a.retentionClearCommand(), a.retentionInfoCommand())
	return cmd
}

// parseMode turns --mode into S3's spelling.
func (a *app) parseMode(s string) (minio.RetentionMode, error) {
	m := minio.RetentionMode(strings.ToUpper(s))
	if !m.IsValid() {
		return "", a.usage("--mode %q: want governance or compliance", s)
	}
	return m, nil
}

func (a *app) retentionSetCommand() *cobra.Command {
	var f retentionFlags
	cmd := &cobra.Command{
		Use:   "set [--default] --mode MODE (--until DATE | --days N | --years N) ALIAS/BUCKET[/KEY]",
		Short: "Set a version's retention, or a bucket's default retention",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			mode, err := a.parseMode(f.mode)
			if err != nil {
				return err
			}
			if f.bucketDefault {
				return a.setDefaultRetention(ctx, args[0], &mode, f)
			}
			var until time.Time
			switch {
			case f.until != "" && f.days == 0:
				if until, err = time.Parse(time.RFC3339, f.until); err != nil {
					return a.usage("--until %q: want an RFC 3339 date such as 2030-01-31T00:00:00Z", f.until)
				}
			case f.until == "" && f.days > 0 && f.years == 0:
				until = time.Now().UTC().AddDate(0, 0, int(f.days))
			default:
				return a.usage("give exactly one of --until and --days")
			}
			t, r, err := a.objectTarget(args[0])
			if err != nil {
				return err
			}
			err = r.c.PutObjectRetention(ctx, t.bucket, t.key, minio.PutObjectRetentionOptions{
				Mode: &mode, RetainUntilDate: &until, VersionID: f.versionID, GovernanceBypass: f.bypass})
			if err != nil {
				return r.wrap(err, t.bucket, t.key)
			}
			u := until.UTC().Format(time.RFC3339)
			a.printer().emit(retentionView{Status: "success", Target: t.String(), VersionID: f.versionID, Mode: string(mode), Until: u},
				fmt.Sprintf("Retention of %s: %s until %s.", t, mode, u))
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.mode, "mode", "", "governance or compliance (required)")
	fl.StringVar(&f.until, "until", "", "retain until this RFC 3339 date (objects)")
	fl.UintVar(&f.days, "days", 0, "retain for this many days from now (objects) or from each version's creation (--default)")
	fl.UintVar(&f.years, "years", 0, "default retention in years (--default only)")
	fl.StringVar(&f.versionID, "version-id", "", "the version to set (default: the current one)")
	fl.BoolVar(&f.bypass, "bypass", false, "bypass GOVERNANCE retention to shorten it")
	fl.BoolVar(&f.bucketDefault, "default", false, "set the bucket's default retention instead")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// setDefaultRetention sets (mode non-nil) or clears a bucket's default
// retention.
func (a *app) setDefaultRetention(ctx context.Context, arg string, mode *minio.RetentionMode, f retentionFlags) error {
	var validity *uint
	var unit *minio.ValidityUnit
	view := retentionView{Status: "success"}
	if mode != nil {
		u := minio.Days
		switch {
		case f.days > 0 && f.years == 0:
			validity, view.Days = &f.days, f.days
		case f.years > 0 && f.days == 0:
			validity, u, view.Years = &f.years, minio.Years, f.years
		default:
			return a.usage("give exactly one of --days and --years with --default")
		}
		if f.until != "" || f.versionID != "" {
			return a.usage("--until and --version-id are for object versions, not --default")
		}
		unit, view.Mode = &u, string(*mode)
	}
	t, r, err := a.bucketTarget(arg)
	if err != nil {
		return err
	}
	if err := r.c.SetObjectLockConfig(ctx, t.bucket, mode, validity, unit); err != nil {
		return r.wrap(err, t.bucket, "")
	}
	view.Target = t.String()
	human := "Default retention of " + t.String() + ": none."
	if mode != nil {
		human = fmt.Sprintf("Default retention of %s: %s for %d %s.", t, *mode, *validity, strings.ToLower(string(*unit)))
	}
	a.printer().emit(view, human)
	return nil
}

func (a *app) retentionGetCommand() *cobra.Command {
	var versionID string
	cmd := &cobra.Command{
		Use:   "get ALIAS/BUCKET/KEY",
		Short: "Show a version's retention",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.objectTarget(args[0])
			if err != nil {
				return err
			}
			view := retentionView{Status: "success", Target: t.String(), VersionID: versionID}
			mode, until, err := r.c.GetObjectRetention(ctx, t.bucket, t.key, versionID)
			if err != nil && minio.ToErrorResponse(err).Code != "NoSuchObjectLockConfiguration" {
				return r.wrap(err, t.bucket, t.key)
			}
			human := "Retention of " + t.String() + ": none."
			if err == nil && mode != nil && until != nil {
				view.Mode, view.Until = string(*mode), until.UTC().Format(time.RFC3339)
				human = fmt.Sprintf("Retention of %s: %s until %s.", t, view.Mode, view.Until)
			}
			a.printer().emit(view, human)
			return nil
		}),
	}
	cmd.Flags().StringVar(&versionID, "version-id", "", "the version to show (default: the current one)")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) retentionClearCommand() *cobra.Command {
	var f retentionFlags
	cmd := &cobra.Command{
		Use:   "clear [--bypass | --default] ALIAS/BUCKET[/KEY]",
		Short: "Remove a version's GOVERNANCE retention, or a bucket's default retention",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			if f.bucketDefault {
				return a.setDefaultRetention(ctx, args[0], nil, f)
			}
			t, r, err := a.objectTarget(args[0])
			if err != nil {
				return err
			}
			err = r.c.PutObjectRetention(ctx, t.bucket, t.key, minio.PutObjectRetentionOptions{VersionID: f.versionID, GovernanceBypass: f.bypass})
			if err != nil {
				return r.wrap(err, t.bucket, t.key)
			}
			a.printer().emit(retentionView{Status: "success", Target: t.String(), VersionID: f.versionID},
				"Retention of "+t.String()+" removed.")
			return nil
		}),
	}
	cmd.Flags().StringVar(&f.versionID, "version-id", "", "the version to clear (default: the current one)")
	cmd.Flags().BoolVar(&f.bypass, "bypass", false, "bypass GOVERNANCE retention (needed while it lasts)")
	cmd.Flags().BoolVar(&f.bucketDefault, "default", false, "clear the bucket's default retention instead")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) retentionInfoCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info ALIAS/BUCKET",
		Short: "Show whether a bucket has object lock, and its default retention",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			enabled, mode, validity, unit, err := r.c.GetObjectLockConfig(ctx, t.bucket)
			on := err == nil && enabled == "Enabled"
			if err != nil && minio.ToErrorResponse(err).Code != "ObjectLockConfigurationNotFoundError" {
				return r.wrap(err, t.bucket, "")
			}
			view := retentionView{Status: "success", Target: t.String(), Enabled: &on}
			human := "Object lock of " + t.String() + ": not enabled."
			switch {
			case on && mode != nil && validity != nil && unit != nil:
				view.Mode = string(*mode)
				if *unit == minio.Years {
					view.Years = *validity
				} else {
					view.Days = *validity
				}
				human = fmt.Sprintf("Object lock of %s: enabled; default retention %s for %d %s.", t, *mode, *validity, strings.ToLower(string(*unit)))
			case on:
				human = "Object lock of " + t.String() + ": enabled; no default retention."
			}
			a.printer().emit(view, human)
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

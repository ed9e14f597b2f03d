package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
	"github.com/spf13/cobra"
)

// ilmRuleView is one rule as `ilm ls --json` prints it.
type ilmRuleView struct {
	ID                   string            `json:"id"`
	Status               string            `json:"status"`
	Prefix               string            `json:"prefix,omitempty"`
	Tags                 map[string]string `json:"tags,omitempty"`
	SizeGreaterThan      int64             `json:"sizeGreaterThan,omitempty"`
	SizeLessThan         int64             `json:"sizeLessThan,omitempty"`
	ExpireDays           int               `json:"expireDays,omitempty"`
	ExpireDate           string            `json:"expireDate,omitempty"`
	ExpireDeleteMarker   bool              `json:"expireDeleteMarker,omitempty"`
	NoncurrentExpireDays int               `json:"noncurrentExpireDays,omitempty"`
	NewerNoncurrent      int               `json:"newerNoncurrent,omitempty"`
	AbortUploadsDays     int               `json:"abortUploadsDays,omitempty"`
}

func (a *app) ilmCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ilm",
		Short: "Manage a bucket's lifecycle rules (objects that expire by themselves)",
		Long: `Add, list and remove the lifecycle rules of a bucket: current versions
that expire some days after they were written or on a date, noncurrent
versions that expire some days after they were replaced (keeping the
newest few), delete markers left alone, and multipart uploads never
completed. The server applies the rules in the background; see
'hoard admin ilm' for its progress. The flags follow 'mc ilm rule add'.`,
		Example: `  hoard ilm add local/logs --prefix app/ --expire-days 30
  hoard ilm add local/backups --noncurrent-expire-days 7 --newer-noncurrent 3 --expire-delete-marker
  hoard ilm add local/uploads --abort-uploads-days 2
  hoard ilm ls local/logs
  hoard ilm rm local/logs --id app-logs
  hoard ilm export local/logs > rules.xml && hoard ilm import local/other rules.xml`,
	}
	cmd.AddCommand(a.ilmAddCommand(), a.ilmLsCommand(), a.ilmRmCommand(), a.ilmExportCommand(), a.ilmImportCommand())
	return cmd
}

// ilmFlags are the options of `ilm add`.
type ilmFlags struct {
	id, prefix, tags, expireDate      string
	expireDays, noncurrentDays, newer int
	abortDays                         int
	sizeGT, sizeLT                    int64
	expireDeleteMarker, disabled      bool
}

func (a *app) ilmAddCommand() *cobra.Command {
	var f ilmFlags
	cmd := &cobra.Command{
		Use:   "add ALIAS/BUCKET",
		Short: "Add a lifecycle rule to a bucket",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			rule, err := f.rule()
			if err != nil {
				return a.usage("%v", err)
			}
			conf, err := a.getLifecycle(ctx, r, t.bucket)
			if err != nil {
				return err
			}
			for _, old := range conf.Rules {
				if old.ID == rule.ID {
					return a.usage("%s already has a rule with ID %q (remove it first)", t, rule.ID)
				}
			}
			conf.Rules = append(conf.Rules, rule)
			if err := r.c.SetBucketLifecycle(ctx, t.bucket, conf); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			a.printer().emit(map[string]string{"status": "success", "bucket": t.String(), "id": rule.ID},
				fmt.Sprintf("Lifecycle rule %s added to %s.", rule.ID, t))
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.id, "id", "", "rule ID (default: generated)")
	fl.StringVar(&f.prefix, "prefix", "", "apply to keys under this prefix")
	fl.StringVar(&f.tags, "tags", "", "apply to objects with these tags (k1=v1&k2=v2)")
	fl.Int64Var(&f.sizeGT, "size-gt", 0, "apply to objects larger than this many bytes")
	fl.Int64Var(&f.sizeLT, "size-lt", 0, "apply to objects smaller than this many bytes")
	fl.IntVar(&f.expireDays, "expire-days", 0, "expire current versions this many days after they were written")
	fl.StringVar(&f.expireDate, "expire-date", "", "expire current versions on this date (YYYY-MM-DD, midnight UTC)")
	fl.BoolVar(&f.expireDeleteMarker, "expire-delete-marker", false, "remove delete markers that no longer hide any version")
	fl.IntVar(&f.noncurrentDays, "noncurrent-expire-days", 0, "delete noncurrent versions this many days after they were replaced")
	fl.IntVar(&f.newer, "newer-noncurrent", 0, "keep this many newest noncurrent versions whatever their age")
	fl.IntVar(&f.newer, "noncurrent-expire-newer", 0, "same as --newer-noncurrent (mc's name)")
	_ = fl.MarkHidden("noncurrent-expire-newer")
	fl.IntVar(&f.abortDays, "abort-uploads-days", 0, "abort multipart uploads not completed this many days after they began")
	fl.BoolVar(&f.disabled, "disable", false, "store the rule disabled")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// rule builds the rule the flags describe; the server validates the rest.
func (f ilmFlags) rule() (lifecycle.Rule, error) {
	r := lifecycle.Rule{ID: f.id, Status: "Enabled"}
	if f.disabled {
		r.Status = "Disabled"
	}
	if r.ID == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		r.ID = hex.EncodeToString(b[:])
	}
	if f.expireDays > 0 && f.expireDate != "" {
		return r, fmt.Errorf("--expire-days and --expire-date exclude each other")
	}
	if f.expireDeleteMarker && (f.expireDays > 0 || f.expireDate != "") {
		return r, fmt.Errorf("--expire-delete-marker cannot be combined with --expire-days or --expire-date (S3 forbids it)")
	}
	if f.newer > 0 && f.noncurrentDays == 0 {
		return r, fmt.Errorf("--newer-noncurrent needs --noncurrent-expire-days")
	}
	r.Expiration.Days = lifecycle.ExpirationDays(f.expireDays)
	r.Expiration.DeleteMarker = lifecycle.ExpireDeleteMarker(f.expireDeleteMarker)
	if f.expireDate != "" {
		d, err := time.Parse("2006-01-02", f.expireDate)
		if err != nil {
			return r, fmt.Errorf("--expire-date %q: want YYYY-MM-DD", f.expireDate)
		}
		r.Expiration.Date = lifecycle.ExpirationDate{Time: d}
	}
	r.NoncurrentVersionExpiration.NoncurrentDays = lifecycle.ExpirationDays(f.noncurrentDays)
	r.NoncurrentVersionExpiration.NewerNoncurrentVersions = f.newer
	r.AbortIncompleteMultipartUpload.DaysAfterInitiation = lifecycle.ExpirationDays(f.abortDays)
	if r.Expiration.IsNull() && f.noncurrentDays == 0 && f.abortDays == 0 {
		return r, fmt.Errorf("no action: give --expire-days, --expire-date, --expire-delete-marker, --noncurrent-expire-days or --abort-uploads-days")
	}
	tags, err := parseTagFlag(f.tags)
	if err != nil {
		return r, err
	}
	r.RuleFilter = filterOf(f.prefix, tags, f.sizeGT, f.sizeLT)
	return r, nil
}

// parseTagFlag reads k1=v1&k2=v2.
func parseTagFlag(s string) ([]lifecycle.Tag, error) {
	if s == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(s)
	if err != nil {
		return nil, fmt.Errorf("--tags %q: want k1=v1&k2=v2", s)
	}
	var tags []lifecycle.Tag
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, fmt.Errorf("--tags %q: key %q given %d times", s, k, len(vs))
		}
		tags = append(tags, lifecycle.Tag{Key: k, Value: vs[0]})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags, nil
}

// filterOf builds a filter: one predicate alone, several under And.
func filterOf(prefix string, tags []lifecycle.Tag, gt, lt int64) lifecycle.Filter {
	n := len(tags)
	for _, set := range []bool{prefix != "", gt > 0, lt > 0} {
		if set {
			n++
		}
	}
	if n > 1 {
		return lifecycle.Filter{And: lifecycle.And{Prefix: prefix, Tags: tags, ObjectSizeGreaterThan: gt, ObjectSizeLessThan: lt}}
	}
	f := lifecycle.Filter{Prefix: prefix, ObjectSizeGreaterThan: gt, ObjectSizeLessThan: lt}
	if len(tags) == 1 {
		f.Tag = tags[0]
	}
	return f
}

// getLifecycle returns a bucket's configuration, empty when it has none.
func (a *app) getLifecycle(ctx context.Context, r *remote, bucket string) (*lifecycle.Configuration, error) {
	conf, err := r.c.GetBucketLifecycle(ctx, bucket)
	if minio.ToErrorResponse(err).Code == "NoSuchLifecycleConfiguration" {
		return lifecycle.NewConfiguration(), nil
	}
	if err != nil {
		return nil, r.wrap(err, bucket, "")
	}
	return conf, nil
}

package cli

import (
	"context"
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/lifecycle"
	"github.com/spf13/cobra"
)

func (a *app) ilmLsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ls ALIAS/BUCKET",
		Aliases: []string{"list"},
		Short:   "List a bucket's lifecycle rules (a table, or one JSON line per rule with --json)",
		Args:    a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			conf, err := a.getLifecycle(ctx, r, t.bucket)
			if err != nil {
				return err
			}
			if len(conf.Rules) == 0 {
				if err := r.bucketExists(ctx, t.bucket); err != nil {
					return err
				}
			}
			views := make([]ilmRuleView, len(conf.Rules))
			for i, rule := range conf.Rules {
				views[i] = viewOf(rule)
			}
			p := a.printer()
			if p.jsonMode {
				for _, v := range views {
					p.json(v)
				}
				return nil
			}
			if len(views) == 0 {
				p.emit(nil, "Bucket "+t.String()+" has no lifecycle rules.")
				return nil
			}
			p.emit(nil, ilmTable(views))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// viewOf flattens a rule for listing.
func viewOf(r lifecycle.Rule) ilmRuleView {
	v := ilmRuleView{ID: r.ID, Status: r.Status, Prefix: r.Prefix}
	f := r.RuleFilter
	v.Prefix += f.Prefix + f.And.Prefix
	v.SizeGreaterThan = f.ObjectSizeGreaterThan + f.And.ObjectSizeGreaterThan
	v.SizeLessThan = f.ObjectSizeLessThan + f.And.ObjectSizeLessThan
	for _, tag := range append([]lifecycle.Tag{f.Tag}, f.And.Tags...) {
		if !tag.IsEmpty() {
			if v.Tags == nil {
				v.Tags = map[string]string{}
			}
			v.Tags[tag.Key] = tag.Value
		}
	}
	v.ExpireDays = int(r.Expiration.Days)
	if !r.Expiration.IsDateNull() {
		v.ExpireDate = r.Expiration.Date.UTC().Format("2006-01-02")
	}
	v.ExpireDeleteMarker = r.Expiration.IsDeleteMarkerExpirationEnabled()
	v.NoncurrentExpireDays = int(r.NoncurrentVersionExpiration.NoncurrentDays)
	v.NewerNoncurrent = r.NoncurrentVersionExpiration.NewerNoncurrentVersions
	v.AbortUploadsDays = int(r.AbortIncompleteMultipartUpload.DaysAfterInitiation)
	return v
}

// ilmTable renders rules as a table.
func ilmTable(views []ilmRuleView) string {
	rows := [][]string{{"ID", "STATUS", "PREFIX", "TAGS", "SIZE", "EXPIRE", "DELETE MARKER", "NONCURRENT", "ABORT UPLOADS"}}
	for _, v := range views {
		var tags []string
		for k, val := range v.Tags {
			tags = append(tags, k+"="+val)
		}
		sort.Strings(tags) // map order is random; the table must read the same every time
		size := ""
		if v.SizeGreaterThan > 0 {
			size = ">" + strconv.FormatInt(v.SizeGreaterThan, 10)
		}
		if v.SizeLessThan > 0 {
			size = strings.TrimSpace(size + " <" + strconv.FormatInt(v.SizeLessThan, 10))
		}
		expire := v.ExpireDate
		if v.ExpireDays > 0 {
			expire = days(v.ExpireDays)
		}
		noncurrent := ""
		if v.NoncurrentExpireDays > 0 {
			noncurrent = days(v.NoncurrentExpireDays)
			if v.NewerNoncurrent > 0 {
				noncurrent += fmt.Sprintf(", keep %d", v.NewerNoncurrent)
			}
		}
		abort := ""
		if v.AbortUploadsDays > 0 {
			abort = days(v.AbortUploadsDays)
		}
		marker := ""
		if v.ExpireDeleteMarker {
			marker = "remove"
		}
		rows = append(rows, []string{v.ID, v.Status, v.Prefix, strings.Join(tags, "&"), size, expire, marker, noncurrent, abort})
	}
	return table(rows)
}

// days writes a count of days.
func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

func (a *app) ilmRmCommand() *cobra.Command {
	var id string
	var all bool
	cmd := &cobra.Command{
		Use:     "rm ALIAS/BUCKET (--id ID | --all)",
		Aliases: []string{"remove"},
		Short:   "Remove one lifecycle rule of a bucket, or all of them",
		Args:    a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			if (id == "") == !all {
				return a.usage("give --id ID or --all")
			}
			conf := lifecycle.NewConfiguration()
			if !all {
				if conf, err = a.getLifecycle(ctx, r, t.bucket); err != nil {
					return err
				}
				kept := conf.Rules[:0]
				for _, rule := range conf.Rules {
					if rule.ID != id {
						kept = append(kept, rule)
					}
				}
				if len(kept) == len(conf.Rules) {
					return newError(ErrNotFound, nil, "%s has no lifecycle rule with ID %q", t, id)
				}
				conf.Rules = kept
			}
			// An empty configuration deletes the bucket's lifecycle.
			if err := r.c.SetBucketLifecycle(ctx, t.bucket, conf); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			what := "rule " + id
			if all {
				what = "every rule"
			}
			a.printer().emit(map[string]string{"status": "success", "bucket": t.String()}, "Lifecycle "+what+" of "+t.String()+" removed.")
			return nil
		}),
	}
	cmd.Flags().StringVar(&id, "id", "", "ID of the rule to remove")
	cmd.Flags().BoolVar(&all, "all", false, "remove every rule")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) ilmExportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export ALIAS/BUCKET",
		Short: "Print a bucket's lifecycle configuration as S3 XML",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			conf, err := r.c.GetBucketLifecycle(ctx, t.bucket)
			if err != nil {
				return r.wrap(err, t.bucket, "")
			}
			doc, err := xml.MarshalIndent(conf, "", "  ")
			if err != nil {
				return err
			}
			a.printer().emit(conf, string(doc))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) ilmImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import ALIAS/BUCKET FILE",
		Short: "Replace a bucket's lifecycle configuration with FILE's S3 XML (- for standard input)",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			data, err := a.readDocumentFile(args[1])
			if err != nil {
				return err
			}
			conf := lifecycle.NewConfiguration()
			if err := xml.Unmarshal(data, conf); err != nil || len(conf.Rules) == 0 {
				return fmt.Errorf("%s: not a lifecycle configuration (S3 XML with at least one Rule): %v", args[1], err)
			}
			if err := r.c.SetBucketLifecycle(ctx, t.bucket, conf); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			a.printer().emit(map[string]any{"status": "success", "bucket": t.String(), "rules": len(conf.Rules)},
				fmt.Sprintf("Lifecycle configuration of %s set (%d rules).", t, len(conf.Rules)))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

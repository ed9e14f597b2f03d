package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/spf13/cobra"
)

// corsRule is a CORS rule in the JSON shape of the aws CLI's
// put-bucket-cors and get-bucket-cors, which `cors get --json` prints and
// `cors set` reads.
type corsRule struct {
	ID             string   `json:"ID,omitempty"`
	AllowedOrigins []string `json:"AllowedOrigins"`
	AllowedMethods []string `json:"AllowedMethods"`
	AllowedHeaders []string `json:"AllowedHeaders,omitempty"`
	ExposeHeaders  []string `json:"ExposeHeaders,omitempty"`
	MaxAgeSeconds  int      `json:"MaxAgeSeconds,omitempty"`
}

// corsView is `cors get --json`'s line.
type corsView struct {
	Status    string     `json:"status"`
	Bucket    string     `json:"bucket"`
	CORSRules []corsRule `json:"CORSRules"`
}

func (a *app) corsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cors",
		Short: "Set, show or remove a bucket's CORS configuration",
		Long: `Manage the CORS configuration that lets web pages on other origins call a
bucket from the browser (presigned URLs, POST forms). A configuration is a
list of rules, each allowing some origins to use some methods; it is given
as S3's CORSConfiguration XML or as the aws CLI's JSON ({"CORSRules": [...]}).`,
		Example: `  hoard cors set local/photos cors.json
  echo '{"CORSRules":[{"AllowedOrigins":["https://app.example.com"],"AllowedMethods":["GET","PUT"],"AllowedHeaders":["*"]}]}' | hoard cors set local/photos -
  hoard cors get local/photos
  hoard cors rm local/photos`,
	}
	cmd.AddCommand(a.corsSetCommand(), a.corsGetCommand(), a.corsRmCommand())
	return cmd
}

func (a *app) corsSetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set ALIAS/BUCKET FILE",
		Short: "Replace a bucket's CORS configuration with FILE's (- for standard input)",
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
			conf, err := parseCORS(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[1], err)
			}
			if err := r.c.SetBucketCors(ctx, t.bucket, conf); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			a.printer().emit(map[string]any{"status": "success", "bucket": t.String(), "rules": len(conf.CORSRules)},
				fmt.Sprintf("CORS configuration of %s set (%d rules).", t, len(conf.CORSRules)))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) corsGetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get ALIAS/BUCKET",
		Short: "Print a bucket's CORS configuration (XML, or JSON with --json)",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			conf, err := r.c.GetBucketCors(ctx, t.bucket)
			if err != nil {
				return r.wrap(err, t.bucket, "")
			}
			view := corsView{Status: "success", Bucket: t.String(), CORSRules: []corsRule{}}
			if conf == nil {
				// minio-go reports "none configured" as nil; make sure the
				// bucket itself exists.
				if err := r.bucketExists(ctx, t.bucket); err != nil {
					return err
				}
				a.printer().emit(view, "Bucket "+t.String()+" has no CORS configuration.")
				return nil
			}
			for _, rule := range conf.CORSRules {
				view.CORSRules = append(view.CORSRules, corsRule{ID: rule.ID, AllowedOrigins: rule.AllowedOrigin, AllowedMethods: rule.AllowedMethod,
					AllowedHeaders: rule.AllowedHeader, ExposeHeaders: rule.ExposeHeader, MaxAgeSeconds: rule.MaxAgeSeconds})
			}
			doc, err := xml.MarshalIndent(conf, "", "  ")
			if err != nil {
				return err
			}
			a.printer().emit(view, string(doc))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) corsRmCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "rm ALIAS/BUCKET",
		Aliases: []string{"remove"},
		Short:   "Remove a bucket's CORS configuration",
		Args:    a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			if err := r.c.SetBucketCors(ctx, t.bucket, nil); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			a.printer().emit(map[string]string{"status": "success", "bucket": t.String()}, "CORS configuration of "+t.String()+" removed.")
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// parseCORS reads a configuration as the aws CLI's JSON or S3's XML. The
// server validates the rules themselves.
func parseCORS(data []byte) (*cors.Config, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("empty CORS configuration")
	}
	if trimmed[0] != '{' {
		conf, err := cors.ParseBucketCorsConfig(bytes.NewReader(trimmed))
		if err != nil {
			return nil, fmt.Errorf("not a CORS configuration (S3 XML or aws CLI JSON): %v", err)
		}
		return conf, nil
	}
	var doc struct {
		CORSRules []corsRule `json:"CORSRules"`
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a CORS configuration (S3 XML or aws CLI JSON): %v", err)
	}
	if len(doc.CORSRules) == 0 {
		return nil, fmt.Errorf(`no rules: want {"CORSRules": [{"AllowedOrigins": [...], "AllowedMethods": [...]}, ...]}`)
	}
	rules := make([]cors.Rule, len(doc.CORSRules))
	for i, r := range doc.CORSRules {
		methods := make([]string, len(r.AllowedMethods))
		for j, m := range r.AllowedMethods {
			methods[j] = strings.ToUpper(m)
		}
		rules[i] = cors.Rule{ID: r.ID, AllowedOrigin: r.AllowedOrigins, AllowedMethod: methods,
			AllowedHeader: r.AllowedHeaders, ExposeHeader: r.ExposeHeaders, MaxAgeSeconds: r.MaxAgeSeconds}
	}
	return cors.NewConfig(rules), nil
}

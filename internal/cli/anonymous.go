package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Anonymous access levels, as `hoard anonymous set` takes them.
const (
	levelNone     = "none"
	levelDownload = "download"
	levelUpload   = "upload"
	levelPublic   = "public"
	levelCustom   = "custom"
)

// anonymousSid prefixes the Sid of the statements `hoard anonymous set`
// writes, so it can find and replace them; statements written by hand are
// left alone.
const anonymousSid = "HoardAnonymous"

// policyDoc is a bucket policy as the client edits it: statements are kept
// as they came, whatever fields they have.
type policyDoc struct {
	Version   string           `json:"Version"`
	ID        string           `json:"Id,omitempty"`
	Statement []map[string]any `json:"Statement"`
}

func parsePolicyDoc(s string) (*policyDoc, error) {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("the bucket policy is not valid JSON: %v", err)
	}
	d := &policyDoc{Version: raw.Version, ID: raw.ID}
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one map[string]any
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, err
		}
		d.Statement = []map[string]any{one}
	} else if len(raw.Statement) > 0 {
		if err := json.Unmarshal(raw.Statement, &d.Statement); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// sidFor names the statements of one prefix and level part ("Get", "Put").
func sidFor(prefix, part string) string {
	return anonymousSid + part + ":" + prefix
}

// ownStatement reports whether s is one that `anonymous set` wrote for
// prefix.
func ownStatement(s map[string]any, prefix string) bool {
	sid, _ := s["Sid"].(string)
	for _, part := range []string{"List", "Get", "Put"} {
		if sid == sidFor(prefix, part) {
			return true
		}
	}
	return false
}

// anonymousStatements are the statements that give level on prefix of bucket.
func anonymousStatements(bucket, prefix, level string) []map[string]any {
	arn := "arn:aws:s3:::" + bucket
	var out []map[string]any
	list := map[string]any{"Sid": sidFor(prefix, "List"), "Effect": "Allow", "Principal": map[string]any{"AWS": []string{"*"}},
		"Action": []string{"s3:ListBucket"}, "Resource": []string{arn}}
	if prefix != "" {
		list["Condition"] = map[string]any{"StringLike": map[string]any{"s3:prefix": []string{prefix + "*"}}}
	}
	if level == levelDownload || level == levelPublic {
		out = append(out, list, map[string]any{"Sid": sidFor(prefix, "Get"), "Effect": "Allow", "Principal": map[string]any{"AWS": []string{"*"}},
			"Action": []string{"s3:GetObject"}, "Resource": []string{arn + "/" + prefix + "*"}})
	}
	if level == levelUpload || level == levelPublic {
		out = append(out, map[string]any{"Sid": sidFor(prefix, "Put"), "Effect": "Allow", "Principal": map[string]any{"AWS": []string{"*"}},
			"Action":   []string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			"Resource": []string{arn + "/" + prefix + "*"}})
	}
	return out
}

// levelOf reads the level `hoard anonymous set` gave prefix in d.
func levelOf(d *policyDoc, prefix string) string {
	has := func(part string) bool {
		return slices.ContainsFunc(d.Statement, func(s map[string]any) bool { return s["Sid"] == sidFor(prefix, part) })
	}
	get, put := has("Get"), has("Put")
	switch {
	case get && put:
		return levelPublic
	case get:
		return levelDownload
	case put:
		return levelUpload
	}
	return levelNone
}

func (a *app) anonymousCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "anonymous",
		Short: "Open a bucket or prefix to anonymous access (bucket policies)",
		Long: `Let anyone, without credentials, download from or upload to a bucket or a
prefix of it, through the bucket's policy. The levels are none, download
(GetObject, and ListBucket within the prefix), upload (PutObject and
multipart uploads) and public (both). Statements written by hand in the
policy are kept; set-json and get-json edit the whole policy document.`,
		Example: `  hoard anonymous set download local/site/assets/
  hoard anonymous set upload local/inbox
  hoard anonymous get local/site/assets/
  hoard anonymous set none local/site/assets/
  hoard anonymous set-json local/site policy.json
  hoard anonymous get-json local/site`,
	}
	cmd.AddCommand(a.anonymousSetCommand(), a.anonymousGetCommand(), a.anonymousSetJSONCommand(), a.anonymousGetJSONCommand())
	return cmd
}

// prefixTarget parses ALIAS/BUCKET[/PREFIX].
func (a *app) prefixTarget(arg string) (target, *remote, error) {
	t := a.target(arg)
	if !t.isRemote() || t.bucket == "" {
		return t, nil, a.usage("%q: want ALIAS/BUCKET[/PREFIX] with a defined alias", arg)
	}
	if t.key == "/" {
		t.key = ""
	}
	r, err := a.remote(t.alias)
	return t, r, err
}

// currentPolicy returns the bucket's policy, or an empty one.
func (r *remote) currentPolicy(ctx context.Context, bucket string) (*policyDoc, error) {
	s, err := r.c.GetBucketPolicy(ctx, bucket)
	if err != nil {
		return nil, r.wrap(err, bucket, "")
	}
	if strings.TrimSpace(s) == "" {
		if err := r.bucketExists(ctx, bucket); err != nil {
			return nil, err
		}
		return &policyDoc{Version: "2012-10-17"}, nil
	}
	return parsePolicyDoc(s)
}

func (a *app) anonymousSetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set LEVEL ALIAS/BUCKET[/PREFIX]",
		Short: "Give anonymous callers none, download, upload or public access",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			level := args[0]
			if !slices.Contains([]string{levelNone, levelDownload, levelUpload, levelPublic}, level) {
				return a.usage("%q: the level is one of none, download, upload, public", level)
			}
			t, r, err := a.prefixTarget(args[1])
			if err != nil {
				return err
			}
			d, err := r.currentPolicy(ctx, t.bucket)
			if err != nil {
				return err
			}
			d.Statement = slices.DeleteFunc(d.Statement, func(s map[string]any) bool { return ownStatement(s, t.key) })
			d.Statement = append(d.Statement, anonymousStatements(t.bucket, t.key, level)...)
			policy := ""
			if len(d.Statement) > 0 {
				b, err := json.Marshal(d)
				if err != nil {
					return err
				}
				policy = string(b)
			}
			// minio-go deletes the policy when it is empty.
			if err := r.c.SetBucketPolicy(ctx, t.bucket, policy); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			a.printer().emit(map[string]string{"status": "success", "target": t.String(), "level": level},
				fmt.Sprintf("Anonymous access to %s set to %s.", t, level))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) anonymousGetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get ALIAS/BUCKET[/PREFIX]",
		Short: "Print the anonymous access level `anonymous set` gave a bucket or prefix",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.prefixTarget(args[0])
			if err != nil {
				return err
			}
			d, err := r.currentPolicy(ctx, t.bucket)
			if err != nil {
				return err
			}
			level := levelOf(d, t.key)
			if level == levelNone && slices.ContainsFunc(d.Statement, func(s map[string]any) bool {
				sid, _ := s["Sid"].(string)
				return !strings.HasPrefix(sid, anonymousSid)
			}) {
				level = levelCustom // statements written by hand decide
			}
			a.printer().emit(map[string]string{"status": "success", "target": t.String(), "level": level},
				fmt.Sprintf("Anonymous access to %s is %s.", t, level))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) anonymousSetJSONCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set-json ALIAS/BUCKET FILE",
		Short: "Replace a bucket's policy with FILE's JSON document (- for standard input)",
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
			if strings.TrimSpace(string(data)) == "" {
				return fmt.Errorf("%s: empty policy (use 'anonymous set none' to remove access)", args[1])
			}
			if err := r.c.SetBucketPolicy(ctx, t.bucket, string(data)); err != nil {
				return r.wrap(err, t.bucket, "")
			}
			a.printer().emit(map[string]string{"status": "success", "bucket": t.String()}, "Policy of "+t.String()+" set.")
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) anonymousGetJSONCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get-json ALIAS/BUCKET",
		Short: "Print a bucket's policy document",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.bucketTarget(args[0])
			if err != nil {
				return err
			}
			s, err := r.c.GetBucketPolicy(ctx, t.bucket)
			if err != nil {
				return r.wrap(err, t.bucket, "")
			}
			if s == "" {
				if err := r.bucketExists(ctx, t.bucket); err != nil {
					return err
				}
			}
			if a.jsonOut {
				a.printer().json(map[string]any{"status": "success", "bucket": t.String(), "policy": json.RawMessage(orEmptyObject(s))})
				return nil
			}
			if s == "" {
				a.printer().emit(nil, "Bucket "+t.String()+" has no policy.")
				return nil
			}
			a.printer().emit(nil, s)
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func orEmptyObject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "{}"
	}
	return s
}

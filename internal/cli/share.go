package cli

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// Share link limits: SigV4 presigned URLs live at most 7 days.
const (
	maxShareExpiry     = 7 * 24 * time.Hour
	defaultShareExpiry = maxShareExpiry
)

// shareResult reports a share link.
type shareResult struct {
	Status    string    `json:"status"`
	Op        string    `json:"op"`
	Object    string    `json:"object"`
	URL       string    `json:"url"`
	Method    string    `json:"method"`
	Expires   time.Time `json:"expires"`
	ExpiresIn int64     `json:"expiresInSeconds"`
	Curl      string    `json:"curl,omitempty"`
	Form      []string  `json:"form,omitempty"`
}

func (a *app) shareCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "share",
		Short: "Make time-limited links to download or upload an object",
		Long: `Make presigned links: anyone holding one can download (or upload) that
one object with any HTTP client, without keys, until it expires (at most
7 days, the SigV4 limit).`,
		Example: `  hoard share download local/docs/report.pdf --expire 24h
  hoard share upload local/inbox/scan.pdf --expire 1h`,
	}
	cmd.AddCommand(a.shareDownloadCommand(), a.shareUploadCommand())
	return cmd
}

// parseExpiry parses --expire.
func (a *app) parseExpiry(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, a.usage("--expire: %v", err)
	}
	if d < time.Second || d > maxShareExpiry {
		return 0, a.usage("--expire %s: must be between 1s and 7d", s)
	}
	return d.Truncate(time.Second), nil
}

// objectTarget parses ALIAS/BUCKET/KEY and returns its client.
func (a *app) objectTarget(arg string) (target, *remote, error) {
	t := a.target(arg)
	if !t.isRemote() || t.bucket == "" || t.key == "" || t.dirLike() {
		return t, nil, a.usage("%q: want ALIAS/BUCKET/KEY with a defined alias", arg)
	}
	r, err := a.remote(t.alias)
	return t, r, err
}

func (a *app) shareDownloadCommand() *cobra.Command {
	var expire string
	cmd := &cobra.Command{
		Use:   "download ALIAS/BUCKET/KEY",
		Short: "Print a presigned download (GET) link and its expiry",
		Example: `  hoard share download local/docs/report.pdf
  hoard share download local/docs/report.pdf --expire 2h
  curl -o report.pdf "$(hoard share download --json local/docs/report.pdf | jq -r .url)"`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			d, err := a.parseExpiry(expire)
			if err != nil {
				return err
			}
			t, r, err := a.objectTarget(args[0])
			if err != nil {
				return err
			}
			if _, err := r.statObject(ctx, t.bucket, t.key); err != nil {
				return err
			}
			now := time.Now()
			u, err := r.c.PresignedGetObject(ctx, t.bucket, t.key, d, url.Values{})
			if err != nil {
				return r.wrap(err, t.bucket, t.key)
			}
			res := shareResult{Status: "success", Op: "share-download", Object: t.String(), URL: u.String(), Method: "GET",
				Expires: now.Add(d).UTC().Truncate(time.Second), ExpiresIn: int64(d / time.Second)}
			a.printer().emit(res, fmt.Sprintf("URL: %s\nExpires: %s (in %s)", res.URL, humanTime(res.Expires), humanDuration(d)))
			return nil
		}),
	}
	cmd.Flags().StringVar(&expire, "expire", "7d", "how long the link works (1s to 7d; s, m, h, d)")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) shareUploadCommand() *cobra.Command {
	var expire, maxSize, contentType string
	var post bool
	cmd := &cobra.Command{
		Use:   "upload ALIAS/BUCKET/KEY",
		Short: "Print a ready-to-run curl command that uploads to an object",
		Long: `Print a curl command that uploads a file to ALIAS/BUCKET/KEY through a
presigned PUT link, valid until it expires. Replace <FILE> with the file.

With --post it uses a presigned POST policy instead: an HTML-form upload
(POST Object) that Hoard and AWS S3 both accept, which can cap the size
with --max-size and require a --content-type. The form's fields are printed
too (--json), to build a browser form from.`,
		Example: `  hoard share upload local/inbox/scan.pdf --expire 1h
  hoard share upload --post --max-size 10MiB local/inbox/scan.pdf`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			d, err := a.parseExpiry(expire)
			if err != nil {
				return err
			}
			t, r, err := a.objectTarget(args[0])
			if err != nil {
				return err
			}
			if err := r.bucketExists(ctx, t.bucket); err != nil {
				return err
			}
			now := time.Now()
			res := shareResult{Status: "success", Op: "share-upload", Object: t.String(),
				Expires: now.Add(d).UTC().Truncate(time.Second), ExpiresIn: int64(d / time.Second)}
			if post {
				if err := r.postPolicy(ctx, t, d, now, maxSize, contentType, &res); err != nil {
					return err
				}
			} else {
				u, err := r.c.PresignedPutObject(ctx, t.bucket, t.key, d)
				if err != nil {
					return r.wrap(err, t.bucket, t.key)
				}
				res.URL, res.Method = u.String(), "PUT"
				res.Curl = "curl -fsS --upload-file <FILE> " + shellQuote(res.URL)
			}
			a.printer().emit(res, fmt.Sprintf("Expires: %s (in %s)\n%s", humanTime(res.Expires), humanDuration(d), res.Curl))
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&expire, "expire", "7d", "how long the link works (1s to 7d; s, m, h, d)")
	f.BoolVar(&post, "post", false, "use a presigned POST policy (HTML form upload) instead of PUT")
	f.StringVar(&maxSize, "max-size", "", "with --post, the largest upload the policy allows")
	f.StringVar(&contentType, "content-type", "", "with --post, the content type the upload must have")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// postPolicy fills res with a presigned POST policy upload.
func (r *remote) postPolicy(ctx context.Context, t target, d time.Duration, now time.Time, maxSize, contentType string, res *shareResult) error {
	p := minio.NewPostPolicy()
	if err := p.SetBucket(t.bucket); err != nil {
		return err
	}
	if err := p.SetKey(t.key); err != nil {
		return err
	}
	if err := p.SetExpires(now.Add(d).UTC()); err != nil {
		return err
	}
	if maxSize != "" {
		n, err := parseSize(maxSize)
		if err != nil {
			return fmt.Errorf("--max-size: %w", err)
		}
		if err := p.SetContentLengthRange(0, n); err != nil {
			return err
		}
	}
	if contentType != "" {
		if err := p.SetContentType(contentType); err != nil {
			return err
		}
	}
	u, form, err := r.c.PresignedPostPolicy(ctx, p)
	if err != nil {
		return r.wrap(err, t.bucket, t.key)
	}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("curl -fsS")
	for _, k := range keys {
		field := k + "=" + form[k]
		res.Form = append(res.Form, field)
		// --form-string sends the value as is; -F would read a value
		// starting with @ or < from a file and parse ;type= in it.
		b.WriteString(" --form-string " + shellQuote(field))
	}
	b.WriteString(" -F file=@<FILE> " + shellQuote(u.String()))
	res.URL, res.Method, res.Curl = u.String(), "POST", b.String()
	return nil
}

// shellQuote quotes s for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

func (a *app) catCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cat TARGET...",
		Short: "Write objects or files to standard output",
		Example: `  hoard cat local/docs/notes.txt
  hoard cat local/logs/app.log.gz | gunzip | grep ERROR`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			for _, arg := range args {
				rc, err := a.open(ctx, a.target(arg), -1)
				if err != nil {
					return err
				}
				_, err = io.Copy(a.opts.Stdout, rc)
				rc.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", arg, err)
				}
			}
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) headCommand() *cobra.Command {
	var lines int
	var bytes string
	cmd := &cobra.Command{
		Use:   "head TARGET",
		Short: "Write the first lines (or bytes) of an object to standard output",
		Long: `Write the first lines of an object or file (10 by default) to standard
output. With --bytes only that many bytes are requested (a ranged GET).`,
		Example: `  hoard head local/logs/app.log
  hoard head -n 50 local/data/table.csv
  hoard head --bytes 1KiB local/images/cat.png | xxd`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t := a.target(args[0])
			if bytes != "" {
				n, err := parseSize(bytes)
				if err != nil {
					return a.usage("--bytes: %v", err)
				}
				rc, err := a.open(ctx, t, n)
				if err != nil {
					return err
				}
				defer rc.Close()
				_, err = io.Copy(a.opts.Stdout, io.LimitReader(rc, n))
				return err
			}
			if lines < 0 {
				return a.usage("--lines %d: must not be negative", lines)
			}
			rc, err := a.open(ctx, t, -1)
			if err != nil {
				return err
			}
			defer rc.Close()
			br := bufio.NewReader(rc)
			for i := 0; i < lines; i++ {
				line, err := br.ReadString('\n')
				if _, werr := io.WriteString(a.opts.Stdout, line); werr != nil {
					return werr
				}
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
			}
			return nil
		}),
	}
	cmd.Flags().IntVarP(&lines, "lines", "n", 10, "number of lines")
	cmd.Flags().StringVarP(&bytes, "bytes", "c", "", "number of bytes instead of lines (e.g. 512, 4KiB)")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// open returns a reader for a remote object or local file; limit >= 0
// asks only for the first limit bytes.
func (a *app) open(ctx context.Context, t target, limit int64) (io.ReadCloser, error) {
	if !t.isRemote() {
		f, err := os.Open(t.local)
		if err != nil {
			return nil, localError(err, t.local)
		}
		return f, nil
	}
	if t.bucket == "" || t.key == "" || t.dirLike() {
		return nil, a.usage("%s: name an object, as ALIAS/BUCKET/KEY", t.raw)
	}
	r, err := a.remote(t.alias)
	if err != nil {
		return nil, err
	}
	opts := minio.GetObjectOptions{}
	if limit == 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if limit > 0 {
		_ = opts.SetRange(0, limit-1)
	}
	body, _, _, err := r.core.GetObject(ctx, t.bucket, t.key, opts)
	if err != nil {
		if minio.ToErrorResponse(err).Code == "InvalidRange" {
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, r.wrap(err, t.bucket, t.key)
	}
	return body, nil
}

func (a *app) pipeCommand() *cobra.Command {
	var tf transferFlags
	cmd := &cobra.Command{
		Use:   "pipe ALIAS/BUCKET/KEY",
		Short: "Stream standard input into an object",
		Long: `Stream standard input into an object. The input is sent in parts of
--part-size, --concurrency at once, so memory use is about their product;
the length need not be known in advance.`,
		Example: `  tar czf - ./project | hoard pipe local/backups/project.tar.gz
  pg_dump mydb | hoard pipe --content-type application/sql local/db/mydb.sql
  echo hello | hoard pipe --attr source=echo local/tmp/hello.txt`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			o, err := a.transferOptions(tf)
			if err != nil {
				return err
			}
			t := a.target(args[0])
			if !t.isRemote() || t.bucket == "" || t.key == "" || t.dirLike() {
				return a.usage("%s: want ALIAS/BUCKET/KEY", args[0])
			}
			r, err := a.remote(t.alias)
			if err != nil {
				return err
			}
			info, err := r.pipe(ctx, t, a.opts.Stdin, o)
			if err != nil {
				return err
			}
			res := copyResult{Status: "success", Op: "pipe", Source: "stdin", Target: t.String(), Size: info.Size}
			if !a.quiet {
				a.printer().emit(res, fmt.Sprintf("stdin -> %s  (%s)", t, humanSize(info.Size)))
			}
			return nil
		}),
	}
	tf.add(cmd.Flags(), true)
	cmd.Flags().MarkHidden("parallel")
	cmd.Flags().MarkHidden("no-resume")
	return cmd
}

// pipe uploads in to t. Input shorter than one part goes as a single PUT
// with its MD5; longer input streams as a multipart upload of unknown
// length, o.concurrency parts at once.
func (r *remote) pipe(ctx context.Context, t target, in io.Reader, o transferOpts) (minio.UploadInfo, error) {
	first := make([]byte, o.partSize)
	n, err := io.ReadFull(in, first)
	opts := o.putOptions(t.key)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		opts.SendContentMd5 = true
		info, err := r.c.PutObject(ctx, t.bucket, t.key, bytes.NewReader(first[:n]), int64(n), opts)
		return info, r.wrap(err, t.bucket, t.key)
	case err != nil:
		return minio.UploadInfo{}, fmt.Errorf("reading standard input: %w", err)
	}
	opts.PartSize = uint64(o.partSize)
	opts.NumThreads = uint(o.concurrency)
	opts.ConcurrentStreamParts = o.concurrency > 1
	body := io.MultiReader(bytes.NewReader(first), in)
	info, err := r.c.PutObject(ctx, t.bucket, t.key, body, -1, opts)
	return info, r.wrap(err, t.bucket, t.key)
}

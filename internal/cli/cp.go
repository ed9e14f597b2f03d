package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

func (a *app) cpCommand() *cobra.Command {
	var tf transferFlags
	var recursive bool
	cmd := &cobra.Command{
		Use:   "cp SOURCE... TARGET",
		Short: "Copy files and objects",
		Long: `Copy files and objects: local to remote (upload), remote to local
(download), remote to remote (a server-side copy within one alias,
streamed through this machine between two aliases) and local to local.

Files of --part-size or more are uploaded in parallel parts; an upload cut
short is resumed by running the same command again (the server keeps the
parts it acknowledged). Objects of twice --part-size or more are
downloaded as parallel ranges. Neither reads a whole file into memory.

With --recursive, everything under each SOURCE folder or prefix is copied
under TARGET, keeping the relative paths. A TARGET ending in "/", a
bucket, an existing folder or several sources mean "copy into".
Content types come from file extensions unless --content-type is given;
a server-side copy keeps the source's metadata and tags unless --attr,
--content-type or --tags replace them.`,
		Example: `  hoard cp ./report.pdf local/docs/
  hoard cp --recursive ./photos local/backup/photos/
  hoard cp local/docs/report.pdf ./report-copy.pdf
  hoard cp local/docs/report.pdf local/archive/2026/report.pdf     # server-side
  hoard cp --attr owner=ana --tags 'project=x&tier=cold' big.iso local/isos/
  hoard cp --part-size 64MiB --concurrency 8 disk.img local/images/
  hoard cp --version-id 0190f1c2-8a4e-7d21-9b3c-5e6f7a8b9c0d local/backups/db.dump ./db.dump`,
		Args: a.args(2, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			return a.copyCommand(ctx, args, tf, recursive, false)
		}),
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "copy folders and prefixes with everything under them")
	cmd.Flags().StringVar(&tf.version, "version-id", "", "copy this version of the (one, remote) source object")
	tf.add(cmd.Flags(), true)
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

func (a *app) mvCommand() *cobra.Command {
	var tf transferFlags
	var recursive bool
	cmd := &cobra.Command{
		Use:   "mv SOURCE... TARGET",
		Short: "Move files and objects (copy, then remove the source)",
		Long: `Move files and objects: copy like 'hoard cp', then remove each source once
its copy succeeded. Within one alias the copy is server-side.`,
		Example: `  hoard mv local/inbox/report.pdf local/archive/report.pdf
  hoard mv --recursive local/inbox/ local/archive/2026/
  hoard mv ./upload.tar local/backups/`,
		Args: a.args(2, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			return a.copyCommand(ctx, args, tf, recursive, true)
		}),
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "move folders and prefixes with everything under them")
	tf.add(cmd.Flags(), true)
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// copyCommand runs cp and mv.
func (a *app) copyCommand(ctx context.Context, args []string, tf transferFlags, recursive, move bool) error {
	o, err := a.transferOptions(tf)
	if err != nil {
		return err
	}
	srcs := make([]target, 0, len(args)-1)
	for _, s := range args[:len(args)-1] {
		srcs = append(srcs, a.target(s))
	}
	if tf.version != "" {
		if move || recursive || len(srcs) != 1 || !srcs[0].isRemote() {
			return a.usage("cp: --version-id names a version of one remote object: one source, no --recursive")
		}
		srcs[0].version = tf.version
	}
	dst := a.target(args[len(args)-1])
	if dst.isRemote() && dst.bucket == "" {
		return a.usage("%s: name a bucket to copy into, as %s/BUCKET", dst.raw, dst.alias)
	}
	jobs, err := a.planCopy(ctx, srcs, dst, recursive)
	if err != nil {
		return err
	}
	op := "copy"
	if move {
		op = "move"
	}
	start := time.Now()
	n, err := a.execute(ctx, op, jobs, tf.parallel, o, func(j copyJob) error {
		if move {
			return a.removeSource(ctx, j.src)
		}
		return nil
	})
	if err == nil && len(jobs) > 1 {
		a.summary(op, len(jobs), n, start)
	}
	if err == nil && move && recursive {
		for _, s := range srcs {
			if fi, serr := os.Stat(s.local); !s.isRemote() && serr == nil && fi.IsDir() {
				cleanEmptyDirs(s.local)
			}
		}
	}
	return err
}

// execute runs jobs with a progress bar and reports each; after runs
// after each successful copy (mv removes the source there). It returns
// the bytes copied.
func (a *app) execute(ctx context.Context, op string, jobs []copyJob, parallel int, o transferOpts, after func(copyJob) error) (int64, error) {
	var total int64
	for _, j := range jobs {
		total += j.size
	}
	prog := a.newProgress(total, op)
	defer a.printer().setBar(nil)
	var firstErr atomic.Value
	var moved atomic.Int64
	failed := a.runJobs(ctx, jobs, parallel, o, prog, func(j copyJob, err error) {
		if err == nil {
			err = after(j)
		}
		res := copyResult{Status: "success", Op: op, Source: j.src.String(), Target: j.dst.String(), Size: j.size}
		if err != nil {
			firstErr.CompareAndSwap(nil, err)
			res.Status, res.Error = "error", err.Error()
			if a.jsonOut {
				a.printer().emit(res, "")
			} else if len(jobs) > 1 {
				fmt.Fprintf(a.opts.Stderr, "hoard: %v\n", err)
			}
			return
		}
		moved.Add(j.size)
		if !a.quiet {
			a.printer().emit(res, fmt.Sprintf("%s -> %s  (%s)", res.Source, res.Target, humanSize(j.size)))
		}
	})
	prog.finish()
	if err := ctx.Err(); err != nil {
		return moved.Load(), fmt.Errorf("%s interrupted: %w", op, err)
	}
	if failed > 0 {
		if len(jobs) == 1 {
			return moved.Load(), firstErr.Load().(error)
		}
		return moved.Load(), fmt.Errorf("%d of %d %s operations failed; the first: %w", failed, len(jobs), op, firstErr.Load().(error))
	}
	return moved.Load(), nil
}

// summary prints the totals of a multi-file transfer.
func (a *app) summary(op string, files int, bytes int64, start time.Time) {
	if a.quiet {
		return
	}
	el := time.Since(start)
	rate := float64(bytes) / max(el.Seconds(), 1e-3)
	a.printer().emit(map[string]any{"status": "success", "op": op + "-summary", "files": files, "bytes": bytes, "seconds": el.Seconds()},
		fmt.Sprintf("%d files, %s in %s (%s/s).", files, humanSize(bytes), el.Round(time.Millisecond), humanSize(int64(rate))))
}

// removeSource deletes a moved file or object.
func (a *app) removeSource(ctx context.Context, t target) error {
	if !t.isRemote() {
		if err := os.Remove(t.local); err != nil {
			return localError(err, t.local)
		}
		return nil
	}
	r, err := a.remote(t.alias)
	if err != nil {
		return err
	}
	return r.wrap(r.c.RemoveObject(ctx, t.bucket, t.key, minio.RemoveObjectOptions{}), t.bucket, t.key)
}

// planCopy expands the sources into copy jobs towards dst.
func (a *app) planCopy(ctx context.Context, srcs []target, dst target, recursive bool) ([]copyJob, error) {
	into := recursive || len(srcs) > 1 || dst.dirLike()
	if !dst.isRemote() {
		if fi, err := os.Stat(dst.local); err == nil && fi.IsDir() {
			into = true
		}
	}
	var jobs []copyJob
	for _, src := range srcs {
		if src.isRemote() && src.bucket == "" {
			return nil, a.usage("%s: name a bucket, as %s/BUCKET", src.raw, src.alias)
		}
		if recursive {
			js, err := a.planTree(ctx, src, dst)
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, js...)
			continue
		}
		j, err := a.planOne(ctx, src)
		if err != nil {
			return nil, err
		}
		j.dst = dst
		if into {
			j.dst = dst.child(src.base())
		}
		jobs = append(jobs, j)
	}
	for _, j := range jobs {
		if j.dst.isRemote() && j.dst.key == "" {
			return nil, a.usage("%s: name the object key to copy %s to", j.dst.raw, j.src.raw)
		}
	}
	return jobs, nil
}

// planOne describes a single file or object source.
func (a *app) planOne(ctx context.Context, src target) (copyJob, error) {
	if !src.isRemote() {
		fi, err := os.Stat(src.local)
		if err != nil {
			return copyJob{}, localError(err, src.local)
		}
		if fi.IsDir() {
			return copyJob{}, a.usage("%s is a folder: use --recursive", src.raw)
		}
		return copyJob{src: src, size: fi.Size(), modTime: fi.ModTime()}, nil
	}
	r, err := a.remote(src.alias)
	if err != nil {
		return copyJob{}, err
	}
	if src.key == "" || src.dirLike() {
		return copyJob{}, a.usage("%s is a bucket or prefix: use --recursive", src.raw)
	}
	info, err := r.statVersion(ctx, src.bucket, src.key, src.version)
	if err != nil {
		if errors.Is(err, ErrNotFound) && a.hasChildren(ctx, r, src) {
			return copyJob{}, a.usage("%s is a prefix: use --recursive", src.raw)
		}
		return copyJob{}, err
	}
	return copyJob{src: src, size: info.Size, modTime: info.LastModified, etag: info.ETag}, nil
}

// hasChildren reports whether objects exist under src's key as a prefix.
func (a *app) hasChildren(ctx context.Context, r *remote, src target) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range r.c.ListObjects(ctx, src.bucket, minio.ListObjectsOptions{Prefix: src.dirPrefix(), MaxKeys: 1}) {
		return obj.Err == nil
	}
	return false
}

// planTree lists everything under src for a recursive copy into dst.
func (a *app) planTree(ctx context.Context, src, dst target) ([]copyJob, error) {
	var jobs []copyJob
	err := a.walk(ctx, src, true, func(e entry) error {
		s := src
		if src.isRemote() {
			s = src.child(e.Rel)
		} else if fi, err := os.Stat(src.local); err == nil && fi.IsDir() {
			s = src.child(e.Rel)
		}
		jobs = append(jobs, copyJob{src: s, dst: dst.child(e.Rel), size: e.Size, modTime: e.ModTime, etag: e.ETag})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 && src.isRemote() && src.key != "" && !src.dirLike() {
		j, err := a.planOne(ctx, src)
		if err != nil {
			return nil, err
		}
		j.dst = dst.child(src.base())
		return []copyJob{j}, nil
	}
	if len(jobs) == 0 && src.isRemote() {
		r, err := a.remote(src.alias)
		if err != nil {
			return nil, err
		}
		if err := r.bucketExists(ctx, src.bucket); err != nil {
			return nil, err
		}
	}
	sort.Slice(jobs, func(i, k int) bool { return jobs[i].src.String() < jobs[k].src.String() })
	return jobs, nil
}

// cleanEmptyDirs removes the empty folders under root (best effort).
func cleanEmptyDirs(root string) {
	var dirs []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = os.Remove(dirs[i])
	}
}

package cli

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// Mirror comparison modes.
const (
	compareETag  = "etag"
	compareMtime = "mtime"
	compareSize  = "size"
)

// mirrorOpts are mirror's choices.
type mirrorOpts struct {
	compare   string
	overwrite bool
	remove    bool
	dryRun    bool
}

// mirrorPlan is what a mirror run will do.
type mirrorPlan struct {
	copies    []copyJob
	removes   []target
	differ    []string
	unchanged int
}

// mirrorResult reports one mirror action.
type mirrorResult struct {
	Status string `json:"status"`
	Op     string `json:"op"`
	Source string `json:"source,omitempty"`
	Target string `json:"target"`
	Size   int64  `json:"size,omitempty"`
	Reason string `json:"reason,omitempty"`
	DryRun bool   `json:"dryRun,omitempty"`
}

func (a *app) mirrorCommand() *cobra.Command {
	var tf transferFlags
	var mo mirrorOpts
	cmd := &cobra.Command{
		Use:   "mirror SOURCE TARGET",
		Short: "Make TARGET a copy of SOURCE (one-way sync)",
		Long: `Copy to TARGET what is missing there from SOURCE; both are a local folder
or a bucket/prefix. A file counts as unchanged when the sizes match and
then, by --compare:
  etag   the ETags match (local files are hashed as S3 would: MD5, or
         the multipart ETag for the part size the object shows)  [default]
  mtime  the source is not newer than the target
  size   sizes alone
Files that exist on both sides but differ are only replaced with
--overwrite (otherwise they are listed). --remove deletes what TARGET has
and SOURCE has not. --dry-run shows the plan and changes nothing. Running
mirror twice in a row transfers nothing the second time.`,
		Example: `  hoard mirror ./website local/www/
  hoard mirror --overwrite --remove ./website local/www/
  hoard mirror --dry-run local/photos/ ./photos-backup
  hoard mirror --compare mtime /srv/data local/data/`,
		Args: a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			o, err := a.transferOptions(tf)
			if err != nil {
				return err
			}
			switch mo.compare {
			case compareETag, compareMtime, compareSize:
			default:
				return a.usage("--compare %q: want etag, mtime or size", mo.compare)
			}
			return a.mirror(ctx, a.target(args[0]), a.target(args[1]), mo, o, tf.parallel)
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&mo.overwrite, "overwrite", false, "replace target files that differ from the source")
	f.BoolVar(&mo.remove, "remove", false, "delete target files the source does not have")
	f.BoolVar(&mo.dryRun, "dry-run", false, "show what would be done, change nothing")
	f.StringVar(&mo.compare, "compare", compareETag, "how to tell files apart: etag, mtime or size")
	tf.add(f, true)
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// mirror syncs dst to src.
func (a *app) mirror(ctx context.Context, src, dst target, mo mirrorOpts, o transferOpts, parallel int) error {
	for _, t := range []target{src, dst} {
		if t.isRemote() && t.bucket == "" {
			return a.usage("%s: name a bucket, as %s/BUCKET", t.raw, t.alias)
		}
	}
	if !src.isRemote() {
		if fi, err := os.Stat(src.local); err != nil {
			return localError(err, src.local)
		} else if !fi.IsDir() {
			return a.usage("%s: mirror takes folders; use 'hoard cp' for a file", src.raw)
		}
	}
	if err := a.ensureTarget(ctx, dst, mo.dryRun); err != nil {
		return err
	}
	start := time.Now()
	plan, err := a.planMirror(ctx, src, dst, mo, o.partSize)
	if err != nil {
		return err
	}
	for _, d := range plan.differ {
		a.printer().emit(mirrorResult{Status: "skipped", Op: "differs", Target: d, Reason: "exists and differs; --overwrite replaces it"},
			"Skipped "+d+": exists and differs (use --overwrite to replace).")
	}
	var copied int64
	if mo.dryRun {
		for _, j := range plan.copies {
			a.printer().emit(mirrorResult{Status: "success", Op: "copy", Source: j.src.String(), Target: j.dst.String(), Size: j.size, DryRun: true},
				fmt.Sprintf("Would copy %s -> %s  (%s)", j.src, j.dst, humanSize(j.size)))
		}
	} else if len(plan.copies) > 0 {
		copied, err = a.execute(ctx, "mirror", plan.copies, parallel, o, func(copyJob) error { return nil })
		if err != nil {
			return err
		}
	}
	for _, t := range plan.removes {
		if !mo.dryRun {
			if err := a.removeSource(ctx, t); err != nil {
				return err
			}
		}
		a.printer().emit(mirrorResult{Status: "success", Op: "remove", Target: t.String(), DryRun: mo.dryRun},
			map[bool]string{true: "Would remove ", false: "Removed "}[mo.dryRun]+t.String())
	}
	sum := map[string]any{
		"status": "success", "op": "mirror-summary", "copied": len(plan.copies), "bytes": copied,
		"removed": len(plan.removes), "unchanged": plan.unchanged, "differ": len(plan.differ),
		"dryRun": mo.dryRun, "seconds": time.Since(start).Seconds(),
	}
	verb := map[bool]string{true: "would copy", false: "copied"}[mo.dryRun]
	a.printer().emit(sum, fmt.Sprintf("mirror: %s %d (%s), removed %d, unchanged %d, differing and kept %d.",
		verb, len(plan.copies), humanSize(copied), len(plan.removes), plan.unchanged, len(plan.differ)))
	return nil
}

// ensureTarget creates a missing target bucket (not on a dry run).
func (a *app) ensureTarget(ctx context.Context, dst target, dryRun bool) error {
	if !dst.isRemote() {
		return nil
	}
	r, err := a.remote(dst.alias)
	if err != nil {
		return err
	}
	err = r.bucketExists(ctx, dst.bucket)
	if errors.Is(err, ErrNotFound) && !dryRun {
		if err := r.c.MakeBucket(ctx, dst.bucket, minio.MakeBucketOptions{Region: r.alias.Region}); err != nil {
			return r.wrap(err, dst.bucket, "")
		}
		return nil
	}
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// planMirror lists both sides and decides what to copy and remove.
func (a *app) planMirror(ctx context.Context, src, dst target, mo mirrorOpts, partSize int64) (mirrorPlan, error) {
	have := map[string]entry{}
	err := a.walk(ctx, dst, true, func(e entry) error {
		have[e.Rel] = e
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return mirrorPlan{}, err
	}
	var plan mirrorPlan
	err = a.walk(ctx, src, true, func(e entry) error {
		d, ok := have[e.Rel]
		delete(have, e.Rel)
		s, t := src.child(e.Rel), dst.child(e.Rel)
		job := copyJob{src: s, dst: t, size: e.Size, modTime: e.ModTime, etag: e.ETag}
		if !ok {
			plan.copies = append(plan.copies, job)
			return nil
		}
		same, err := sameContent(mo.compare, s, e, t, d, partSize)
		if err != nil {
			return err
		}
		switch {
		case same:
			plan.unchanged++
		case mo.overwrite:
			plan.copies = append(plan.copies, job)
		default:
			plan.differ = append(plan.differ, t.String())
		}
		return nil
	})
	if err != nil {
		return mirrorPlan{}, err
	}
	if mo.remove {
		for rel := range have {
			plan.removes = append(plan.removes, dst.child(rel))
		}
		sort.Slice(plan.removes, func(i, j int) bool { return plan.removes[i].String() < plan.removes[j].String() })
	}
	return plan, nil
}

// sameContent decides whether source entry se (at s) and target entry de
// (at t) hold the same content under mode.
func sameContent(mode string, s target, se entry, t target, de entry, partSize int64) (bool, error) {
	if se.Size != de.Size {
		return false, nil
	}
	switch mode {
	case compareSize:
		return true, nil
	case compareMtime:
		return !se.ModTime.After(de.ModTime), nil
	}
	switch {
	case s.isRemote() && t.isRemote():
		return se.ETag == de.ETag, nil
	case s.isRemote():
		return localMatchesETag(t.local, de.Size, se.ETag, partSize)
	case t.isRemote():
		return localMatchesETag(s.local, se.Size, de.ETag, partSize)
	}
	a, err := localMD5(s.local)
	if err != nil {
		return false, err
	}
	b, err := localMD5(t.local)
	return err == nil && a == b, err
}

// standardPartSizes are part sizes common S3 tools use, tried when an
// object's multipart ETag was not made with this run's part size.
var standardPartSizes = []int64{5 << 20, 8 << 20, 10 << 20, 15 << 20, 16 << 20, 32 << 20, 50 << 20, 64 << 20, 100 << 20, 128 << 20, 256 << 20, 512 << 20}

// localMatchesETag reports whether the local file (size bytes) would have
// the S3 ETag etag: its MD5 for a single-part object, or for "HASH-N" the
// MD5 of its N part MD5s for a part size that gives N parts (this run's
// part size first, then common ones).
func localMatchesETag(p string, size int64, etag string, partSize int64) (bool, error) {
	etag = strings.Trim(etag, `"`)
	hash, count, multi := strings.Cut(etag, "-")
	if !multi {
		sum, err := localMD5(p)
		return err == nil && sum == hash, err
	}
	n, err := strconv.ParseInt(count, 10, 64)
	if err != nil || n < 1 {
		return false, nil
	}
	tried := map[int64]bool{}
	for _, ps := range append([]int64{partSize, (size + n - 1) / n}, standardPartSizes...) {
		if ps <= 0 || tried[ps] || (size+ps-1)/ps != n {
			continue
		}
		tried[ps] = true
		got, err := multipartETag(p, ps)
		if err != nil {
			return false, err
		}
		if got == etag {
			return true, nil
		}
	}
	return false, nil
}

// localMD5 returns the hex MD5 of a file.
func localMD5(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", localError(err, p)
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// multipartETag returns the S3 multipart ETag of a file uploaded in
// parts of partSize: hex MD5 of the concatenated part MD5s, "-", count.
func multipartETag(p string, partSize int64) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", localError(err, p)
	}
	defer f.Close()
	all := md5.New()
	n := 0
	for {
		h := md5.New()
		c, err := io.CopyN(h, f, partSize)
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		if c == 0 && n > 0 {
			break
		}
		all.Write(h.Sum(nil))
		n++
		if c < partSize {
			break
		}
	}
	return hex.EncodeToString(all.Sum(nil)) + "-" + strconv.Itoa(n), nil
}

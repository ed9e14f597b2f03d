package cli

import (
	"context"
	"path"
	"time"

	"github.com/spf13/cobra"
)

// findFilter selects entries for find.
type findFilter struct {
	name                 string
	larger, smaller      int64
	olderThan, newerThan time.Duration
	now                  time.Time
}

// match reports whether e passes every condition that is set.
func (f findFilter) match(e entry) bool {
	if f.name != "" {
		if ok, _ := path.Match(f.name, path.Base(e.Rel)); !ok {
			return false
		}
	}
	if f.larger > 0 && e.Size <= f.larger {
		return false
	}
	if f.smaller > 0 && e.Size >= f.smaller {
		return false
	}
	if f.olderThan > 0 && !e.ModTime.Before(f.now.Add(-f.olderThan)) {
		return false
	}
	if f.newerThan > 0 && !e.ModTime.After(f.now.Add(-f.newerThan)) {
		return false
	}
	return true
}

func (a *app) findCommand() *cobra.Command {
	var name, larger, smaller, older, newer string
	cmd := &cobra.Command{
		Use:   "find TARGET",
		Short: "Find objects or files by name, size and age",
		Long: `Find objects (or files) under a bucket, prefix or folder. --name matches
the last path element against a shell pattern (*, ?, [a-z]); sizes take
units (10MiB, 1GB); ages take s, m, h, d and w (90d, 2w, 12h). All given
conditions must hold. Prints one path per line.`,
		Example: `  hoard find local/photos --name '*.jpg'
  hoard find local/backups --larger 1GiB --older-than 90d
  hoard find ./data --newer-than 1h --json`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			f := findFilter{name: name, now: time.Now()}
			var err error
			if f.name != "" {
				if _, err := path.Match(f.name, ""); err != nil {
					return a.usage("--name %q: %v", name, err)
				}
			}
			if larger != "" {
				if f.larger, err = parseSize(larger); err != nil {
					return a.usage("--larger: %v", err)
				}
			}
			if smaller != "" {
				if f.smaller, err = parseSize(smaller); err != nil {
					return a.usage("--smaller: %v", err)
				}
			}
			if older != "" {
				if f.olderThan, err = parseDuration(older); err != nil {
					return a.usage("--older-than: %v", err)
				}
			}
			if newer != "" {
				if f.newerThan, err = parseDuration(newer); err != nil {
					return a.usage("--newer-than: %v", err)
				}
			}
			t := a.target(args[0])
			if t.isRemote() && t.bucket == "" {
				return a.usage("%s: name a bucket, as %s/BUCKET", t.raw, t.alias)
			}
			return a.walk(ctx, t, true, func(e entry) error {
				if !f.match(e) {
					return nil
				}
				full := t.child(e.Rel).String()
				it := listItem{Status: "success", Type: "file", Key: full, Size: e.Size, LastModified: e.ModTime, ETag: e.ETag}
				a.printer().emit(it, full)
				return nil
			})
		}),
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "shell pattern for the last path element")
	f.StringVar(&larger, "larger", "", "only larger than this size")
	f.StringVar(&smaller, "smaller", "", "only smaller than this size")
	f.StringVar(&older, "older-than", "", "only modified longer ago than this")
	f.StringVar(&newer, "newer-than", "", "only modified more recently than this")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

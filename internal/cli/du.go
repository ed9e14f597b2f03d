package cli

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// duLine is one line of du.
type duLine struct {
	Status  string `json:"status"`
	Prefix  string `json:"prefix"`
	Size    int64  `json:"size"`
	Objects int64  `json:"objects"`
	Total   bool   `json:"total,omitempty"`
}

func (a *app) duCommand() *cobra.Command {
	var depth int
	cmd := &cobra.Command{
		Use:   "du TARGET...",
		Short: "Summarize space used under buckets, prefixes or folders",
		Long: `Summarize the bytes and objects under a bucket, prefix or folder: one
line per sub-prefix down to --depth levels (1 by default; 0 prints only
the total), then the total.`,
		Example: `  hoard du local/photos
  hoard du --depth 2 local/photos/
  hoard du --depth 0 --json local/backups`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			if depth < 0 {
				return a.usage("--depth %d: must not be negative", depth)
			}
			for _, arg := range args {
				if err := a.du(ctx, a.target(arg), depth); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	cmd.Flags().IntVarP(&depth, "depth", "d", 1, "prefix levels to show")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// du prints the usage under one target.
func (a *app) du(ctx context.Context, t target, depth int) error {
	if t.isRemote() && t.bucket == "" {
		return a.usage("%s: name a bucket, as %s/BUCKET", t.raw, t.alias)
	}
	type sum struct{ size, objects int64 }
	groups := map[string]*sum{}
	var total sum
	err := a.walk(ctx, t, true, func(e entry) error {
		total.size += e.Size
		total.objects++
		if depth == 0 {
			return nil
		}
		parts := strings.Split(e.Rel, "/")
		if len(parts) <= 1 {
			return nil
		}
		for d := 1; d <= depth && d < len(parts); d++ {
			g := strings.Join(parts[:d], "/") + "/"
			s := groups[g]
			if s == nil {
				s = &sum{}
				groups[g] = s
			}
			s.size += e.Size
			s.objects++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if t.isRemote() && total.objects == 0 {
		r, err := a.remote(t.alias)
		if err != nil {
			return err
		}
		if err := r.bucketExists(ctx, t.bucket); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	root := t.String()
	if t.isRemote() {
		root = strings.TrimSuffix(root, "/") + "/"
	}
	for _, g := range names {
		s := groups[g]
		full := root + g
		if !t.isRemote() {
			full = path.Join(t.local, g) + "/"
		}
		a.printer().emit(duLine{Status: "success", Prefix: full, Size: s.size, Objects: s.objects},
			fmt.Sprintf("%10s  %8d objects  %s", humanSize(s.size), s.objects, full))
	}
	a.printer().emit(duLine{Status: "success", Prefix: root, Size: total.size, Objects: total.objects, Total: true},
		fmt.Sprintf("%10s  %8d objects  %s (total)", humanSize(total.size), total.objects, root))
	return nil
}

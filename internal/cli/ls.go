package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// listItem is one line of ls.
type listItem struct {
	Status       string    `json:"status"`
	Type         string    `json:"type"`
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified,omitzero"`
	ETag         string    `json:"etag,omitempty"`
	VersionID    string    `json:"versionId,omitempty"`
	IsLatest     bool      `json:"isLatest,omitempty"`
	DeleteMarker bool      `json:"deleteMarker,omitempty"`
}

func (a *app) lsCommand() *cobra.Command {
	var recursive, versions bool
	cmd := &cobra.Command{
		Use:     "ls TARGET...",
		Aliases: []string{"list"},
		Short:   "List buckets, objects, or local files",
		Long: `List the buckets of an alias, the objects under a bucket or prefix
(one level, or all with --recursive), or local files. Sizes are human
readable and dates are UTC; --json gives exact bytes and RFC 3339 times.`,
		Example: `  hoard ls local                     # buckets
  hoard ls local/photos              # top level of a bucket
  hoard ls -r local/photos/2026/     # everything under a prefix
  hoard ls --versions local/photos   # every version and delete marker
  hoard ls ./folder`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			for _, arg := range args {
				if err := a.list(ctx, a.target(arg), recursive, versions); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "list everything under the prefix or folder")
	cmd.Flags().BoolVar(&versions, "versions", false, "list every object version and delete marker")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// list prints one target's listing.
func (a *app) list(ctx context.Context, t target, recursive, versions bool) error {
	if t.isRemote() && t.bucket == "" {
		return a.listBuckets(ctx, t)
	}
	if !t.isRemote() {
		return walkLocal(t.local, recursive, func(e entry) error {
			a.printItem(e, false)
			return nil
		})
	}
	r, err := a.remote(t.alias)
	if err != nil {
		return err
	}
	prefix := t.key
	// "ALIAS/b/dir" lists inside dir/ when dir/ is a prefix, like a folder.
	if prefix != "" && !strings.HasSuffix(prefix, "/") && !recursive {
		var only []entry
		err := r.walk(ctx, t.bucket, prefix, false, false, func(e entry) error {
			only = append(only, e)
			if len(only) > 1 {
				return errStopWalk
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopWalk) {
			return err
		}
		if len(only) == 1 && only[0].IsPrefix && only[0].Rel == "/" {
			prefix += "/"
		}
	} else if prefix != "" && !strings.HasSuffix(prefix, "/") && recursive {
		prefix = t.dirPrefix()
	}
	base := prefix[:strings.LastIndex(prefix, "/")+1]
	n := 0
	err = r.walk(ctx, t.bucket, prefix, recursive, versions, func(e entry) error {
		n++
		e.Rel = (prefix + e.Rel)[len(base):]
		a.printItem(e, versions)
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		if err := r.bucketExists(ctx, t.bucket); err != nil {
			return err
		}
		if t.key != "" {
			return newError(ErrNotFound, nil, "%s: no objects under this prefix", t)
		}
	}
	return nil
}

// errStopWalk ends a walk early without an error.
var errStopWalk = errors.New("cli: stop walk")

// printItem prints an entry as an ls line.
func (a *app) printItem(e entry, versions bool) {
	it := listItem{Status: "success", Type: "file", Key: e.Rel, Size: e.Size, LastModified: e.ModTime, ETag: e.ETag}
	if e.IsPrefix {
		it.Type = "folder"
	}
	if versions {
		it.VersionID, it.IsLatest, it.DeleteMarker = e.VersionID, e.IsLatest, e.DeleteMarker
	}
	var human string
	switch {
	case e.IsPrefix:
		human = fmt.Sprintf(" %s   %9s  %s", humanTime(time.Time{}), "PRE", e.Rel)
	case versions:
		v := e.VersionID
		if v == "" {
			v = "null"
		}
		flag := ""
		if e.IsLatest {
			flag = " (latest)"
		}
		if e.DeleteMarker {
			flag += " (delete marker)"
		}
		human = fmt.Sprintf("[%s]  %9s  %s  v=%s%s", humanTime(e.ModTime), humanSize(e.Size), e.Rel, v, flag)
	default:
		human = fmt.Sprintf("[%s]  %9s  %s", humanTime(e.ModTime), humanSize(e.Size), e.Rel)
	}
	a.printer().emit(it, human)
}

// listBuckets prints an alias's buckets.
func (a *app) listBuckets(ctx context.Context, t target) error {
	r, err := a.remote(t.alias)
	if err != nil {
		return err
	}
	buckets, err := r.c.ListBuckets(ctx)
	if err != nil {
		return r.wrap(err, "", "")
	}
	for _, b := range buckets {
		it := listItem{Status: "success", Type: "bucket", Key: b.Name, LastModified: b.CreationDate}
		a.printer().emit(it, fmt.Sprintf("[%s]  %9s  %s/", humanTime(b.CreationDate), "0 B", b.Name))
	}
	return nil
}

package cli

import (
	"context"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// Completion limits: it runs on every Tab press, so it must be quick.
const (
	completeTimeout = 3 * time.Second
	completeMax     = 500
)

// completePaths completes ALIAS/BUCKET/PREFIX arguments for the shells:
// alias names, then bucket names, then keys one level at a time. Words
// that are not remote paths fall back to file name completion.
func (a *app) completePaths(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	st, err := a.store()
	if err != nil {
		return nil, cobra.ShellCompDirectiveDefault
	}
	first, rest, hasSlash := strings.Cut(toComplete, "/")
	if !hasSlash {
		all, err := st.aliases()
		if err != nil {
			return nil, cobra.ShellCompDirectiveDefault
		}
		var out []string
		for _, na := range all {
			if strings.HasPrefix(na.Name, toComplete) {
				out = append(out, na.Name+"/")
			}
		}
		if len(out) == 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return out, cobra.ShellCompDirectiveNoSpace
	}
	if !a.isAlias(first) {
		return nil, cobra.ShellCompDirectiveDefault
	}
	r, err := a.remote(first)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	bucket, prefix, hasKey := strings.Cut(rest, "/")
	var out []string
	if !hasKey {
		buckets, err := r.c.ListBuckets(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		for _, b := range buckets {
			if strings.HasPrefix(b.Name, bucket) {
				out = append(out, first+"/"+b.Name+"/")
			}
		}
		return out, cobra.ShellCompDirectiveNoSpace
	}
	for obj := range r.c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix}) {
		if obj.Err != nil || len(out) >= completeMax {
			break
		}
		out = append(out, first+"/"+bucket+"/"+obj.Key)
	}
	return out, cobra.ShellCompDirectiveNoSpace
}

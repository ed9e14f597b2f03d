package cli

import (
	"path"
	"path/filepath"
	"strings"
)

// target is a command-line path: either ALIAS/bucket/key on a remote, or
// a local file or folder.
type target struct {
	// raw is the argument as given.
	raw string
	// alias, bucket and key address a remote object or prefix; alias is
	// empty for local targets.
	alias, bucket, key string
	// local is the local path.
	local string
	// version, when set, is the version of a remote object a copy reads
	// (cp --version-id).
	version string
}

// isRemote reports whether t names a remote.
func (t target) isRemote() bool { return t.alias != "" }

// String returns the target for messages: ALIAS/bucket/key or the path.
func (t target) String() string {
	if !t.isRemote() {
		return t.local
	}
	s := t.alias
	if t.bucket != "" {
		s += "/" + t.bucket
	}
	if t.key != "" {
		s += "/" + t.key
	}
	return s
}

// dirLike reports whether t was written as a folder or prefix: a trailing
// slash, or a bare alias or bucket.
func (t target) dirLike() bool {
	if t.isRemote() {
		return t.key == "" || strings.HasSuffix(t.key, "/")
	}
	return strings.HasSuffix(t.raw, "/") || strings.HasSuffix(t.raw, string(filepath.Separator))
}

// child returns the target for rel ('/'-separated) inside t taken as a
// folder or prefix.
func (t target) child(rel string) target {
	c := t
	if t.isRemote() {
		if t.bucket == "" {
			b, k, _ := strings.Cut(rel, "/")
			c.bucket, c.key = b, k
		} else {
			c.key = joinKey(t.key, rel)
		}
		c.raw = c.String()
		return c
	}
	c.local = filepath.Join(t.local, filepath.FromSlash(rel))
	c.raw = c.local
	return c
}

// base returns the last element of t's key or path.
func (t target) base() string {
	if t.isRemote() {
		k := strings.TrimSuffix(t.key, "/")
		if k == "" {
			return t.bucket
		}
		return path.Base(k)
	}
	return filepath.Base(t.local)
}

// dirPrefix returns t's key as a prefix ending in "/" ("" for a bucket).
func (t target) dirPrefix() string {
	if t.key == "" || strings.HasSuffix(t.key, "/") {
		return t.key
	}
	return t.key + "/"
}

// joinKey joins a prefix and a relative key with exactly one slash.
func joinKey(prefix, rel string) string {
	if prefix == "" {
		return rel
	}
	return strings.TrimSuffix(prefix, "/") + "/" + rel
}

// parseTarget classifies arg: ALIAS/bucket/key when its first element is
// a known alias (and it does not start with /, ./, ../ or ~), otherwise a
// local path.
func parseTarget(arg string, isAlias func(string) bool) target {
	if arg == "" || strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") || strings.HasPrefix(arg, "~") {
		return target{raw: arg, local: filepath.Clean(arg)}
	}
	first, rest, _ := strings.Cut(arg, "/")
	if !isAlias(first) {
		return target{raw: arg, local: filepath.Clean(arg)}
	}
	bucket, key, _ := strings.Cut(rest, "/")
	return target{raw: arg, alias: first, bucket: bucket, key: key}
}

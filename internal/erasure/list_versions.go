package erasure

import (
	"context"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// ListObjectVersions returns one page of every version and delete marker
// of a bucket, by key and, within a key, newest first. A key holds at
// least one version, so one walk of MaxKeys names (one more when the page
// starts inside a key) fills a page; each record is decoded lightly
// (meta.DecodeVersions: no metadata, tags or part lists).
func (l *Layer) ListObjectVersions(ctx context.Context, bucket string, opts storage.ListVersionsOptions) (storage.ListVersionsResult, error) {
	if !storage.ValidBucketName(bucket) {
		return storage.ListVersionsResult{}, fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	info, err := l.bucketInfo(ctx, bucket)
	if err != nil {
		return storage.ListVersionsResult{}, err
	}
	st, err := versioningOf(info)
	if err != nil {
		return storage.ListVersionsResult{}, err
	}
	limit := opts.MaxKeys
	if limit <= 0 || limit > maxListKeys {
		limit = maxListKeys
	}
	start, ok := listStart(opts.Prefix, opts.Delimiter, opts.KeyMarker)
	inside := opts.VersionIDMarker != "" && opts.KeyMarker != ""
	if inside {
		start, ok = opts.KeyMarker, true // resume within the marker's key
	}
	if !ok {
		return storage.ListVersionsResult{}, nil
	}
	walk := drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(bucket), Prefix: opts.Prefix, Delimiter: opts.Delimiter, Start: start, Limit: limit + 1}
	entries, truncated, err := l.walkMergedChoose(ctx, walk, agreedRecord)
	if err != nil {
		return storage.ListVersionsResult{}, err
	}
	return versionsPage(bucket, entries, truncated, opts, limit, st != meta.Unversioned)
}

// versionsPage turns a merged walk into a page of at most limit versions
// and common prefixes, skipping the versions of the key marker up to and
// including the version ID marker.
func versionsPage(bucket string, entries []drive.WalkEntry, truncated bool, opts storage.ListVersionsOptions, limit int, versioned bool) (storage.ListVersionsResult, error) {
	var res storage.ListVersionsResult
	count := 0
	full := func() bool { return count == limit }
	for ei, e := range entries {
		if full() {
			res.IsTruncated = true
			return res, nil
		}
		if e.IsPrefix {
			if e.Name == opts.KeyMarker {
				continue // the marker's prefix was listed on an earlier page
			}
			res.CommonPrefixes = append(res.CommonPrefixes, e.Name)
			res.NextKeyMarker, res.NextVersionIDMarker = e.Name, ""
			count++
			continue
		}
		vs, err := meta.DecodeVersions(e.Value)
		if err != nil {
			return storage.ListVersionsResult{}, fmt.Errorf("erasure: list versions %s/%s: %w", bucket, e.Name, err)
		}
		from := 0
		if opts.VersionIDMarker != "" && e.Name == opts.KeyMarker {
			from = len(vs) // a marker no longer in the record: past the key
			want := opts.VersionIDMarker
			if want == meta.NullVersionID {
				want = ""
			}
			for i := range vs {
				if vs[i].ID == want {
					from = i + 1
					break
				}
			}
		}
		for i := from; i < len(vs); i++ {
			if full() {
				res.IsTruncated = true
				return res, nil
			}
			info := versionInfo(bucket, e.Name, &vs[i], i == 0)
			info.Versioned = versioned || len(vs) > 1 || vs[i].ID != ""
			res.Versions = append(res.Versions, info)
			res.NextKeyMarker, res.NextVersionIDMarker = e.Name, versionIDOut(vs[i].ID)
			count++
		}
		if ei == len(entries)-1 && from == len(vs) {
			res.NextKeyMarker, res.NextVersionIDMarker = e.Name, ""
		}
	}
	res.IsTruncated = truncated
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = "", ""
	}
	return res, nil
}

// versionIDOut is a version ID as a marker names it: "null" for "".
func versionIDOut(id string) string {
	if id == "" {
		return meta.NullVersionID
	}
	return id
}

// agreedRecord picks, among the drives' entries for one name, the record
// whose every version (ID, data, time, marker flag, ETag) most drives
// agree on, so a drive that missed the removal of an old version cannot
// show it in a version listing; a tie goes to the newer newest version.
func agreedRecord(same []drive.WalkEntry) drive.WalkEntry {
	if len(same) == 1 || same[0].IsPrefix || same[0].Value == nil {
		return same[0]
	}
	type vote struct {
		vs           []meta.Version
		count, entry int
	}
	votes := make([]vote, 0, 2)
	for i := range same {
		vs, err := meta.DecodeVersions(same[i].Value)
		if err != nil || len(vs) == 0 {
			continue
		}
		found := false
		for j := range votes {
			if sameVersions(votes[j].vs, vs) {
				votes[j].count++
				found = true
				break
			}
		}
		if !found {
			votes = append(votes, vote{vs: vs, count: 1, entry: i})
		}
	}
	if len(votes) == 0 {
		return same[0]
	}
	best := 0
	for i := 1; i < len(votes); i++ {
		b := &votes[best]
		if votes[i].count > b.count || (votes[i].count == b.count && votes[i].vs[0].ModTime.After(b.vs[0].ModTime)) {
			best = i
		}
	}
	return same[votes[best].entry]
}

// sameVersions reports whether two drives' records hold the same writes.
func sameVersions(a, b []meta.Version) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.ID != y.ID || x.DataDir != y.DataDir || !x.ModTime.Equal(y.ModTime) || x.DeleteMarker != y.DeleteMarker || x.ETag != y.ETag {
			return false
		}
	}
	return true
}

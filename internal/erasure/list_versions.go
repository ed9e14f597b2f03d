package erasure

import (
	"context"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// ListObjectVersions returns one page of every version and delete marker
// of a bucket, by key and, within a key, newest first. Keys hold one
// version or many, so it walks in batches sized by what it has seen (16
// names first, then as many as the versions still missing need at the
// average number of versions per key so far) until the page is full: a
// page decodes about the records it shows, not MaxKeys records of any
// length. Records are decoded lightly (meta.DecodeVersions: no metadata,
// tags or part lists).
func (l *Layer) ListObjectVersions(ctx context.Context, bucket string, opts storage.ListVersionsOptions) (storage.ListVersionsResult, error) {
	return l.listVersions(ctx, bucket, opts, func(o drive.WalkOptions) ([]drive.WalkEntry, bool, error) {
		return l.walkMergedChoose(ctx, o, agreedRecord)
	})
}

// listVersions is ListObjectVersions over the records walk finds.
func (l *Layer) listVersions(ctx context.Context, bucket string, opts storage.ListVersionsOptions, walkFn func(drive.WalkOptions) ([]drive.WalkEntry, bool, error)) (storage.ListVersionsResult, error) {
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
	if opts.VersionIDMarker != "" && opts.KeyMarker != "" {
		start, ok = opts.KeyMarker, true // resume within the marker's key
	}
	if !ok {
		return storage.ListVersionsResult{}, nil
	}
	p := versionsPager{bucket: bucket, opts: opts, limit: limit, versioned: st != meta.Unversioned}
	walk := drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(bucket), Prefix: opts.Prefix, Delimiter: opts.Delimiter, Start: start, Limit: min(limit+1, firstVersionsBatch)}
	for range maxPages {
		entries, truncated, err := walkFn(walk)
		if err != nil {
			return storage.ListVersionsResult{}, err
		}
		full, err := p.add(entries)
		if err != nil {
			return storage.ListVersionsResult{}, err
		}
		if full || (p.count == p.limit && truncated) {
			p.res.IsTruncated = true
			return p.res, nil
		}
		if !truncated || len(entries) == 0 {
			break
		}
		if walk.Start, ok = listStart(opts.Prefix, opts.Delimiter, entries[len(entries)-1].Name); !ok {
			break
		}
		walk.Limit = p.nextBatch()
	}
	p.res.IsTruncated = false
	p.res.NextKeyMarker, p.res.NextVersionIDMarker = "", ""
	return p.res, nil
}

// firstVersionsBatch is how many names a version listing walks first.
const firstVersionsBatch = 16

// nextBatch is how many names to walk next: enough for the versions the
// page still lacks at the average number of versions per key seen so far,
// one more for a key cut short, and never fewer than firstVersionsBatch.
func (p *versionsPager) nextBatch() int {
	missing := p.limit - p.count
	perKey := 1
	if p.keys > 0 {
		perKey = max(1, p.versions/p.keys)
	}
	return min(p.limit+1, max(firstVersionsBatch, missing/perKey+1))
}

// versionsPager fills a page of a version listing from walked records,
// skipping the versions of the key marker up to and including the
// version ID marker.
type versionsPager struct {
	bucket    string
	opts      storage.ListVersionsOptions
	limit     int
	versioned bool
	res       storage.ListVersionsResult
	count     int
	// keys and versions count the records decoded and their versions.
	keys, versions int
}

// add adds the versions and common prefixes of entries to the page and
// reports whether it filled the page with more left to list.
func (p *versionsPager) add(entries []drive.WalkEntry) (full bool, err error) {
	for _, e := range entries {
		if p.count == p.limit {
			return true, nil
		}
		if e.IsPrefix {
			if e.Name == p.opts.KeyMarker {
				continue // the marker's prefix was listed on an earlier page
			}
			p.res.CommonPrefixes = append(p.res.CommonPrefixes, e.Name)
			p.res.NextKeyMarker, p.res.NextVersionIDMarker = e.Name, ""
			p.count++
			continue
		}
		vs, err := meta.DecodeVersions(e.Value)
		if err != nil {
			return false, fmt.Errorf("erasure: list versions %s/%s: %w", p.bucket, e.Name, err)
		}
		p.keys, p.versions = p.keys+1, p.versions+len(vs)
		from := 0
		if p.opts.VersionIDMarker != "" && e.Name == p.opts.KeyMarker {
			from = len(vs) // a marker no longer in the record: past the key
			want := p.opts.VersionIDMarker
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
			if p.count == p.limit {
				return true, nil
			}
			info := versionInfo(p.bucket, e.Name, &vs[i], i == 0)
			info.Versioned = p.versioned || len(vs) > 1 || vs[i].ID != ""
			p.res.Versions = append(p.res.Versions, info)
			p.res.NextKeyMarker, p.res.NextVersionIDMarker = e.Name, versionIDOut(vs[i].ID)
			p.count++
		}
	}
	return false, nil
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
	// Usually every drive holds the same writes: compare bytes (all but
	// the erasure indexes), and decode only when they differ.
	if allSameAs(same, meta.SameRecordEncoding) {
		return same[0]
	}
	return mostAgreed(same, func(b []byte) ([]meta.Version, bool) {
		vs, err := meta.DecodeVersions(b)
		return vs, err == nil && len(vs) > 0
	}, func(a, b *[]meta.Version) bool { return sameVersions(*a, *b) },
		func(vs *[]meta.Version) time.Time { return (*vs)[0].ModTime })
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

package erasure

import (
	"context"
	"fmt"
	"strings"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// maxListKeys is the largest page S3 returns.
const maxListKeys = 1000

// listStart turns an exclusive marker into the inclusive start name of a
// walk. A marker inside a common prefix (as NextMarker is when a page
// ended on one) skips the whole prefix. ok is false when nothing can
// follow the marker.
func listStart(prefix, delimiter, marker string) (start string, ok bool) {
	if marker == "" {
		return "", true
	}
	if delimiter != "" && strings.HasPrefix(marker, prefix) {
		if i := strings.Index(marker[len(prefix):], delimiter); i >= 0 {
			next := drive.Successor(marker[:len(prefix)+i+len(delimiter)])
			return next, next != ""
		}
	}
	return marker + "\x00", true
}

// ListObjects returns one page of a bucket listing. Each set walks at most
// one page from its position (skipping common prefixes by seeking), and
// the sets' pages are merged, so a page costs the same anywhere in the
// bucket.
func (l *Layer) ListObjects(ctx context.Context, bucket string, opts storage.ListOptions) (storage.ListResult, error) {
	if !storage.ValidBucketName(bucket) {
		return storage.ListResult{}, fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		return storage.ListResult{}, err
	}
	limit := opts.MaxKeys
	if limit <= 0 || limit > maxListKeys {
		limit = maxListKeys
	}
	start, ok := listStart(opts.Prefix, opts.Delimiter, opts.Marker)
	if !ok {
		return storage.ListResult{}, nil
	}
	walk := drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(bucket), Prefix: opts.Prefix, Delimiter: opts.Delimiter, Start: start, Limit: limit, Newest: true}
	var res storage.ListResult
	// Keys whose newest version is a delete marker are not listed: while
	// they leave the page short, walk on from its end (a bucket without
	// delete markers walks once).
	for range maxPages {
		entries, truncated, err := l.walkMerged(ctx, walk)
		if err != nil {
			return storage.ListResult{}, err
		}
		page, err := listPage(bucket, entries)
		if err != nil {
			return storage.ListResult{}, err
		}
		if res.Objects == nil && res.CommonPrefixes == nil {
			res.Objects, res.CommonPrefixes = page.Objects, page.CommonPrefixes
		} else {
			res.Objects = append(res.Objects, page.Objects...)
			res.CommonPrefixes = append(res.CommonPrefixes, page.CommonPrefixes...)
		}
		if page.NextMarker != "" {
			res.NextMarker = page.NextMarker
		}
		res.IsTruncated = truncated
		left := limit - len(res.Objects) - len(res.CommonPrefixes)
		if !truncated || left <= 0 || len(entries) == 0 {
			break
		}
		if walk.Start, ok = listStart(opts.Prefix, opts.Delimiter, page.NextMarker); !ok {
			res.IsTruncated = false
			break
		}
		walk.Limit = left
	}
	if !res.IsTruncated {
		res.NextMarker = ""
	}
	return res, nil
}

// listPage turns a merged walk into a listing page. Each record is read in
// place (meta.DecodeListed) and the strings of the whole page (ETags,
// version IDs, storage classes, checksums) are copied into one string,
// so a page of 1,000 objects costs a handful of allocations instead of
// several per object.
func listPage(bucket string, entries []drive.WalkEntry) (storage.ListResult, error) {
	var res storage.ListResult
	objs := make([]storage.ObjectInfo, 0, len(entries))
	lens := make([][6]uint32, 0, len(entries)) // of each object's strings in text, in order
	text := make([]byte, 0, 48*len(entries))
	for _, e := range entries {
		res.NextMarker = e.Name
		if e.IsPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, e.Name)
			continue
		}
		v, ok, err := meta.DecodeListed(e.Value)
		if err != nil {
			return storage.ListResult{}, fmt.Errorf("erasure: list %s/%s: %w", bucket, e.Name, err)
		}
		if !ok || v.DeleteMarker {
			continue
		}
		objs = append(objs, storage.ObjectInfo{Bucket: bucket, Key: e.Name, IsLatest: true, Size: v.Size, ModTime: v.ModTime})
		fields := [6][]byte{v.ID, v.ETag, v.StorageClass, v.ChecksumAlgorithm, v.ChecksumType, v.ChecksumValue}
		var l [6]uint32
		for i, f := range fields {
			text = append(text, f...)
			l[i] = uint32(len(f))
		}
		lens = append(lens, l)
	}
	all, at := string(text), 0
	next := func(n uint32) string {
		at += int(n)
		return all[at-int(n) : at]
	}
	for i := range objs {
		o, l := &objs[i], &lens[i]
		o.VersionID, o.ETag, o.StorageClass = next(l[0]), next(l[1]), next(l[2])
		if o.StorageClass == "" {
			o.StorageClass = "STANDARD"
		}
		o.Checksum.Algorithm = storage.ChecksumAlgorithm(next(l[3]))
		o.Checksum.Type = storage.ChecksumType(next(l[4]))
		o.Checksum.Value = next(l[5])
	}
	res.Objects = objs
	return res, nil
}

// walkMerged walks every set and merges their sorted pages, keeping each
// common prefix once, and cuts the result at o.Limit.
func (l *Layer) walkMerged(ctx context.Context, o drive.WalkOptions) ([]drive.WalkEntry, bool, error) {
	return l.walkMergedChoose(ctx, o, agreedEntry)
}

// walkMergedChoose is walkMerged with choose picking each set's entry
// among its drives' (see walkSetChoose).
func (l *Layer) walkMergedChoose(ctx context.Context, o drive.WalkOptions, choose func([]drive.WalkEntry) drive.WalkEntry) ([]drive.WalkEntry, bool, error) {
	if len(l.sets) == 1 {
		res, err := l.walkSetChoose(ctx, l.sets[0], o, choose)
		return res.Entries, res.Truncated, err
	}
	pages := make([]drive.WalkResult, len(l.sets))
	err := l.eachSet(func(s *set) error {
		res, err := l.walkSetChoose(ctx, s, o, choose)
		pages[s.index] = res
		return err
	})
	if err != nil {
		return nil, false, err
	}
	truncated := false
	pos := make([]int, len(pages))
	var out []drive.WalkEntry
	for len(out) < o.Limit {
		best := -1
		for i, p := range pages {
			if pos[i] < len(p.Entries) && (best < 0 || p.Entries[pos[i]].Name < pages[best].Entries[pos[best]].Name) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		e := pages[best].Entries[pos[best]]
		for i, p := range pages { // the same common prefix from other sets
			if pos[i] < len(p.Entries) && p.Entries[pos[i]].Name == e.Name {
				pos[i]++
			}
		}
		out = append(out, e)
	}
	for i, p := range pages {
		if pos[i] < len(p.Entries) || p.Truncated {
			truncated = true
		}
	}
	return out, truncated, nil
}

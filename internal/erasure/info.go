package erasure

import (
	"context"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// BucketUsage reports the current objects and their bytes in a bucket:
// the cached figure when one is known (counted by the background scanner
// or an earlier call, kept exact by the writes through this engine, at
// most UsageMaxAge old; see usage.go), else by walking its records
// (cost grows with the bucket), which then becomes the cached figure.
func (l *Layer) BucketUsage(ctx context.Context, bucket string) (storage.BucketUsage, error) {
	if !storage.ValidBucketName(bucket) {
		return storage.BucketUsage{}, fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		return storage.BucketUsage{}, err
	}
	if u, ok := l.usage.get(bucket); ok {
		return u, nil
	}
	done := l.usage.begin(bucket)
	u, err := l.walkUsage(ctx, bucket)
	if err == nil {
		done(u.Objects, u.Bytes)
	}
	return u, err
}

// walkUsage counts a bucket's usage by walking its records: the current
// versions (drives send only the newest version of each record).
func (l *Layer) walkUsage(ctx context.Context, bucket string) (storage.BucketUsage, error) {
	u := storage.BucketUsage{Name: bucket}
	for _, s := range l.sets {
		start := ""
		for range maxPages {
			res, err := l.walkSet(ctx, s, drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(bucket), Start: start, Limit: 1000, Newest: true})
			if err != nil {
				return u, err
			}
			for _, e := range res.Entries {
				rec, err := meta.DecodeRecord(e.Value)
				if err != nil {
					return u, fmt.Errorf("erasure: usage %s/%s: %w", bucket, e.Name, err)
				}
				if v := latest(rec); v != nil {
					u.Objects++
					u.Bytes += uint64(v.Size)
				}
			}
			if !res.Truncated || len(res.Entries) == 0 {
				break
			}
			start = res.Entries[len(res.Entries)-1].Name + "\x00"
		}
	}
	return u, nil
}

// StorageInfo reports every drive and the raw and usable capacity: usable
// is raw scaled by data/(data+parity) of each set.
func (l *Layer) StorageInfo(ctx context.Context) (storage.StorageInfo, error) {
	info := storage.StorageInfo{DataShards: l.sets[0].data, ParityShards: l.sets[0].parity}
	for _, s := range l.sets {
		for _, d := range s.drives {
			di, err := d.DiskInfo(ctx)
			state, reason, since := l.driveStatus(d, err)
			info.Drives = append(info.Drives, storage.DriveInfo{
				Endpoint: d.Endpoint(), State: state, Reason: reason, Since: since, TotalBytes: di.TotalBytes, FreeBytes: di.FreeBytes, UsedBytes: di.UsedBytes,
			})
			if err != nil {
				continue
			}
			info.RawBytes += di.TotalBytes
			info.RawFree += di.FreeBytes
			k, n := uint64(s.data), uint64(s.data+s.parity)
			info.UsableBytes += di.TotalBytes * k / n
			info.UsableFree += di.FreeBytes * k / n
		}
	}
	return info, nil
}

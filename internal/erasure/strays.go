package erasure

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// readRecordStrays reads the record of bucket/key as readRecord does and
// also returns, by drive position, the versions that drive's own copy
// holds data for while the quorum's record does not (left by writes the
// drive missed). A write replacing the record on that drive must drop
// their data too, or nothing would reference it any more and it would
// stay forever. With drive.ErrNotFound (no quorum record) the strays are
// still returned.
func (s *set) readRecordStrays(ctx context.Context, bucket, key string) (*meta.Record, [][]meta.Version, error) {
	if len(s.drives) == 1 {
		rec, err := s.readRecord(ctx, bucket, key)
		return rec, nil, err
	}
	vals, errs := s.readRecords(ctx, bucket, key)
	v, _, err := pickRecordQuorum(vals, s.votes(errs), s.readQuorum(), normalizeRecord)
	var rec *meta.Record
	switch {
	case err == nil:
		if rec, err = meta.DecodeRecord(v); err != nil {
			return nil, nil, fmt.Errorf("erasure: object %s/%s: %w", bucket, key, err)
		}
	case !errors.Is(err, drive.ErrNotFound):
		return nil, nil, err
	}
	var keep map[meta.DataDir]bool // built for the first copy that differs
	var strays [][]meta.Version
	for pos := range vals {
		if errs[pos] != nil {
			continue
		}
		if rec != nil && meta.SameRecordEncoding(v, vals[pos]) {
			continue // the quorum's versions, so none of its own
		}
		own, derr := meta.DecodeRecord(vals[pos])
		if derr != nil {
			continue
		}
		if keep == nil {
			keep = map[meta.DataDir]bool{}
			if rec != nil {
				for _, ver := range rec.Versions {
					keep[ver.DataDir] = true
				}
			}
		}
		for _, ver := range own.Versions {
			if ver.DeleteMarker || keep[ver.DataDir] {
				continue
			}
			if strays == nil {
				strays = make([][]meta.Version, len(vals))
			}
			strays[pos] = append(strays[pos], ver)
		}
	}
	return rec, strays, err
}

// dropStrays adds to b what removes the data of drive pos's stray versions.
func dropStrays(b *drive.Batch, strays [][]meta.Version, pos int) {
	if strays == nil {
		return
	}
	for i := range strays[pos] {
		dropVersion(b, &strays[pos][i], meta.DataDir{})
	}
}

// removeStrays removes the stray versions' data directories from the
// drives whose commit dropped them (errs nil).
func (l *Layer) removeStrays(ctx context.Context, s *set, strays [][]meta.Version, errs []error) {
	if strays == nil {
		return
	}
	dirs := map[meta.DataDir][]drive.Drive{}
	for pos, vs := range strays {
		if errs[pos] != nil {
			continue
		}
		for _, v := range vs {
			if !v.Inline {
				dirs[v.DataDir] = append(dirs[v.DataDir], s.drives[pos])
			}
		}
	}
	l.removeDirs(ctx, dirs)
}

// removeDirs removes data directories from the drives that dropped them,
// once no reader holds them.
func (l *Layer) removeDirs(ctx context.Context, dirs map[meta.DataDir][]drive.Drive) {
	ctx = context.WithoutCancel(ctx)
	for dir, drives := range dirs {
		l.pins.remove(dir, func() {
			for _, d := range drives {
				if err := d.RemoveDataDir(ctx, dir); err != nil {
					l.log.Warn("remove data dir", "drive", d.Endpoint(), "err", err)
				}
			}
		})
	}
}

package erasure

import (
	"context"
	"testing"

	"github.com/hoardstore/hoard/internal/heal/repair"
)

// sweepStale runs the full healing pass the healer runs for each drive
// RebuildingDrives lists (every bucket, every key any drive holds, each
// object healed), then reports them rebuilt; it requires every drive to
// count again afterwards.
func sweepStale(t testing.TB, l *Layer) {
	t.Helper()
	eps := l.RebuildingDrives()
	if len(eps) == 0 {
		return
	}
	if err := sweepAll(l); err != nil {
		t.Fatalf("rebuild pass of %v: %v", eps, err)
	}
	for _, ep := range eps {
		l.DriveRebuilt(ep)
	}
	if got := l.RebuildingDrives(); len(got) != 0 {
		t.Fatalf("after the rebuild of %v: RebuildingDrives got %v, want none", eps, got)
	}
}

// sweepAll heals every bucket and object of l onto every drive; it fails
// at the first object the heal could not make clean.
func sweepAll(l *Layer) error {
	ctx := context.Background()
	eps := l.RebuildingDrives()
	for _, ep := range eps {
		l.BeginRebuild(ep)
	}
	buckets, err := l.HealBuckets(ctx)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		if _, err := l.HealBucket(ctx, b); err != nil {
			return err
		}
		after := ""
		for range 10000 {
			keys, more, err := l.HealKeys(ctx, repair.Walk{Bucket: b, After: after, Set: -1})
			if err != nil {
				return err
			}
			for _, k := range keys {
				res, err := l.HealObjectWith(ctx, b, k, repair.Options{})
				if err != nil {
					return err
				}
				if !res.Clean() {
					return &sweepError{res}
				}
			}
			if !more || len(keys) == 0 {
				break
			}
			after = keys[len(keys)-1]
		}
	}
	return nil
}

type sweepError struct{ res repair.Result }

func (e *sweepError) Error() string {
	return "heal of " + e.res.Bucket + "/" + e.res.Key + " left a drive not ok"
}

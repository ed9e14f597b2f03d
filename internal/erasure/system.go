package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
)

// System records are the deployment's own documents (the IAM state):
// stored in the drives' system namespace (beside the stale-drive records,
// under "config/"), which no S3 request reaches, on every drive of the
// first set, read and written with its quorums as bucket records are.

func systemLock(name string) string { return "s\x00" + name }

func systemKey(name string) string { return "config/" + name }

// GetSystem returns the system record name, nil when there is none.
func (l *Layer) GetSystem(ctx context.Context, name string) ([]byte, error) {
	v, err := l.sets[0].getQuorum(ctx, drive.NSSystem, systemKey(name), nil)
	if errors.Is(err, drive.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("erasure: system record %q: %w", name, err)
	}
	return v, nil
}

// UpdateSystem replaces the system record name with what fn makes of the
// current one (nil when none), under the record's lock, which in a
// cluster every node honours. When fn fails nothing is written; when the
// write misses its quorum the drives it reached get the old record back.
func (l *Layer) UpdateSystem(ctx context.Context, name string, fn func(old []byte) ([]byte, error)) error {
	unlock, err := l.locker.Lock(ctx, systemLock(name))
	if err != nil {
		return err
	}
	defer unlock()
	s := l.sets[0]
	old, err := s.getQuorum(ctx, drive.NSSystem, systemKey(name), nil)
	if err != nil && !errors.Is(err, drive.ErrNotFound) {
		return fmt.Errorf("erasure: system record %q: %w", name, err)
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	put := func(ctx context.Context, d drive.Drive, v []byte) error {
		m := drive.Mutation{NS: drive.NSSystem, Key: systemKey(name), Value: v, Delete: v == nil}
		return d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{m}})
	}
	written := make([]bool, len(s.drives))
	errs := s.each(func(pos int, d drive.Drive) error {
		err := put(ctx, d, next)
		written[pos] = err == nil
		return err
	})
	if err := l.settle(ctx, s, errs, s.writeQuorum()); err != nil {
		for pos, d := range s.drives {
			if written[pos] {
				_ = put(context.WithoutCancel(ctx), d, old)
			}
		}
		return fmt.Errorf("erasure: system record %q: %w", name, err)
	}
	return nil
}

// HealSystem rewrites the system record name on the drives of the first
// set that lack the value a read quorum agrees on (a replaced drive, one
// that missed a write) and returns how many it repaired. A record a
// quorum says is absent is left alone.
func (l *Layer) HealSystem(ctx context.Context, name string) (int, error) {
	unlock, err := l.locker.Lock(ctx, systemLock(name))
	if err != nil {
		return 0, err
	}
	defer unlock()
	s := l.sets[0]
	key := systemKey(name)
	vals := make([][]byte, len(s.drives))
	errs := s.each(func(pos int, d drive.Drive) error {
		v, err := d.Get(ctx, drive.NSSystem, key)
		vals[pos] = v
		return err
	})
	want, err := pickQuorum(vals, s.votes(errs), s.readQuorum(), nil)
	if errors.Is(err, drive.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("erasure: system record %q: %w", name, err)
	}
	healed := 0
	for pos, d := range s.drives {
		if errs[pos] == nil && bytes.Equal(vals[pos], want) {
			continue
		}
		if errs[pos] != nil && !errors.Is(errs[pos], drive.ErrNotFound) && !errors.Is(s.votes(errs)[pos], errDriveStale) {
			continue // an unreachable drive: nothing to write to
		}
		m := drive.Mutation{NS: drive.NSSystem, Key: key, Value: want}
		if d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{m}}) == nil {
			healed++
		}
	}
	return healed, nil
}

package erasure

import (
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

package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// hasPush reports whether b holds a push (drive.Mutation.Push).
func hasPush(b drive.Batch) bool {
	for _, m := range b.Mutations {
		if m.Push {
			return true
		}
	}
	return false
}

// withoutPushes returns b with every push made an ordinary write of the
// whole record it makes, read from the peer: what a node older than
// pushes, which refuses them, can store. It checks each push's Expect as
// the drive would, and refuses with drive.ErrRecordChanged when the
// record is no longer what the caller read.
func (r *Remote) withoutPushes(ctx context.Context, b drive.Batch) (drive.Batch, error) {
	muts := make([]drive.Mutation, len(b.Mutations))
	copy(muts, b.Mutations)
	records := map[string][]byte{} // records as the batch leaves them so far
	for i := range muts {
		m := &muts[i]
		if !m.Push {
			if m.NS == drive.NSObject {
				records[m.Key] = m.Value
			}
			continue
		}
		whole, seen := records[m.Key]
		if !seen {
			var err error
			whole, err = r.Get(ctx, drive.NSObject, m.Key)
			if errors.Is(err, drive.ErrNotFound) {
				whole, err = nil, nil
			}
			if err != nil {
				return b, err
			}
		}
		var newest []byte
		if whole != nil {
			newest, _ = meta.AppendNewest(nil, whole)
		}
		if (whole != nil) != (m.Expect != nil) || !bytes.Equal(newest, m.Expect) {
			return b, fmt.Errorf("%w: %q", drive.ErrRecordChanged, m.Key)
		}
		value := m.Value
		if whole != nil {
			var ok bool
			if value, ok = meta.AppendPushed(nil, m.Value, whole); !ok {
				return b, fmt.Errorf("%w: %q does not decode", drive.ErrRecordChanged, m.Key)
			}
		}
		*m = drive.Mutation{NS: drive.NSObject, Key: m.Key, Value: value}
		records[m.Key] = value
	}
	b.Mutations = muts
	return b, nil
}

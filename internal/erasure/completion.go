package erasure

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// Completed uploads. An SDK that loses the answer to a
// CompleteMultipartUpload sends it again; AWS S3 answers the repeat as it
// answered the first (200, the same ETag, version and checksum) instead
// of NoSuchUpload. So the commit that completes an upload replaces its
// record with a trace (meta.Completion) in the same atomic batch on every
// drive of the set: a Complete that finds no upload but a trace made by
// the same part list answers from the trace; any other part list still
// gets NoSuchUpload, as it does from S3 and from an upload never
// completed. A trace answers for CompletionRetention, and the stale-upload
// cleanup removes older ones.

// CompletionRetention is how long a completed upload's trace answers a
// repeated CompleteMultipartUpload.
const CompletionRetention = time.Hour

// partsFingerprint digests a Complete's part list: numbers and ETags (as
// assemble compares them), in order.
func partsFingerprint(parts []storage.CompletePart) []byte {
	h := sha256.New()
	var num [4]byte
	for _, p := range parts {
		binary.BigEndian.PutUint32(num[:], uint32(p.Number))
		h.Write(num[:])
		h.Write([]byte(normalETag(p.ETag)))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// normalETag is an ETag without surrounding blanks and quotes.
func normalETag(etag string) string { return strings.Trim(strings.TrimSpace(etag), `"`) }

// completionMutation returns the mutation that leaves the trace of a
// completion made with parts, committed as v.
func completionMutation(bucket, key, uploadID string, parts []storage.CompletePart, v *meta.Version, versioned bool) drive.Mutation {
	c := &meta.Completion{
		Completed: time.Now().UTC(), VersionID: v.ID, Versioned: versioned,
		ETag: v.ETag, Checksum: v.Checksum, ModTime: v.ModTime, Size: v.Size, Tags: v.Tags,
		Parts: partsFingerprint(parts),
	}
	return drive.Mutation{NS: drive.NSCompleted, Key: drive.UploadKey(bucket, key, uploadID), Value: meta.EncodeCompletion(c)}
}

// replayCompletion answers a Complete of an upload that no longer exists:
// the first answer again when a trace made by the same part list is
// younger than CompletionRetention, else notFound. The caller holds the
// upload's lock, so a completion in progress has finished.
func (l *Layer) replayCompletion(ctx context.Context, s *set, bucket, key, uploadID string, parts []storage.CompletePart, want storage.Checksum, notFound error) (storage.ObjectInfo, error) {
	if _, err := uuid.Parse(uploadID); err != nil || len(uploadID) != 36 {
		return storage.ObjectInfo{}, notFound
	}
	v, err := s.getQuorum(ctx, drive.NSCompleted, drive.UploadKey(bucket, key, uploadID), nil)
	if errors.Is(err, drive.ErrNotFound) {
		return storage.ObjectInfo{}, notFound
	}
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	c, err := meta.DecodeCompletion(v)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	if time.Since(c.Completed) > CompletionRetention || !bytes.Equal(c.Parts, partsFingerprint(parts)) {
		return storage.ObjectInfo{}, notFound
	}
	if !checksumMatches(want, c.Checksum, len(parts)) {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: complete %s/%s again: object checksum %q, was %q: %w", bucket, key, want.Value, c.Checksum.Value, storage.ErrChecksumMismatch)
	}
	return storage.ObjectInfo{
		Bucket: bucket, Key: key, VersionID: c.VersionID, Versioned: c.Versioned, IsLatest: true,
		ETag: c.ETag, Checksum: c.Checksum, ModTime: c.ModTime, Size: c.Size, Tags: c.Tags,
	}, nil
}

// checksumMatches reports whether want, the whole-object checksum a
// Complete of n parts names (if any), is sum; a composite value may carry
// its "-n" suffix or not.
func checksumMatches(want, sum storage.Checksum, n int) bool {
	if want.Value == "" {
		return true
	}
	suffix := fmt.Sprintf("-%d", n)
	return sum.Value != "" && strings.TrimSuffix(want.Value, suffix) == strings.TrimSuffix(sum.Value, suffix)
}

// forever is a cutoff after every trace's completion time, whatever the
// clocks of the nodes that wrote them said.
var forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// dropCompletions removes the traces of bucket's completed uploads made
// before cutoff, on each drive of s by itself (every drive holds the same
// completion time, and a drive that missed an earlier sweep catches up).
// Traces that do not decode go
// too.
func (l *Layer) dropCompletions(ctx context.Context, s *set, bucket string, cutoff time.Time) {
	s.each(func(pos int, d drive.Drive) error {
		start := ""
		for range maxPages {
			res, err := d.Walk(ctx, drive.WalkOptions{NS: drive.NSCompleted, Scope: drive.UploadScope(bucket), Start: start, Limit: 1000})
			if err != nil {
				l.log.Warn("list completed uploads", "drive", d.Endpoint(), "bucket", bucket, "err", err)
				return nil
			}
			var b drive.Batch
			for _, e := range res.Entries {
				if c, err := meta.DecodeCompletion(e.Value); err == nil && !c.Completed.Before(cutoff) {
					continue
				}
				b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSCompleted, Key: drive.UploadScope(bucket) + e.Name, Delete: true})
			}
			if len(b.Mutations) > 0 {
				if err := d.Apply(ctx, b); err != nil {
					l.log.Warn("remove completed upload traces", "drive", d.Endpoint(), "bucket", bucket, "err", err)
					return nil
				}
			}
			if !res.Truncated || len(res.Entries) == 0 {
				return nil
			}
			start = res.Entries[len(res.Entries)-1].Name + "\x00"
		}
		return nil
	})
}

package erasure

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// CompleteMultipartUpload validates the listed parts and commits an object
// version whose data directory is the upload's: no data is copied. Parts
// not listed are deleted after the commit. The commit leaves a trace of
// the completion, so that the same Complete repeated gets the same
// answer (see completion.go).
func (l *Layer) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []storage.CompletePart, opts storage.CompleteOptions) (storage.ObjectInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("%w: %w", storage.ErrUploadNotFound, err)
	}
	s := l.setFor(bucket, key)
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	defer unlockB()
	unlock, err := l.locker.Lock(ctx, uploadLock(uploadID))
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	defer unlock()
	u, err := l.readUpload(ctx, s, bucket, key, uploadID)
	if errors.Is(err, storage.ErrUploadNotFound) {
		return l.replayCompletion(ctx, s, bucket, key, uploadID, parts, opts.Checksum, err)
	}
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	stored, _, err := l.readParts(ctx, s, uploadID, 0, storage.MaxParts)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	v, err := assemble(u, stored, parts, opts.Checksum)
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("erasure: complete %s/%s: %w", bucket, key, err)
	}
	var trace drive.Mutation // the same bytes on every drive, for quorum reads
	var once sync.Once
	info, err := l.commitVersion(ctx, s, bucket, key, nil, *v, commitOptions{opts.IfNoneMatch, opts.IfMatch, opts.LockFor}, func(pos int, b *drive.Batch, cv *meta.Version, versioned bool) {
		once.Do(func() { trace = completionMutation(bucket, key, uploadID, parts, cv, versioned) })
		b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSUpload, Key: drive.UploadKey(bucket, key, uploadID), Delete: true}, trace)
		for _, p := range stored {
			b.Mutations = append(b.Mutations, drive.Mutation{NS: drive.NSPart, Key: drive.PartKey(uploadID, p.Number), Delete: true})
		}
	})
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	l.removeUnusedParts(ctx, s, v)
	return info, nil
}

// removeUnusedParts deletes every file of the object's data directory that
// its part list does not name: parts left out of Complete, and files of
// part uploads that were replaced or interrupted by a crash.
func (l *Layer) removeUnusedParts(ctx context.Context, s *set, v *meta.Version) {
	used := make(map[string]bool, len(v.Parts))
	for _, p := range v.Parts {
		used[meta.PartFile(p.Number, p.Nonce)] = true
	}
	ctx = context.WithoutCancel(ctx)
	s.each(func(pos int, d drive.Drive) error {
		names, err := d.ListShards(ctx, v.DataDir)
		if err != nil {
			l.log.Warn("list part files", "drive", d.Endpoint(), "err", err)
			return nil
		}
		var unused []string
		for _, n := range names {
			if !used[n] {
				unused = append(unused, n)
			}
		}
		if len(unused) > 0 {
			if err := d.RemoveShards(ctx, v.DataDir, unused); err != nil {
				l.log.Warn("remove unused part files", "drive", d.Endpoint(), "err", err)
			}
		}
		return nil
	})
}

// assemble checks the client's part list against the stored parts and
// builds the object version: sizes, multipart ETag and checksum.
func assemble(u *meta.Upload, stored []*meta.PartRecord, req []storage.CompletePart, want storage.Checksum) (*meta.Version, error) {
	if len(req) == 0 {
		return nil, fmt.Errorf("no parts: %w", storage.ErrInvalidPart)
	}
	byNum := make(map[int]*meta.PartRecord, len(stored))
	for _, p := range stored {
		byNum[p.Number] = p
	}
	v := &meta.Version{
		ModTime: time.Now().UTC(), Metadata: u.Metadata, Tags: u.Tags, StorageClass: u.StorageClass,
		Erasure: u.Erasure, Bitrot: meta.BitrotHighwayHash256, DataDir: u.DataDir,
		Parts: make([]meta.Part, 0, len(req)), Lock: u.Lock,
	}
	etags := make([]string, 0, len(req))
	sums := make([]string, 0, len(req))
	crcParts := make([]checksum.Part, 0, len(req))
	for i, cp := range req {
		if i > 0 && cp.Number <= req[i-1].Number {
			return nil, fmt.Errorf("part %d after %d: %w", cp.Number, req[i-1].Number, storage.ErrInvalidPartOrder)
		}
		p := byNum[cp.Number]
		if p == nil {
			return nil, fmt.Errorf("part %d not uploaded: %w", cp.Number, storage.ErrInvalidPart)
		}
		if normalETag(cp.ETag) != p.ETag {
			return nil, fmt.Errorf("part %d etag %q, stored %q: %w", cp.Number, cp.ETag, p.ETag, storage.ErrInvalidPart)
		}
		if cp.Checksum.Value != "" && cp.Checksum.Value != p.Checksum.Value {
			return nil, fmt.Errorf("part %d checksum differs: %w", cp.Number, storage.ErrInvalidPart)
		}
		if i < len(req)-1 && p.Size < storage.MinPartSize {
			return nil, fmt.Errorf("part %d is %d bytes: %w", cp.Number, p.Size, storage.ErrPartTooSmall)
		}
		v.Parts = append(v.Parts, meta.Part{Number: p.Number, Nonce: p.Nonce, Size: p.Size, ActualSize: p.ActualSize, ETag: p.ETag, Checksum: p.Checksum})
		v.Size += p.Size
		etags = append(etags, p.ETag)
		sums = append(sums, p.Checksum.Value)
		crcParts = append(crcParts, checksum.Part{Value: p.Checksum.Value, Size: p.Size})
	}
	v.ETag = checksum.MultipartETag(etags)
	sum, err := objectChecksum(u, sums, crcParts)
	if err != nil {
		return nil, err
	}
	v.Checksum = sum
	if !checksumMatches(want, sum, len(req)) {
		return nil, fmt.Errorf("object checksum %q, computed %q: %w", want.Value, sum.Value, storage.ErrChecksumMismatch)
	}
	return v, nil
}

// objectChecksum computes the multipart object's checksum of the type the
// upload asked for: composite (checksum of the part checksums) or full
// object (combined CRC).
func objectChecksum(u *meta.Upload, sums []string, crcParts []checksum.Part) (storage.Checksum, error) {
	alg := u.ChecksumAlgorithm
	if alg == storage.ChecksumNone {
		return storage.Checksum{}, nil
	}
	for i, s := range sums {
		if s == "" {
			return storage.Checksum{}, fmt.Errorf("part %d has no %s checksum: %w", i+1, alg, storage.ErrInvalidPart)
		}
	}
	typ := u.ChecksumType
	if typ == "" {
		typ = checksum.DefaultType(alg)
	}
	var val string
	var err error
	if typ == storage.ChecksumFullObject {
		val, err = checksum.FullObject(alg, crcParts)
	} else {
		val, err = checksum.Composite(alg, sums)
	}
	if err != nil {
		return storage.Checksum{}, fmt.Errorf("%w: %v", storage.ErrInvalidPart, err)
	}
	return storage.Checksum{Algorithm: alg, Type: typ, Value: val}, nil
}

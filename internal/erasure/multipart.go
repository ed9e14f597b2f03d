package erasure

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

func uploadInfo(bucket, key string, u *meta.Upload) storage.MultipartUpload {
	sc := u.StorageClass
	if sc == "" {
		sc = "STANDARD"
	}
	return storage.MultipartUpload{
		Bucket: bucket, Key: key, UploadID: u.ID, Initiated: u.Initiated, StorageClass: sc,
		ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType, Lock: u.Lock,
	}
}

// NewMultipartUpload starts an upload: a record naming its data
// directory, into which every part is written as its own shard file.
func (l *Layer) NewMultipartUpload(ctx context.Context, bucket, key string, opts storage.PutOptions) (storage.MultipartUpload, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.MultipartUpload{}, err
	}
	s := l.setFor(bucket, key)
	id, err := uuid.NewV7() // time-ordered: uploads of a key list in initiation order
	if err != nil {
		return storage.MultipartUpload{}, fmt.Errorf("erasure: upload id: %w", err)
	}
	u := &meta.Upload{
		ID: id.String(), Initiated: time.Now().UTC(), Metadata: maps.Clone(opts.Metadata), Tags: maps.Clone(opts.Tags),
		StorageClass: opts.StorageClass, ChecksumAlgorithm: opts.ChecksumAlgorithm, ChecksumType: opts.ChecksumType,
		Erasure: s.codecForClass(opts.StorageClass).layout(), DataDir: newDataDir(), Lock: opts.Lock,
	}
	u.Erasure.Distribution = l.distribution(s, bucket, key)
	unlock, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return storage.MultipartUpload{}, err
	}
	defer unlock()
	if _, err := l.bucketInfo(ctx, bucket); err != nil {
		return storage.MultipartUpload{}, err
	}
	val := meta.EncodeUpload(u)
	err = l.applySettled(ctx, s, nil, func(pos int) drive.Batch {
		return drive.Batch{
			Mutations: []drive.Mutation{{NS: drive.NSUpload, Key: drive.UploadKey(bucket, key, u.ID), Value: val}},
			Ref:       []meta.DataDir{u.DataDir},
		}
	})
	if err != nil {
		return storage.MultipartUpload{}, err
	}
	return uploadInfo(bucket, key, u), nil
}

// readUpload reads the record of an upload; ErrUploadNotFound if absent
// or if the ID is malformed.
func (l *Layer) readUpload(ctx context.Context, s *set, bucket, key, uploadID string) (*meta.Upload, error) {
	if _, err := uuid.Parse(uploadID); err != nil || len(uploadID) != 36 {
		return nil, fmt.Errorf("erasure: upload %q: %w", uploadID, storage.ErrUploadNotFound)
	}
	v, err := s.getQuorum(ctx, drive.NSUpload, drive.UploadKey(bucket, key, uploadID), nil)
	if errors.Is(err, drive.ErrNotFound) {
		if _, berr := l.bucketInfo(ctx, bucket); berr != nil {
			return nil, berr
		}
		return nil, fmt.Errorf("erasure: upload %q of %s/%s: %w", uploadID, bucket, key, storage.ErrUploadNotFound)
	}
	if err != nil {
		return nil, err
	}
	return meta.DecodeUpload(v)
}

// GetMultipartUpload describes an upload in progress.
func (l *Layer) GetMultipartUpload(ctx context.Context, bucket, key, uploadID string) (storage.MultipartUpload, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.MultipartUpload{}, fmt.Errorf("%w: %w", storage.ErrUploadNotFound, err)
	}
	u, err := l.readUpload(ctx, l.setFor(bucket, key), bucket, key, uploadID)
	if err != nil {
		return storage.MultipartUpload{}, err
	}
	return uploadInfo(bucket, key, u), nil
}

// PutObjectPart streams one part into a staged file, then, under the
// upload's lock, moves it into the upload's data directory and records
// it, replacing an earlier part with the same number.
func (l *Layer) PutObjectPart(ctx context.Context, bucket, key, uploadID string, partNumber int, data storage.Payload) (storage.PartInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.PartInfo{}, fmt.Errorf("%w: %w", storage.ErrUploadNotFound, err)
	}
	if partNumber < 1 || partNumber > storage.MaxParts {
		return storage.PartInfo{}, fmt.Errorf("erasure: part number %d: %w", partNumber, storage.ErrInvalidPart)
	}
	s := l.setFor(bucket, key)
	u, err := l.readUpload(ctx, s, bucket, key, uploadID)
	if err != nil {
		return storage.PartInfo{}, err
	}
	size := data.Size()
	if size < 0 {
		return storage.PartInfo{}, fmt.Errorf("erasure: negative size: %w", storage.ErrIncompleteBody)
	}
	c, err := l.codecFor(u.Erasure) // the upload's layout, whatever the set's is now
	if err != nil {
		return storage.PartInfo{}, err
	}
	nonce := rand.Uint32()
	file := meta.PartFile(partNumber, nonce)
	w, err := l.writeShards(ctx, s, c, bucket, key, data, size, file, false)
	if err != nil {
		return storage.PartInfo{}, err
	}
	p := &meta.PartRecord{Number: partNumber, Nonce: nonce, Size: size, ActualSize: size, ETag: data.ETag(), ModTime: time.Now().UTC(), Checksum: data.Checksum()}
	if err := l.commitPart(ctx, s, bucket, key, u, w, p); err != nil {
		l.discard(ctx, s, w, nil)
		return storage.PartInfo{}, err
	}
	return storage.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, ModTime: p.ModTime, Checksum: p.Checksum}, nil
}

func (l *Layer) commitPart(ctx context.Context, s *set, bucket, key string, u *meta.Upload, w *written, p *meta.PartRecord) error {
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return err
	}
	defer unlockB()
	unlock, err := l.locker.Lock(ctx, uploadLock(u.ID))
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := l.readUpload(ctx, s, bucket, key, u.ID); err != nil {
		return err // aborted or completed meanwhile
	}
	var old *meta.PartRecord
	if v, err := s.getQuorum(ctx, drive.NSPart, drive.PartKey(u.ID, p.Number), nil); err == nil {
		old, _ = meta.DecodePart(v)
	}
	val := meta.EncodePart(p)
	err = l.applySettled(ctx, s, w, func(pos int) drive.Batch {
		return drive.Batch{
			Stage: w.stage, DataDir: u.DataDir,
			Mutations: []drive.Mutation{{NS: drive.NSPart, Key: drive.PartKey(u.ID, p.Number), Value: val}},
		}
	})
	if err != nil {
		return err
	}
	if old != nil && old.Nonce != p.Nonce {
		l.removeShards(ctx, s, u.DataDir, []string{meta.PartFile(old.Number, old.Nonce)})
	}
	return nil
}

func (l *Layer) removeShards(ctx context.Context, s *set, dir meta.DataDir, names []string) {
	if len(names) == 0 {
		return
	}
	s.each(func(pos int, d drive.Drive) error {
		if err := d.RemoveShards(context.WithoutCancel(ctx), dir, names); err != nil {
			l.log.Warn("remove part files", "drive", d.Endpoint(), "err", err)
		}
		return nil
	})
}

// readParts reads every part record of an upload, in number order.
func (l *Layer) readParts(ctx context.Context, s *set, uploadID string, after, limit int) ([]*meta.PartRecord, bool, error) {
	var out []*meta.PartRecord
	start := drive.PartName(after + 1)
	for len(out) < limit {
		res, err := l.walkSet(ctx, s, drive.WalkOptions{NS: drive.NSPart, Scope: drive.PartScope(uploadID), Start: start, Limit: min(limit-len(out), 1000)})
		if err != nil {
			return nil, false, err
		}
		for _, e := range res.Entries {
			p, err := meta.DecodePart(e.Value)
			if err != nil {
				return nil, false, err
			}
			out = append(out, p)
		}
		if !res.Truncated || len(res.Entries) == 0 {
			return out, false, nil
		}
		start = res.Entries[len(res.Entries)-1].Name + "\x00"
	}
	return out, true, nil
}

// ListParts returns a page of an upload's parts.
func (l *Layer) ListParts(ctx context.Context, bucket, key, uploadID string, opts storage.ListPartsOptions) (storage.ListPartsResult, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ListPartsResult{}, fmt.Errorf("%w: %w", storage.ErrUploadNotFound, err)
	}
	s := l.setFor(bucket, key)
	u, err := l.readUpload(ctx, s, bucket, key, uploadID)
	if err != nil {
		return storage.ListPartsResult{}, err
	}
	limit := opts.MaxParts
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	marker := max(opts.PartNumberMarker, 0)
	if marker >= storage.MaxParts {
		return storage.ListPartsResult{Upload: uploadInfo(bucket, key, u)}, nil
	}
	parts, truncated, err := l.readParts(ctx, s, uploadID, marker, limit)
	if err != nil {
		return storage.ListPartsResult{}, err
	}
	res := storage.ListPartsResult{Upload: uploadInfo(bucket, key, u), IsTruncated: truncated}
	for _, p := range parts {
		res.Parts = append(res.Parts, storage.PartInfo{Number: p.Number, Size: p.Size, ETag: p.ETag, ModTime: p.ModTime, Checksum: p.Checksum})
	}
	if truncated && len(parts) > 0 {
		res.NextPartNumberMarker = parts[len(parts)-1].Number
	}
	return res, nil
}

// AbortMultipartUpload removes an upload, its parts and its data.
func (l *Layer) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := checkObject(bucket, key); err != nil {
		return fmt.Errorf("%w: %w", storage.ErrUploadNotFound, err)
	}
	unlockB, err := l.locker.RLock(ctx, bucketLock(bucket))
	if err != nil {
		return err
	}
	defer unlockB()
	return l.abortUpload(ctx, l.setFor(bucket, key), bucket, key, uploadID)
}

// abortUpload removes an upload; the caller holds the bucket's lock.
func (l *Layer) abortUpload(ctx context.Context, s *set, bucket, key, uploadID string) error {
	unlock, err := l.locker.Lock(ctx, uploadLock(uploadID))
	if err != nil {
		return err
	}
	defer unlock()
	u, err := l.readUpload(ctx, s, bucket, key, uploadID)
	if err != nil {
		return err
	}
	parts, _, err := l.readParts(ctx, s, uploadID, 0, storage.MaxParts)
	if err != nil {
		return err
	}
	muts := []drive.Mutation{{NS: drive.NSUpload, Key: drive.UploadKey(bucket, key, uploadID), Delete: true}}
	for _, p := range parts {
		muts = append(muts, drive.Mutation{NS: drive.NSPart, Key: drive.PartKey(uploadID, p.Number), Delete: true})
	}
	err = l.applySettled(ctx, s, nil, func(pos int) drive.Batch {
		return drive.Batch{Mutations: muts, Unref: []meta.DataDir{u.DataDir}}
	})
	if err != nil {
		return err
	}
	dir := u.DataDir
	s.each(func(pos int, d drive.Drive) error {
		if err := d.RemoveDataDir(context.WithoutCancel(ctx), dir); err != nil {
			l.log.Warn("remove upload data", "drive", d.Endpoint(), "err", err)
		}
		return nil
	})
	return nil
}

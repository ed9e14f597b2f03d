package erasure

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

func bucketLock(bucket string) string      { return "b\x00" + bucket }
func objectLock(bucket, key string) string { return "o\x00" + bucket + "\x00" + key }
func uploadLock(uploadID string) string    { return "u\x00" + uploadID }

// Bucket records, as stored on every drive of every set:
//
//	v1: 0x01 varint(created, ns)
//	v2: 0x02 varint(created, ns) uvarint(n) n × (uvarint(len) name uvarint(len) doc)
//
// v2 carries configuration documents, sorted by name so that equal
// contents encode to equal bytes (quorum reads and heals compare bytes);
// a bucket without any is written as v1.
const (
	bucketRecordV1 = 1
	bucketRecordV2 = 2
)

func encodeBucket(info storage.BucketInfo) []byte {
	if len(info.Configs) == 0 {
		return binary.AppendVarint([]byte{bucketRecordV1}, info.Created.UnixNano())
	}
	b := binary.AppendVarint([]byte{bucketRecordV2}, info.Created.UnixNano())
	names := slices.Sorted(maps.Keys(info.Configs))
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, name := range names {
		doc := info.Configs[name]
		b = binary.AppendUvarint(b, uint64(len(name)))
		b = append(b, name...)
		b = binary.AppendUvarint(b, uint64(len(doc)))
		b = append(b, doc...)
	}
	return b
}

func decodeBucket(name string, b []byte) (storage.BucketInfo, error) {
	corrupt := func() (storage.BucketInfo, error) {
		return storage.BucketInfo{}, fmt.Errorf("erasure: bucket %q record: %w", name, storage.ErrCorrupt)
	}
	if len(b) < 2 || b[0] != bucketRecordV1 && b[0] != bucketRecordV2 {
		return corrupt()
	}
	ns, n := binary.Varint(b[1:])
	if n <= 0 {
		return corrupt()
	}
	info := storage.BucketInfo{Name: name, Created: time.Unix(0, ns).UTC()}
	rest := b[1+n:]
	if b[0] == bucketRecordV1 {
		if len(rest) != 0 {
			return corrupt()
		}
		return info, nil
	}
	// field reads one length-prefixed field off rest.
	field := func() ([]byte, bool) {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)-n) {
			return nil, false
		}
		f := rest[n : n+int(l)]
		rest = rest[n+int(l):]
		return f, true
	}
	count, n := binary.Uvarint(rest)
	if n <= 0 || count == 0 || count > uint64(len(rest)) {
		return corrupt()
	}
	rest = rest[n:]
	info.Configs = make(map[string][]byte, count)
	for range count {
		k, ok := field()
		if !ok {
			return corrupt()
		}
		v, ok := field()
		if !ok {
			return corrupt()
		}
		info.Configs[string(k)] = bytes.Clone(v)
	}
	if len(rest) != 0 || len(info.Configs) != int(count) {
		return corrupt()
	}
	return info, nil
}

// eachSet runs fn for every set in parallel when there are several.
func (l *Layer) eachSet(fn func(s *set) error) error {
	if len(l.sets) == 1 {
		return fn(l.sets[0])
	}
	errs := make([]error, len(l.sets))
	done := make(chan struct{}, len(l.sets))
	for i, s := range l.sets {
		go func() {
			errs[i] = fn(s)
			done <- struct{}{}
		}()
	}
	for range l.sets {
		<-done
	}
	return errors.Join(errs...)
}

// MakeBucket creates a bucket on every drive.
func (l *Layer) MakeBucket(ctx context.Context, bucket string) error {
	return l.MakeBucketWithConfigs(ctx, bucket, nil)
}

// MakeBucketWithConfigs creates a bucket on every drive, its record
// holding configs from the start.
func (l *Layer) MakeBucketWithConfigs(ctx context.Context, bucket string, configs map[string][]byte) error {
	if !storage.ValidBucketName(bucket) {
		return fmt.Errorf("erasure: %q: %w", bucket, storage.ErrInvalidBucketName)
	}
	unlock, err := l.locker.Lock(ctx, bucketLock(bucket))
	if err != nil {
		return err
	}
	defer unlock()
	// Runs before unlock: a cached "absent" is never kept, but a failed
	// create's undo must not leave a fill that read its record.
	defer l.bucketChanged(bucket)
	rec := encodeBucket(storage.BucketInfo{Created: time.Now(), Configs: configs})
	created := make([][]bool, len(l.sets)) // by set, drive: this call wrote the record
	err = l.eachSet(func(s *set) error {
		created[s.index] = make([]bool, len(s.drives))
		errs := s.each(func(pos int, d drive.Drive) error {
			err := d.MakeBucket(ctx, bucket, rec)
			created[s.index][pos] = err == nil
			return err
		})
		exists := 0
		for i, e := range errs {
			if errors.Is(e, drive.ErrExists) {
				exists++
				errs[i] = nil
			}
		}
		if exists >= s.writeQuorum() {
			return fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketExists)
		}
		return l.settle(ctx, s, errs, s.writeQuorum())
	})
	if err != nil && !errors.Is(err, storage.ErrBucketExists) {
		// A failed create changes nothing: remove the records it wrote.
		l.eachDrive(created, func(d drive.Drive) error { return d.DeleteBucket(context.WithoutCancel(ctx), bucket) })
	}
	return err
}

// eachDrive runs fn, in parallel per set, on the drives marked in which
// (by set, then position), logging failures.
func (l *Layer) eachDrive(which [][]bool, fn func(d drive.Drive) error) {
	l.eachSet(func(s *set) error {
		s.each(func(pos int, d drive.Drive) error {
			if which[s.index] == nil || !which[s.index][pos] {
				return nil
			}
			if err := fn(d); err != nil {
				l.log.Warn("undo a bucket change that missed its quorum", "drive", d.Endpoint(), "err", err)
			}
			return nil
		})
		return nil
	})
}

// bucketInfo reads a bucket record from the first set, or from the
// bucket cache while it holds the bucket.
func (l *Layer) bucketInfo(ctx context.Context, bucket string) (storage.BucketInfo, error) {
	info, ok, gen := l.buckets.get(bucket)
	if ok {
		return info, nil
	}
	v, err := l.sets[0].getQuorum(ctx, drive.NSBucket, bucket, nil)
	if errors.Is(err, drive.ErrNotFound) {
		return storage.BucketInfo{}, fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	if err != nil {
		return storage.BucketInfo{}, err
	}
	info, err = decodeBucket(bucket, v)
	if err != nil {
		return storage.BucketInfo{}, err
	}
	l.buckets.put(info, gen)
	return info, nil
}

// GetBucketInfo describes a bucket.
func (l *Layer) GetBucketInfo(ctx context.Context, bucket string) (storage.BucketInfo, error) {
	if !storage.ValidBucketName(bucket) {
		return storage.BucketInfo{}, fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	return l.bucketInfo(ctx, bucket)
}

// ListBuckets returns every bucket in name order.
func (l *Layer) ListBuckets(ctx context.Context) ([]storage.BucketInfo, error) {
	var out []storage.BucketInfo
	start := ""
	for {
		res, err := l.walkSet(ctx, l.sets[0], drive.WalkOptions{NS: drive.NSBucket, Start: start, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, e := range res.Entries {
			bi, err := decodeBucket(e.Name, e.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, bi)
		}
		if !res.Truncated || len(res.Entries) == 0 {
			return out, nil
		}
		start = res.Entries[len(res.Entries)-1].Name + "\x00"
	}
}

// DeleteBucket removes a bucket; unless force, it must hold no objects
// (versions and delete markers count) and its unfinished multipart
// uploads are aborted. Under the bucket's lock, taken exclusively: every
// write (PutObject, a part, a Complete) holds it shared, so none lands in
// a bucket found empty.
func (l *Layer) DeleteBucket(ctx context.Context, bucket string, force bool) error {
	if !storage.ValidBucketName(bucket) {
		return fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	unlock, err := l.locker.Lock(ctx, bucketLock(bucket))
	if err != nil {
		return err
	}
	defer unlock()
	info, err := l.bucketInfo(ctx, bucket)
	if err != nil {
		return err
	}
	// Runs before unlock, once the records are gone (or put back): no
	// writer can take the bucket's lock and find it cached meanwhile.
	defer l.bucketChanged(bucket)
	if force {
		if err := l.emptyBucket(ctx, bucket); err != nil {
			return err
		}
	} else if err := l.checkEmpty(ctx, bucket); err != nil {
		return err
	} else if err := l.eachSet(func(s *set) error { return l.abortAll(ctx, s, bucket) }); err != nil {
		// Unfinished uploads do not keep a bucket, as with S3: the lock
		// held keeps every write out until the bucket is gone.
		return err
	}
	defer l.usage.forget(bucket)
	deleted := make([][]bool, len(l.sets)) // by set, drive: this call removed the record
	err = l.eachSet(func(s *set) error {
		deleted[s.index] = make([]bool, len(s.drives))
		errs := s.each(func(pos int, d drive.Drive) error {
			err := d.DeleteBucket(ctx, bucket)
			deleted[s.index][pos] = err == nil
			if err != nil && !errors.Is(err, drive.ErrNotFound) {
				return err
			}
			return nil
		})
		return l.settle(ctx, s, errs, s.writeQuorum())
	})
	if err != nil {
		// A failed delete changes nothing: put back the records it removed.
		rec := encodeBucket(info)
		l.eachDrive(deleted, func(d drive.Drive) error { return d.MakeBucket(context.WithoutCancel(ctx), bucket, rec) })
		return err
	}
	// A bucket made again under the name starts without completed uploads.
	for _, s := range l.sets {
		l.dropCompletions(context.WithoutCancel(ctx), s, bucket, forever)
	}
	return nil
}

// SetBucketConfig stores (or, with a nil doc, removes) one configuration
// document of a bucket: the bucket record is rewritten on every drive, and
// put back where it was written if the change misses its write quorum.
func (l *Layer) SetBucketConfig(ctx context.Context, bucket, name string, doc []byte) error {
	if name == "" {
		return fmt.Errorf("erasure: bucket %q: a configuration needs a name", bucket)
	}
	return l.UpdateBucketConfigs(ctx, bucket, func(configs map[string][]byte) (map[string][]byte, error) {
		if doc == nil {
			delete(configs, name)
		} else {
			configs[name] = bytes.Clone(doc)
		}
		return configs, nil
	})
}

// UpdateBucketConfigs changes a bucket's configuration documents as
// change says, under the bucket's lock: the bucket record is rewritten on
// every drive, and put back where it was written if the change misses its
// write quorum.
func (l *Layer) UpdateBucketConfigs(ctx context.Context, bucket string, change func(map[string][]byte) (map[string][]byte, error)) error {
	if !storage.ValidBucketName(bucket) {
		return fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	unlock, err := l.locker.Lock(ctx, bucketLock(bucket))
	if err != nil {
		return err
	}
	defer unlock()
	defer l.bucketChanged(bucket)
	// Read the drives, not the cache: the record written must extend the
	// one the quorum holds.
	old, err := l.sets[0].getQuorum(ctx, drive.NSBucket, bucket, nil)
	if errors.Is(err, drive.ErrNotFound) {
		return fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotFound)
	}
	if err != nil {
		return err
	}
	info, err := decodeBucket(bucket, old)
	if err != nil {
		return err
	}
	configs := maps.Clone(info.Configs)
	if configs == nil {
		configs = map[string][]byte{}
	}
	configs, err = change(configs)
	if err != nil {
		return err
	}
	if len(configs) == 0 {
		configs = nil
	}
	if maps.EqualFunc(configs, info.Configs, bytes.Equal) {
		return nil // already so
	}
	info.Configs = configs
	rec := encodeBucket(info)
	put := func(ctx context.Context, d drive.Drive, v []byte) error {
		return d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSBucket, Key: bucket, Value: v}}})
	}
	written := make([][]bool, len(l.sets)) // by set, drive: this call wrote the record
	err = l.eachSet(func(s *set) error {
		written[s.index] = make([]bool, len(s.drives))
		errs := s.each(func(pos int, d drive.Drive) error {
			err := put(ctx, d, rec)
			written[s.index][pos] = err == nil
			return err
		})
		return l.settle(ctx, s, errs, s.writeQuorum())
	})
	if err != nil {
		// A failed change changes nothing: put back the record it replaced.
		l.eachDrive(written, func(d drive.Drive) error { return put(context.WithoutCancel(ctx), d, old) })
	}
	return err
}

// checkEmpty fails with ErrBucketNotEmpty when bucket holds an object
// record (a version or a delete marker) in any set.
func (l *Layer) checkEmpty(ctx context.Context, bucket string) error {
	return l.eachSet(func(s *set) error {
		res, err := l.walkSet(ctx, s, drive.WalkOptions{NS: drive.NSObject, Scope: drive.ObjectScope(bucket), Limit: 1, KeysOnly: true})
		if err != nil {
			return err
		}
		if len(res.Entries) > 0 {
			return fmt.Errorf("erasure: bucket %q: %w", bucket, storage.ErrBucketNotEmpty)
		}
		return nil
	})
}

package drive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// pebbleLogger sends pebble's logs to slog. Fatalf means pebble's state is
// unrecoverable (its write-ahead log could not be written): it logs and
// panics, as pebble's own logger would exit.
type pebbleLogger struct{ log *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.log.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.log.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.log.Error(msg, "component", "pebble", "fatal", true)
	panic("drive: metadata store failed: " + msg)
}

// valueSeparation moves values of 1 KiB and more (inline shards, large
// records) out of the sstables into blob files. Blob files whose values
// are a fifth garbage (objects replaced or deleted) are rewritten once
// they are a few minutes old, so the space of deleted objects comes back.
func valueSeparation() pebble.ValueSeparationPolicy {
	return pebble.ValueSeparationPolicy{
		Enabled:               true,
		MinimumSize:           1 << 10,
		MaxBlobReferenceDepth: 10,
		RewriteMinimumAge:     5 * time.Minute,
		TargetGarbageRatio:    0.2,
	}
}

func (l *Local) openDB() error {
	cacheSize := l.opts.CacheSize
	if cacheSize <= 0 {
		cacheSize = 16 << 20
	}
	memtable := l.opts.MemTableSize
	if memtable == 0 {
		memtable = 8 << 20
	}
	var cache *pebble.Cache
	if l.opts.Cache != nil {
		cache = l.opts.Cache.c // the DB takes its own reference
	} else {
		cache = pebble.NewCache(cacheSize)
		defer cache.Unref() // the DB holds its own reference
	}
	o := &pebble.Options{
		Cache:                       cache,
		MemTableSize:                memtable,
		MemTableStopWritesThreshold: 4,
		MaxOpenFiles:                256,
		FormatMajorVersion:          pebble.FormatNewest,
		Logger:                      pebbleLogger{l.log},
	}
	// Values are mostly binary (encoded records, inline shard data):
	// the fastest compressor gives up quickly on incompressible blocks.
	o.ApplyCompressionSettings(func() pebble.DBCompressionSettings { return pebble.DBCompressionFastest })
	// Bloom filters let a lookup of a missing key (every new object's
	// conditional check) skip the tables that cannot hold it.
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	// Inline shards (up to the engine's inline limit) are most of the bytes
	// written. Separated into blob files, they are written once after the
	// write-ahead log instead of being rewritten by every compaction of
	// the keys around them; records and small values stay in the tables.
	o.Experimental.ValueSeparationPolicy = valueSeparation
	o.EnsureDefaults()
	db, err := pebble.Open(filepath.Join(l.sys, metaDir), o)
	if err != nil {
		return fmt.Errorf("drive: open metadata %s: %w", l.root, err)
	}
	l.db = db
	return nil
}

func (l *Local) writeOpts() *pebble.WriteOptions {
	if l.opts.NoSync {
		return pebble.NoSync
	}
	return pebble.Sync
}

// MakeBucket creates a bucket record atomically; ErrExists if present.
func (l *Local) MakeBucket(ctx context.Context, name string, value []byte) error {
	if l.closed() {
		return ErrClosed
	}
	if err := l.checkSpace(uint64(len(value)) + 4096); err != nil {
		return err
	}
	// An indexed batch reads its own pending writes; the check-and-set is
	// made atomic by holding the bucket's record key in a single-writer
	// critical section below.
	key := dbKey(NSBucket, name)
	l.bucketMu.Lock()
	defer l.bucketMu.Unlock()
	if _, err := l.get(key); err == nil {
		return fmt.Errorf("%w: bucket %q", ErrExists, name)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := l.db.Set(key, value, l.writeOpts()); err != nil {
		return fmt.Errorf("drive: write bucket %q: %w", name, mapErr(err))
	}
	return nil
}

// DeleteBucket removes a bucket record; ErrNotFound if absent.
func (l *Local) DeleteBucket(ctx context.Context, name string) error {
	if l.closed() {
		return ErrClosed
	}
	key := dbKey(NSBucket, name)
	l.bucketMu.Lock()
	defer l.bucketMu.Unlock()
	if _, err := l.get(key); err != nil {
		return err
	}
	if err := l.db.Delete(key, l.writeOpts()); err != nil {
		return fmt.Errorf("drive: delete bucket %q: %w", name, mapErr(err))
	}
	return nil
}

// Get reads one record; ErrNotFound if absent.
func (l *Local) Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	if l.closed() {
		return nil, ErrClosed
	}
	return l.get(dbKey(ns, key))
}

func (l *Local) get(key []byte) ([]byte, error) {
	v, closer, err := l.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("drive: read metadata: %w", err)
	}
	out := append([]byte(nil), v...)
	closer.Close()
	return out, nil
}

// commitMeta writes the mutations and reference changes of b in one synced batch.
func (l *Local) commitMeta(b *Batch) error {
	batch := l.db.NewBatch()
	defer batch.Close()
	var need uint64
	for _, m := range b.Mutations {
		k := dbKey(m.NS, m.Key)
		if m.Delete {
			if err := batch.Delete(k, nil); err != nil {
				return fmt.Errorf("drive: batch delete: %w", err)
			}
			continue
		}
		need += uint64(len(k) + len(m.Value))
		if err := batch.Set(k, m.Value, nil); err != nil {
			return fmt.Errorf("drive: batch set: %w", err)
		}
	}
	refs := b.Ref
	if b.Stage != "" {
		refs = append(refs[:len(refs):len(refs)], b.DataDir)
	}
	for _, d := range refs {
		need += 32
		if err := batch.Set(refKey(d), nil, nil); err != nil {
			return fmt.Errorf("drive: batch ref: %w", err)
		}
	}
	for _, d := range b.Unref {
		if err := batch.Delete(refKey(d), nil); err != nil {
			return fmt.Errorf("drive: batch unref: %w", err)
		}
	}
	var err error
	if need > 0 {
		err = l.checkSpace(need + 4096)
	} else {
		err = l.checkDeleteSpace()
	}
	if err != nil {
		return err
	}
	if err := l.db.Apply(batch, l.writeOpts()); err != nil {
		return fmt.Errorf("drive: commit metadata: %w", mapErr(err))
	}
	return nil
}

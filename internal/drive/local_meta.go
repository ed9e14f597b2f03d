package drive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
)

// pebbleLogger sends pebble's logs to slog. Fatalf takes the drive out of
// service instead of ending the process.
//
// Pebble calls Fatalf where it cannot go on: a failed commit (db.go, the
// commit pipeline), a failed MANIFEST write or sync (version_set.go), a
// file of the store that should exist and does not (base.MustExist, from
// the file cache), a table whose size disagrees with the MANIFEST
// (table_stats.go), and invariant checks. At every one of these it either
// returns an error right after (logAndApply, MustExist) or carries on
// with a store it no longer trusts (a failed commit returns nil to the
// writer). Returning is therefore safe only if nothing trusts the store
// afterwards: fail marks the drive faulty first, every call into the
// store checks the fault after pebble returns (so the writer of a failed
// commit gets ErrFaulty, never success), and no call starts once it is
// set. runtime.Goexit was rejected: it would end pebble's goroutine with
// mutexes held that are released without defer, hanging every later call
// and Close. Panicking (as before) ended the whole process from a
// background goroutine no one can recover.
type pebbleLogger struct {
	log  *slog.Logger
	fail func(reason string, full bool)
}

func (p pebbleLogger) Infof(format string, args ...any) {
	p.log.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.log.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.log.Error(msg, "component", "pebble", "fatal", true)
	p.fail(msg, isNoSpace(args))
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
	// live is set once the store is open: from then on, write failures
	// pebble cannot survive are taken by the drive (absorb.go).
	live := new(atomic.Bool)
	o := &pebble.Options{
		Cache:                       cache,
		MemTableSize:                memtable,
		MemTableStopWritesThreshold: 4,
		MaxOpenFiles:                256,
		FormatMajorVersion:          pebble.FormatNewest,
		// A fatal report says pebble's state in memory is not to be
		// trusted, not that its files are damaged (a failed WAL write is
		// one): the drive is out as for an I/O error, and opening it
		// again finds out whether the files need repair.
		Logger: pebbleLogger{l.log, func(msg string, full bool) {
			l.setFault(&Fault{Reason: "metadata store failed: " + msg, Since: time.Now().UTC(), Full: full})
		}},
		FS: privateFS{FS: l.opts.MetaFS, damaged: func(reason string) { l.markFaulty(true, reason) },
			failed: func(reason string, err error) bool {
				if !live.Load() {
					return false
				}
				l.setFault(&Fault{Reason: reason, Since: time.Now().UTC(), Full: isNoSpace([]any{err})})
				return true
			}},
		// Background failures and corruption take the drive out of
		// service; pebble's defaults log them, or end the process.
		EventListener: &pebble.EventListener{
			BackgroundError: l.backgroundError,
			DataCorruption:  l.dataCorruption,
		},
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
	dir := filepath.Join(l.sys, metaDir)
	if err := checkBlobRefs(dir, o); err != nil {
		return fmt.Errorf("drive: open metadata %s: %w", l.root, err)
	}
	db, err := openPebble(dir, o)
	if err != nil {
		return fmt.Errorf("drive: open metadata %s: %w", l.root, err)
	}
	if l.Fault() != nil {
		// Fatalf or a corruption report during the open: the store is
		// not trusted even though the open returned.
		l.db = db
		return fmt.Errorf("drive: open metadata %s: %w", l.root, l.faultErr())
	}
	l.db = db
	live.Store(true)
	return nil
}

// openPebble opens the store, turning a panic on damaged files into an error.
func openPebble(dir string, o *pebble.Options) (db *pebble.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: pebble panicked while opening: %v", pebble.ErrCorruption, r)
		}
	}()
	return pebble.Open(dir, o)
}

func (l *Local) writeOpts() *pebble.WriteOptions {
	if l.opts.NoSync {
		return pebble.NoSync
	}
	return pebble.Sync
}

// MakeBucket creates a bucket record atomically; ErrExists if present.
func (l *Local) MakeBucket(ctx context.Context, name string, value []byte) (err error) {
	if err := l.usable(); err != nil {
		return err
	}
	defer l.guard("make bucket", &err)
	if err := l.checkSpace(uint64(len(value))+4096, false); err != nil {
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
	return l.metaErr(fmt.Sprintf("write bucket %q", name), l.db.Set(key, value, l.writeOpts()))
}

// DeleteBucket removes a bucket record; ErrNotFound if absent.
func (l *Local) DeleteBucket(ctx context.Context, name string) (err error) {
	if err := l.usable(); err != nil {
		return err
	}
	defer l.guard("delete bucket", &err)
	key := dbKey(NSBucket, name)
	l.bucketMu.Lock()
	defer l.bucketMu.Unlock()
	if _, err := l.get(key); err != nil {
		return err
	}
	return l.metaErr(fmt.Sprintf("delete bucket %q", name), l.db.Delete(key, l.writeOpts()))
}

// Get reads one record; ErrNotFound if absent.
func (l *Local) Get(ctx context.Context, ns Namespace, key string) (v []byte, err error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	defer l.guard("read", &err)
	if ns == NSObject {
		return l.getJoined(key)
	}
	return l.get(dbKey(ns, key))
}

// GetNewest reads the object record key cut to its newest version: its
// head; ErrNotFound if absent.
func (l *Local) GetNewest(ctx context.Context, key string) (v []byte, err error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	defer l.guard("read", &err)
	// The head, or a record written before tails (whole: as correct).
	v, err = l.get(dbKey(NSObject, key))
	head, _ := storedHead(v)
	return head, err
}

// GetNewestToWrite is GetNewest for a push that follows: what it reads
// is kept as a hint (head_hint.go), so the push reads nothing again.
func (l *Local) GetNewestToWrite(ctx context.Context, key string) (v []byte, err error) {
	if err := l.usable(); err != nil {
		return nil, err
	}
	defer l.guard("read", &err)
	epoch := l.hints.begin(key)
	v, err = l.get(dbKey(NSObject, key))
	switch {
	case err == nil:
		l.hints.sawHead(key, epoch, true, v)
	case errors.Is(err, ErrNotFound):
		l.hints.sawHead(key, epoch, false, nil)
	}
	head, _ := storedHead(v)
	return head, err
}

// get reads one record. A read that met damage (pebble checks every
// block it reads) fails, and the drive is taken out of service: a record
// that fails its checksum is never returned.
func (l *Local) get(key []byte) ([]byte, error) { return l.getFrom(l.db, key) }

// commitMeta writes the mutations and reference changes of b in one synced batch.
func (l *Local) commitMeta(b *Batch) (err error) {
	defer l.guard("commit", &err)
	objects := false
	for _, m := range b.Mutations {
		objects = objects || m.NS == NSObject
	}
	// Object records are written as a difference from what is stored
	// (tail.go), read under the records' locks; from the batch itself
	// when it changes one record twice.
	batch, reader := l.db.NewBatch(), pebble.Reader(l.db)
	var left []leftState // what each object write leaves, for its mark
	committed := false   // set only once the batch is applied
	if objects {
		held := l.records.lock(b.Mutations)
		defer func() {
			if !committed {
				left = nil // failed or panicked: the marks know nothing
			}
			l.releaseRecords(held, left)
		}()
		if sameRecordTwice(b.Mutations) {
			batch.Close()
			batch = l.db.NewIndexedBatch()
			reader = batch
		}
	}
	defer batch.Close()
	var need uint64
	tailed := false
	for _, m := range b.Mutations {
		if m.NS == NSObject {
			n, t, st, err := l.writeRecord(batch, reader, reader == l.db, m)
			if err != nil {
				return err
			}
			need, tailed = need+n, tailed || t
			if len(left) < maxLeftStates+1 {
				left = append(left, st)
			}
			continue
		}
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
	if need > 0 {
		err = l.checkSpace(need+4096, false)
	} else {
		err = l.checkDeleteSpace()
	}
	if err != nil {
		return err
	}
	if tailed && !l.layoutMarked.Load() {
		if err := l.markLayout(); err != nil {
			return err
		}
	}
	err = l.metaErr("commit metadata", l.db.Apply(batch, l.writeOpts()))
	committed = err == nil
	return err
}

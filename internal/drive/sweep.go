package drive

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"

	"github.com/cockroachdb/pebble/v2"
	"github.com/hoardstore/hoard/internal/meta"
)

// sweep removes data directories that no committed record references: the
// leftovers of a crash between moving shard files in and committing their
// metadata, or of a crash before an old version's directory was removed.
//
// It judges references against a snapshot taken when the sweep starts and
// skips every directory installed since the drive was opened (recorded by
// markFresh before the rename). A directory that predates the open and is
// unreferenced in the snapshot can never be referenced again (references
// are only made to new directories or, for multipart uploads, before the
// directory exists), so the sweep cannot race with writers or readers.
func (l *Local) sweep() {
	snap := l.db.NewSnapshot()
	defer snap.Close()
	defer func() {
		l.freshMu.Lock()
		l.sweeping, l.fresh = false, nil
		l.freshMu.Unlock()
	}()
	removed := 0
	for i := 0; i < 256; i++ {
		if l.usable() != nil {
			return
		}
		parent := filepath.Join(l.sys, dataDir, hexByte(i))
		entries, err := os.ReadDir(parent)
		if err != nil {
			l.log.Warn("sweep: read dir", "dir", parent, "err", err)
			continue
		}
		for _, e := range entries {
			if l.orphan(snap, parent, e) {
				if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
					l.log.Warn("sweep: remove orphan", "dir", e.Name(), "err", err)
					continue
				}
				removed++
			}
		}
	}
	if removed > 0 {
		l.log.Info("sweep: removed orphaned data directories", "count", removed)
	}
}

func (l *Local) orphan(snap *pebble.Snapshot, parent string, e os.DirEntry) bool {
	var d meta.DataDir
	b, err := hex.DecodeString(e.Name())
	if err != nil || len(b) != meta.DataDirLen {
		return false // not ours: leave it
	}
	copy(d[:], b)
	_, closer, err := snap.Get(refKey(d))
	if err == nil {
		closer.Close()
		return false
	}
	if !errors.Is(err, pebble.ErrNotFound) {
		return false
	}
	l.freshMu.Lock()
	defer l.freshMu.Unlock()
	return !l.fresh[d]
}

// markFresh records a directory about to be installed while the sweep runs.
func (l *Local) markFresh(d meta.DataDir) {
	l.freshMu.Lock()
	if l.sweeping {
		l.fresh[d] = true
	}
	l.freshMu.Unlock()
}

func hexByte(i int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[i>>4], digits[i&15]})
}

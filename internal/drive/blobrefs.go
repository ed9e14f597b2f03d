package drive

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// checkBlobRefs makes sure, before the metadata store in dir is opened
// for writing, that every blob file its current version references is
// present with the size the MANIFEST records. It closes a gap that
// checkBlob (blobcheck.go) cannot: pebble v2.1 learns which files exist
// by listing the folder when it opens, and a blob file the MANIFEST names
// but that is not there is unknown to its object provider; the first
// read of it then panics inside pebble (reportCorruption with no file
// metadata, file_cache.go findOrCreateBlob) before any filesystem call
// Hoard wraps. On a read Hoard recovers that panic, but in a compaction
// (which pebble may start before Open even returns, after flushing the
// replayed log) it ends the process. pebble's own check at open
// (checkConsistency) covers tables only, and no option extends it.
//
// The store is therefore first opened read-only: pebble then loads the
// MANIFEST and replays the log into memory but writes nothing and starts
// no flush, compaction or table-statistics job, so nothing reads a blob
// file. Its current version names the blob files; a missing one, or one
// whose size differs, is damage, returned as a corruption error so that
// the drive is taken out of service and repaired as for any other
// damaged file. A store that does not exist yet, or that the read-only
// open itself refuses, is left to the real open to report.
func checkBlobRefs(dir string, o *pebble.Options) error {
	desc, err := pebble.Peek(dir, o.FS)
	if err != nil || !desc.Exists {
		return nil
	}
	ro := o.Clone()
	ro.ReadOnly = true
	db, err := openPebble(dir, ro)
	if err != nil {
		return nil
	}
	defer db.Close()
	names, err := o.FS.List(dir)
	if err != nil {
		return fmt.Errorf("drive: list metadata store: %w", err)
	}
	present := make(map[string]bool, len(names))
	for _, n := range names {
		if strings.HasSuffix(n, ".blob") {
			present[n] = true
		}
	}
	var bad []string
	v := db.DebugCurrentVersion()
	for f := range v.BlobFiles.All() {
		name := fmt.Sprintf("%s.blob", f.Physical.FileNum)
		if !present[name] {
			bad = append(bad, name+" missing")
			continue
		}
		st, err := o.FS.Stat(filepath.Join(dir, name))
		if err != nil {
			if os.IsNotExist(err) {
				bad = append(bad, name+" missing")
				continue
			}
			return fmt.Errorf("drive: stat blob file %s: %w", name, err)
		}
		if uint64(st.Size()) != f.Physical.Size {
			bad = append(bad, fmt.Sprintf("%s is %d bytes, the MANIFEST says %d", name, st.Size(), f.Physical.Size))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: blob files referenced by the MANIFEST: %s", pebble.ErrCorruption, strings.Join(bad, "; "))
	}
	return nil
}

package crash

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"github.com/hoardstore/hoard/internal/testserver"
)

// version is one write to a key: its content is fully determined by seed
// and size (so nothing is kept in memory), or it is a delete.
type version struct {
	id      int // order of creation, for messages
	deleted bool
	seed    uint64
	size    int64
	// partSize, when > 0, means the object was uploaded in parts of this
	// size (the last part holds the rest), which decides its ETag.
	partSize int64
}

func (v version) String() string {
	switch {
	case v.deleted:
		return fmt.Sprintf("v%d(deleted)", v.id)
	case v.partSize > 0:
		return fmt.Sprintf("v%d(%d bytes, multipart)", v.id, v.size)
	default:
		return fmt.Sprintf("v%d(%d bytes)", v.id, v.size)
	}
}

// reader returns the version's content.
func (v version) reader() *testserver.Pattern { return &testserver.Pattern{Seed: v.seed, Size: v.size} }

// digest is what a reader compares a version against.
type digest struct {
	sha  [32]byte
	etag string // without quotes
}

// digests computes and caches the expected digest of versions.
type digests struct {
	mu    sync.Mutex
	cache map[uint64]digest
}

func (d *digests) of(v version) digest {
	d.mu.Lock()
	got, ok := d.cache[v.seed]
	d.mu.Unlock()
	if ok {
		return got
	}
	h := sha256.New()
	whole := md5.New()
	var partSums []byte
	r := v.reader()
	if v.partSize > 0 {
		for off := int64(0); off < v.size; off += v.partSize {
			n := min(v.partSize, v.size-off)
			p := md5.New()
			io.Copy(io.MultiWriter(h, p), io.NewSectionReader(r, off, n))
			partSums = append(partSums, p.Sum(nil)...)
		}
	} else {
		io.Copy(io.MultiWriter(h, whole), io.NewSectionReader(r, 0, v.size))
	}
	var dg digest
	copy(dg.sha[:], h.Sum(nil))
	if v.partSize > 0 {
		s := md5.Sum(partSums)
		dg.etag = fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), len(partSums)/md5.Size)
	} else {
		dg.etag = hex.EncodeToString(whole.Sum(nil))
	}
	d.mu.Lock()
	if d.cache == nil {
		d.cache = map[uint64]digest{}
	}
	d.cache[v.seed] = dg
	d.mu.Unlock()
	return dg
}

// keyState tracks what a key may legitimately hold. Writes to one key are
// sequential (one worker owns it), so the current content is the last
// acknowledged version or any version sent after it whose outcome is
// unknown (in flight at the kill, or failed without a clear answer).
type keyState struct {
	settled version   // last acknowledged state (initially: absent)
	maybe   []version // sent after settled, not acknowledged
}

// candidates returns every state the key may be in, newest first.
func (k *keyState) candidates() []version {
	out := make([]version, 0, len(k.maybe)+1)
	for i := len(k.maybe) - 1; i >= 0; i-- {
		out = append(out, k.maybe[i])
	}
	return append(out, k.settled)
}

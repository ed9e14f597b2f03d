package erasure

import (
	"sync"

	"github.com/hoardstore/hoard/internal/meta"
)

// pins delays the removal of a data directory while open object handles
// read it: a handle pins its version's directory at open, and a writer
// that replaced or deleted the version hands the removal to pins, which
// runs it at once or when the last handle closes. If the process dies
// first, the drive's sweep removes the unreferenced directory at the next
// start.
type pins struct {
	mu     sync.Mutex
	count  map[meta.DataDir]int
	doomed map[meta.DataDir]func()
}

func newPins() *pins {
	return &pins{count: make(map[meta.DataDir]int), doomed: make(map[meta.DataDir]func())}
}

func (p *pins) pin(d meta.DataDir) {
	p.mu.Lock()
	p.count[d]++
	p.mu.Unlock()
}

func (p *pins) unpin(d meta.DataDir) {
	p.mu.Lock()
	p.count[d]--
	var fn func()
	if p.count[d] <= 0 {
		delete(p.count, d)
		fn = p.doomed[d]
		delete(p.doomed, d)
	}
	p.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// remove runs fn now if d is not pinned, else when it is last unpinned.
func (p *pins) remove(d meta.DataDir, fn func()) {
	p.mu.Lock()
	if p.count[d] > 0 {
		p.doomed[d] = fn
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	fn()
}

// pending returns the number of removals waiting for handles to close.
func (p *pins) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.doomed)
}

package drive

import "github.com/cockroachdb/pebble/v2"

// Cache is a metadata block cache shared by several local drives
// (Options.Cache), so that a process's cache is bounded as a whole and a
// busy drive may use what an idle one does not.
type Cache struct{ c *pebble.Cache }

// NewCache returns a shared cache of size bytes. The caller releases it
// with Release once no drive will be opened with it any more; drives that
// are open keep it alive until they close.
func NewCache(size int64) *Cache { return &Cache{c: pebble.NewCache(size)} }

// Release drops the creator's reference.
func (c *Cache) Release() { c.c.Unref() }

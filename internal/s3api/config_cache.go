package s3api

import (
	"bytes"
	"sync"
)

// maxCachedConfigs bounds a configCache; past it the cache starts over.
const maxCachedConfigs = 10000

// configCache keeps the parsed form of the configuration document each
// bucket had when last asked, so requests that consult a bucket's CORS
// rules or policy parse the document only when it changes. The document
// itself still comes from storage on every request; only its parse is
// reused, and only for identical bytes.
type configCache[T any] struct {
	parse func(bucket string, doc []byte) (T, error)

	mu sync.Mutex
	m  map[string]cachedConfig[T]
}

type cachedConfig[T any] struct {
	doc    []byte
	parsed T
}

func newConfigCache[T any](parse func(bucket string, doc []byte) (T, error)) *configCache[T] {
	return &configCache[T]{parse: parse, m: map[string]cachedConfig[T]{}}
}

// get returns the parsed doc of bucket.
func (c *configCache[T]) get(bucket string, doc []byte) (T, error) {
	c.mu.Lock()
	e, ok := c.m[bucket]
	c.mu.Unlock()
	if ok && bytes.Equal(e.doc, doc) {
		return e.parsed, nil
	}
	parsed, err := c.parse(bucket, doc)
	if err != nil {
		return parsed, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedConfigs {
		clear(c.m)
	}
	c.m[bucket] = cachedConfig[T]{doc: bytes.Clone(doc), parsed: parsed}
	c.mu.Unlock()
	return parsed, nil
}

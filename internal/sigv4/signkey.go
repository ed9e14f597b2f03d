package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// keyCacheSize bounds the derived signing keys a Verifier keeps: one per
// (secret, date, region, service), so a few per active access key.
const keyCacheSize = 1024

// deriveKey computes the SigV4 signing key of secret for one day, region
// and service.
func deriveKey(secret, date, region, service string) [32]byte {
	k := hmacSum([]byte("AWS4"+secret), date)
	k = hmacSum(k, region)
	k = hmacSum(k, service)
	k = hmacSum(k, terminator)
	var out [32]byte
	copy(out[:], k)
	return out
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

type keyID struct{ secret, date, region, service string }

// keyCache is a small bounded map of derived signing keys. When full, an
// arbitrary entry is dropped (keys of past days are never asked for again,
// so no ordering is needed). The zero value is ready to use.
type keyCache struct {
	mu sync.Mutex
	m  map[keyID][32]byte
}

func (c *keyCache) get(secret, date, region, service string) [32]byte {
	id := keyID{secret, date, region, service}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[keyID][32]byte)
	}
	if len(c.m) >= keyCacheSize {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

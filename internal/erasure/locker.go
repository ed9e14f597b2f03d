package erasure

import (
	"context"
	"sync"
)

// Locker serialises writers of one resource (a bucket or an object key)
// and lets readers share it. The in-process MemLocker serves one node; a
// cluster hands in a distributed implementation.
type Locker interface {
	// Lock takes resource exclusively; the returned func releases it.
	Lock(ctx context.Context, resource string) (unlock func(), err error)
	// RLock takes resource shared; the returned func releases it.
	RLock(ctx context.Context, resource string) (unlock func(), err error)
}

// MemLocker is an in-process Locker: a map of reference-counted RWMutexes,
// one per resource in use, spread over shards to keep the map lock cold.
type MemLocker struct {
	shards [64]lockShard
}

type lockShard struct {
	mu    sync.Mutex
	locks map[string]*refLock
}

type refLock struct {
	sync.RWMutex
	refs int
}

var _ Locker = (*MemLocker)(nil)

// NewMemLocker returns an empty in-process locker.
func NewMemLocker() *MemLocker {
	m := &MemLocker{}
	for i := range m.shards {
		m.shards[i].locks = make(map[string]*refLock)
	}
	return m
}

func (m *MemLocker) shard(resource string) *lockShard {
	// FNV-1a: cheap and good enough to spread resources over shards.
	h := uint32(2166136261)
	for i := 0; i < len(resource); i++ {
		h ^= uint32(resource[i])
		h *= 16777619
	}
	return &m.shards[h%uint32(len(m.shards))]
}

func (m *MemLocker) acquire(resource string) (*lockShard, *refLock) {
	s := m.shard(resource)
	s.mu.Lock()
	l := s.locks[resource]
	if l == nil {
		l = &refLock{}
		s.locks[resource] = l
	}
	l.refs++
	s.mu.Unlock()
	return s, l
}

func (s *lockShard) release(resource string, l *refLock) {
	s.mu.Lock()
	l.refs--
	if l.refs == 0 {
		delete(s.locks, resource)
	}
	s.mu.Unlock()
}

// Lock takes resource exclusively. The context is checked before waiting;
// in-process waits are short (commit phases only).
func (m *MemLocker) Lock(ctx context.Context, resource string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, l := m.acquire(resource)
	l.Lock()
	return func() {
		l.Unlock()
		s.release(resource, l)
	}, nil
}

// RLock takes resource shared.
func (m *MemLocker) RLock(ctx context.Context, resource string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, l := m.acquire(resource)
	l.RLock()
	return func() {
		l.RUnlock()
		s.release(resource, l)
	}, nil
}

package iam

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"github.com/hoardstore/hoard/internal/policy"
	"sync"
	"sync/atomic"
	"time"
)

// Store keeps the IAM document durably. The server backs it with the
// erasure sets (quorum writes under a cluster-wide lock); MemStore serves
// tests.
type Store interface {
	// Load returns the stored document, nil when none was ever stored.
	Load(ctx context.Context) ([]byte, error)
	// Update replaces the document with what fn makes of the current one
	// (nil when none), atomically with respect to every other Update of
	// the deployment; an error from fn leaves it unchanged.
	Update(ctx context.Context, fn func(old []byte) ([]byte, error)) error
}

// Config wires a Manager.
type Config struct {
	Store  Store
	Sealer *Sealer
	// RootAccessKey is the root user's key, which no IAM key may take.
	RootAccessKey string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxStale bounds how old the cached state may be: once the last
	// successful Refresh or Change is older, Lookup and OpenSession
	// refuse every key (Stale reports it) until a Refresh succeeds, so a
	// node that cannot reload does not enforce an outdated copy. Zero:
	// no bound.
	MaxStale time.Duration
}

// Manager holds the IAM state of one node: a cached snapshot answering
// lookups without I/O, replaced after each change and each Refresh that
// finds a newer generation in the store.
type Manager struct {
	cfg Config
	mu  sync.Mutex // serialises Change and Refresh on this node
	cur atomic.Pointer[snapshot]
	// loaded is when the cached state was last known current (Unix
	// nanoseconds of Config.Now).
	loaded atomic.Int64
}

type snapshot struct {
	state *State
	ids   map[string]*Identity
	// named are the policies a name resolves to (built-in and stored),
	// parsed once per state, for sessions that name their policies
	// (web identities).
	named map[string]*policy.Policy
}

// New returns a Manager with an empty state; call Refresh to load the
// stored one.
func New(cfg Config) *Manager {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Manager{cfg: cfg}
	m.install(newState())
	m.fresh()
	return m
}

func (m *Manager) install(st *State) {
	m.cur.Store(&snapshot{state: st, ids: identities(st, m.cfg.RootAccessKey), named: namedPolicies(st)})
}

// fresh records that the cached state is current now.
func (m *Manager) fresh() { m.loaded.Store(m.cfg.Now().UnixNano()) }

// Stale reports whether the cached state is older than Config.MaxStale
// (no Refresh or Change succeeded for that long).
func (m *Manager) Stale() bool {
	if m.cfg.MaxStale <= 0 {
		return false
	}
	return m.cfg.Now().Sub(time.Unix(0, m.loaded.Load())) > m.cfg.MaxStale
}

// Lookup returns the identity of an access key that may authenticate
// now: false for an unknown, disabled or expired key, or one whose user
// is disabled, and every key while the state is Stale. It compares in constant time with respect to the content
// of the keys it holds.
func (m *Manager) Lookup(accessKey string) (*Identity, bool) {
	if m.Stale() {
		return nil, false
	}
	id, ok := m.cur.Load().ids[accessKey]
	if !ok || subtle.ConstantTimeCompare([]byte(id.AccessKey), []byte(accessKey)) != 1 {
		return nil, false
	}
	if !id.Expiry.IsZero() && !m.cfg.Now().Before(id.Expiry) {
		return nil, false
	}
	return id, true
}

// Generation returns the generation of the cached state.
func (m *Manager) Generation() uint64 { return m.cur.Load().state.Generation }

// View calls fn with the cached state, which fn must not change.
func (m *Manager) View(fn func(st *State)) { fn(m.cur.Load().state) }

// Refresh loads the stored state when its generation differs from the
// cached one. Nodes call it periodically, so that a change made on one
// node is enforced by all.
func (m *Manager) Refresh(ctx context.Context) error {
	data, err := m.cfg.Store.Load(ctx)
	if err != nil {
		return fmt.Errorf("iam: loading: %w", err)
	}
	var gen struct {
		Generation uint64 `json:"generation"`
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &gen); err != nil {
			return fmt.Errorf("iam: %w: %v", ErrCorrupt, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen.Generation <= m.Generation() && len(data) > 0 {
		m.fresh()
		return nil // generations only grow: ours is as new or newer
	}
	st, err := decode(data, m.cfg.Sealer)
	if err != nil {
		return err
	}
	m.install(st)
	m.fresh()
	return nil
}

// Change applies fn to the latest stored state and stores the result
// with the next generation; when fn fails, or the store does, nothing
// changes. The new state is enforced on this node at once.
func (m *Manager) Change(ctx context.Context, fn func(st *State) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var next *State
	err := m.cfg.Store.Update(ctx, func(old []byte) ([]byte, error) {
		st, err := decode(old, m.cfg.Sealer)
		if err != nil {
			return nil, err
		}
		st.root, st.now = m.cfg.RootAccessKey, m.cfg.Now().UTC()
		st.pruneRevoked()
		if err := fn(st); err != nil {
			return nil, err
		}
		st.Generation++
		next = st
		return encode(st, m.cfg.Sealer)
	})
	if err != nil {
		return err
	}
	m.install(next)
	m.fresh()
	return nil
}

// MemStore is an in-memory Store, for tests and tools.
type MemStore struct {
	mu   sync.Mutex
	data []byte
	// Fail, when set, makes every Update fail after fn ran (as a lost
	// write quorum would); LoadFail makes every Load fail.
	Fail, LoadFail error
}

// Load implements Store.
func (s *MemStore) Load(context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.LoadFail != nil {
		return nil, s.LoadFail
	}
	return s.data, nil
}

// Update implements Store.
func (s *MemStore) Update(_ context.Context, fn func([]byte) ([]byte, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next, err := fn(s.data)
	if err != nil {
		return err
	}
	if s.Fail != nil {
		return s.Fail
	}
	s.data = next
	return nil
}

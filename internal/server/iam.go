package server

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// iamRecord is the name of the system record holding the IAM state.
const iamRecord = "iam"

// iamRefresh is how often a node checks the stored IAM generation: a
// change made on one node is enforced by every node within about this
// long (see docs/ARCHITECTURE.md).
const iamRefresh = 200 * time.Millisecond

// iamHealEvery is how often a node puts the IAM record back on drives of
// the first set that lack it (replaced, or back from an outage).
const iamHealEvery = 5 * time.Minute

// iamStore keeps the IAM document as a system record of the erasure sets.
type iamStore struct{ s *Server }

var _ iam.Store = iamStore{}

// engine returns the erasure layer, nil while a cluster node waits for
// the cluster to form.
func (st iamStore) engine() (*erasure.Layer, error) {
	l := st.s.layer
	if st.s.cluster != nil {
		l = st.s.cluster.deferred.get()
	}
	if e, ok := l.(*erasure.Layer); ok {
		return e, nil
	}
	return nil, errStartingRead
}

// Load implements iam.Store.
func (st iamStore) Load(ctx context.Context) ([]byte, error) {
	e, err := st.engine()
	if err != nil {
		return nil, err
	}
	return e.GetSystem(ctx, iamRecord)
}

// Update implements iam.Store.
func (st iamStore) Update(ctx context.Context, fn func([]byte) ([]byte, error)) error {
	e, err := st.engine()
	if err != nil {
		return errStartingWrite
	}
	return e.UpdateSystem(ctx, iamRecord, fn)
}

// openIAM prepares the IAM manager: secrets are sealed with a key derived
// from the key file's content or, without one, from the root secret.
// In single-server mode the stored state is loaded now, so that a wrong
// key stops the start instead of locking every user out.
func (s *Server) openIAM() error {
	material := []byte(s.cred.SecretKey)
	if s.cfg.IAMKeyFile != "" {
		b, err := os.ReadFile(s.cfg.IAMKeyFile)
		if err != nil {
			return fmt.Errorf("server: IAM key file: %w", err)
		}
		if len(b) < 16 {
			return fmt.Errorf("server: IAM key file %s: want at least 16 bytes of key material, got %d", s.cfg.IAMKeyFile, len(b))
		}
		material = b
	}
	sealer, err := iam.NewSealer(material)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	s.iam = iam.New(iam.Config{Store: iamStore{s}, Sealer: sealer, RootAccessKey: s.cred.AccessKey,
		MaxStale: iamMaxStale})
	if s.cluster == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.iam.Refresh(ctx); err != nil {
			return fmt.Errorf("server: loading IAM: %w", err)
		}
	}
	return nil
}

// iamLoop reloads the IAM state whenever another node changed it.
func (s *Server) iamLoop() {
	defer s.wg.Done()
	t := time.NewTicker(iamRefresh)
	defer t.Stop()
	var last string
	stale := false
	nextHeal := time.Now().Add(iamHealEvery)
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := s.iam.Refresh(ctx)
		if err == nil && time.Now().After(nextHeal) {
			nextHeal = time.Now().Add(iamHealEvery)
			if e, eerr := (iamStore{s}).engine(); eerr == nil {
				if n, herr := e.HealSystem(ctx, iamRecord); herr != nil {
					s.log.Warn("healing the IAM record", "err", herr)
				} else if n > 0 {
					s.log.Info("healed the IAM record", "drives", n)
				}
			}
		}
		cancel()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg != last {
			if err != nil {
				s.log.Warn("reloading IAM", "err", err)
			} else {
				s.log.Info("IAM state loaded", "generation", s.iam.Generation())
			}
			last = msg
		}
		if now := s.iam.Stale(); now != stale {
			stale = now
			if stale {
				s.log.Error("IAM state not reloaded for too long: refusing IAM keys (503) until a reload succeeds", "bound", iamMaxStale, "err", err)
			} else {
				s.log.Info("IAM state current again: accepting IAM keys")
			}
		}
	}
}

// identity returns the IAM identity of an access key other than root's.
func (s *Server) identity(accessKey string) (*iam.Identity, bool) { return s.iam.Lookup(accessKey) }

// userNames lists the IAM users' names.
func (s *Server) userNames() []string {
	var names []string
	s.iam.View(func(st *iam.State) {
		for name := range st.Users {
			names = append(names, name)
		}
	})
	return names
}

// iamCredentials resolves an IAM access key to its signing credentials.
func (s *Server) iamCredentials(accessKey string) (sigv4.Credentials, bool) {
	id, ok := s.iam.Lookup(accessKey)
	if !ok {
		return sigv4.Credentials{}, false
	}
	return sigv4.Credentials{AccessKey: id.AccessKey, SecretKey: id.Secret}, true
}

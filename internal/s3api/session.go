package s3api

import (
	"errors"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// maxSessionKeys bounds the temporary keys kept between requests; past
// it, expired ones are dropped, then others until there is room.
const maxSessionKeys = 10000

// sessionKeys maps the access keys of session tokens seen to their
// identities, so that the signature lookup (which sees only the access
// key) finds their secrets. A key found here signs nothing without its
// token: caller() takes a session identity only from the request's own.
type sessionKeys struct {
	mu   sync.Mutex
	keys map[string]*iam.Identity
}

func (s *sessionKeys) put(id *iam.Identity, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[string]*iam.Identity{}
	}
	if len(s.keys) >= maxSessionKeys {
		for k, v := range s.keys {
			if !now.Before(v.Expiry) || len(s.keys) >= maxSessionKeys {
				delete(s.keys, k)
			}
		}
	}
	s.keys[id.AccessKey] = id
}

func (s *sessionKeys) get(accessKey string, now time.Time) (*iam.Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.keys[accessKey]
	if !ok || !now.Before(id.Expiry) {
		return nil, false
	}
	return id, true
}

// lookup resolves an access key for signature checks: a session's
// temporary key, then the configured credentials.
func (h *Handler) lookup(accessKey string) (sigv4.Credentials, bool) {
	if id, ok := h.sessions.get(accessKey, h.cfg.Now()); ok {
		return sigv4.Credentials{AccessKey: id.AccessKey, SecretKey: id.Secret}, true
	}
	if h.cfg.Credentials == nil {
		return sigv4.Credentials{}, false
	}
	return h.cfg.Credentials(accessKey)
}

// openSession checks the request's session token, if it has one: a token
// this deployment issued, not expired, for the key that signs.
func (h *Handler) openSession(req *request, accessKey string) error {
	token := sigv4.SessionToken(req.r)
	if token == "" {
		return nil
	}
	if h.cfg.Sessions == nil {
		return newError("InvalidToken")
	}
	id, err := h.cfg.Sessions(token)
	switch {
	case errors.Is(err, iam.ErrExpiredToken):
		return newError("ExpiredToken")
	case err != nil:
		return newError("InvalidToken")
	case id.AccessKey != accessKey:
		return newError("InvalidToken", "The session token does not belong to the access key that signed the request.")
	}
	h.sessions.put(id, h.cfg.Now())
	req.session = id
	return nil
}

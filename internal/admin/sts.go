package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
)

// RevokeSession is the body of POST sts/revoke: exactly one of the
// session's temporary access key and its token.
type RevokeSession struct {
	AccessKey string `json:"accessKey,omitempty"`
	Token     string `json:"token,omitempty"`
}

// RevokedSession is the answer of POST sts/revoke: the session ended,
// and when its entry leaves the revocation list.
type RevokedSession = iam.RevokedSession

// revokeSession ends one STS session before its expiry. By its token the
// entry lasts until the session's own expiry; by its access key alone,
// until the latest expiry a session issued before now can have.
func (h *Handler) revokeSession(w http.ResponseWriter, r *http.Request) {
	var in RevokeSession
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	if (in.AccessKey == "") == (in.Token == "") {
		writeIAMError(w, fmt.Errorf("%w: give exactly one of the session's access key and its token", iam.ErrInvalid))
		return
	}
	key, until := in.AccessKey, time.Time{}
	if in.Token != "" {
		s, err := h.cfg.IAM.SessionOf(in.Token)
		if err != nil {
			writeIAMError(w, fmt.Errorf("%w: the token is not a session token this deployment issued", iam.ErrInvalid))
			return
		}
		key, until = s.AccessKey, s.Expiry
	}
	var out RevokedSession
	h.change(w, r, func(st *iam.State) error {
		if err := st.RevokeSession(key, until); err != nil {
			return err
		}
		out = RevokedSession{AccessKey: key, Until: st.Revoked[key]}
		return nil
	}, func() any { return out })
}

// listRevoked answers the revocation list.
func (h *Handler) listRevoked(w http.ResponseWriter, r *http.Request) {
	var out []RevokedSession
	h.cfg.IAM.View(func(st *iam.State) { out = st.RevokedSessions() })
	writeJSON(w, http.StatusOK, out)
}

package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// maxAdminResponse bounds a buffered admin API answer.
const maxAdminResponse = 8 << 20

// adminDo makes one admin API call (path under admin.Prefix) signed with
// the session's credentials and dispatched in-process, as the S3 calls
// are: the admin API authenticates it and checks the caller's admin:*
// actions itself. It returns the recorded answer, whatever its status.
func (h *Handler) adminDo(r *http.Request, sess session, method, path string, query url.Values, body []byte) (*recorder, error) {
	if h.cfg.AdminAPI == nil {
		return nil, errNoAdminAPI
	}
	u := &url.URL{Scheme: "http", Host: internalHost, Path: admin.Prefix + path, RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(r.Context(), method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("console: building admin %s request: %w", method, err)
	}
	req.URL = u
	req.Host = internalHost
	req.ContentLength = int64(len(body))
	req.RemoteAddr = r.RemoteAddr
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	if err := sigv4.SignRequest(req, sess.cred, h.cfg.Region, hex.EncodeToString(sum[:]), h.cfg.Now()); err != nil {
		return nil, fmt.Errorf("console: signing: %w", err)
	}
	rec := newRecorder(maxAdminResponse)
	h.cfg.AdminAPI.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.overflow {
		return nil, fmt.Errorf("console: admin answer larger than %d bytes", maxAdminResponse)
	}
	return rec, nil
}

// errNoAdminAPI: the console was started without the admin API.
var errNoAdminAPI = fmt.Errorf("console: no admin API configured")

// allowed asks the admin API which of checks the session's caller may
// take (decided by the server's one authorizer). Without an admin API,
// or when it cannot answer, nothing is reported allowed.
func (h *Handler) allowed(r *http.Request, sess session, checks ...admin.Check) []bool {
	out := make([]bool, len(checks))
	body, err := json.Marshal(admin.AccessQuery{Checks: checks})
	if err != nil {
		return out
	}
	rec, err := h.adminDo(r, sess, http.MethodPost, "access", nil, body)
	if err != nil || rec.status != http.StatusOK {
		return out
	}
	var ans admin.AccessAnswer
	if json.Unmarshal(rec.buf.Bytes(), &ans) != nil || len(ans.Results) != len(checks) {
		return out
	}
	for i, res := range ans.Results {
		out[i] = res.Allowed
	}
	return out
}

package console

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// SSO signs people in to the console through an identity provider
// (OpenID Connect's authorization code flow): the console keeps the
// sign-in's state, the provider authenticates the person, and the
// temporary credentials the server issues for them sign every call of
// their session, which the server authorizes as for any other caller.
type SSO interface {
	// Name names the provider on the sign-in button.
	Name() string
	// Start begins a sign-in: the provider's page to send the browser
	// to, the state it sends back, and what Finish needs, kept here.
	Start(ctx context.Context) (authURL, state string, pending any, err error)
	// Finish completes the sign-in with the code the browser came back
	// with: temporary credentials lasting ttl, and who signed in.
	Finish(ctx context.Context, pending any, code string, ttl time.Duration) (cred sigv4.Credentials, who string, err error)
}

// Bounds on sign-ins in progress.
const (
	ssoPendingTTL = 10 * time.Minute
	ssoMaxPending = 10000
	// ssoMaxPerClient bounds one client address's sign-ins in progress:
	// past it, its oldest is dropped, so nobody fills the table.
	ssoMaxPerClient = 16
)

// ssoPending holds the sign-ins in progress, by state. A full table
// drops its oldest sign-in rather than refuse a new one, and one client
// address holds at most ssoMaxPerClient, so starting sign-ins in bulk
// cannot lock others out.
type ssoPending struct {
	mu       sync.Mutex
	m        map[string]ssoEntry
	byClient map[string]int
}

type ssoEntry struct {
	pending any
	client  string
	created time.Time
}

// put keeps a sign-in of client.
func (p *ssoPending) put(state, client string, pending any, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m, p.byClient = map[string]ssoEntry{}, map[string]int{}
	}
	if p.byClient[client] >= ssoMaxPerClient {
		p.dropOldest(func(e ssoEntry) bool { return e.client == client })
	}
	if len(p.m) >= ssoMaxPending {
		for k, e := range p.m {
			if now.Sub(e.created) > ssoPendingTTL {
				p.drop(k, e)
			}
		}
		if len(p.m) >= ssoMaxPending {
			p.dropOldest(func(ssoEntry) bool { return true })
		}
	}
	p.m[state] = ssoEntry{pending: pending, client: client, created: now}
	p.byClient[client]++
}

// dropOldest forgets the oldest sign-in that match accepts. The caller
// holds p.mu.
func (p *ssoPending) dropOldest(match func(ssoEntry) bool) {
	var oldest string
	var at time.Time
	for k, e := range p.m {
		if match(e) && (oldest == "" || e.created.Before(at)) {
			oldest, at = k, e.created
		}
	}
	if oldest != "" {
		p.drop(oldest, p.m[oldest])
	}
}

// drop forgets one sign-in. The caller holds p.mu.
func (p *ssoPending) drop(state string, e ssoEntry) {
	delete(p.m, state)
	if p.byClient[e.client]--; p.byClient[e.client] <= 0 {
		delete(p.byClient, e.client)
	}
}

// take returns and forgets the sign-in of state, if it is still fresh.
func (p *ssoPending) take(state string, now time.Time) (any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.m[state]
	if !ok {
		return nil, false
	}
	p.drop(state, e)
	if now.Sub(e.created) > ssoPendingTTL {
		return nil, false
	}
	return e.pending, true
}

// ssoCookie names the cookie binding a sign-in to the browser that
// started it, so nobody can sign someone else's browser in with their
// own provider account (a login CSRF) by sending them a callback URL.
func (h *Handler) ssoCookie(r *http.Request) string {
	if h.secure(r) {
		return "__Host-hoard-sso"
	}
	return "hoard-sso"
}

// ssoInfo tells the sign-in page whether and where SSO is offered.
func (h *Handler) ssoInfo(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SSO == nil {
		writeJSON(w, http.StatusOK, map[string]any{"enabled": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"enabled": true, "name": h.cfg.SSO.Name()})
}

// ssoStart sends the browser to the provider.
func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	if h.cfg.SSO == nil {
		h.ssoFail(w, r, "Single sign-on is not configured on this server.")
		return
	}
	authURL, state, pending, err := h.cfg.SSO.Start(r.Context())
	if err != nil {
		h.cfg.Logger.Warn("console: single sign-on could not start", "error", err)
		h.ssoFail(w, r, "The identity provider cannot be reached; try again later.")
		return
	}
	h.sso.put(state, clientAddr(r), pending, h.cfg.Now())
	http.SetCookie(w, &http.Cookie{Name: h.ssoCookie(r), Value: state, Path: "/", MaxAge: int(ssoPendingTTL / time.Second),
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
}

// ssoCallback finishes a sign-in the provider sent back and starts a
// console session with the temporary credentials issued for it.
func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(h.ssoCookie(r))
	http.SetCookie(w, &http.Cookie{Name: h.ssoCookie(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	if h.cfg.SSO == nil {
		h.ssoFail(w, r, "Single sign-on is not configured on this server.")
		return
	}
	if state == "" || err != nil || c.Value != state {
		h.ssoFail(w, r, "This sign-in was not started from this browser; start again.")
		return
	}
	pending, ok := h.sso.take(state, h.cfg.Now())
	if !ok {
		h.ssoFail(w, r, "This sign-in has expired; start again.")
		return
	}
	if e := q.Get("error"); e != "" {
		h.ssoFail(w, r, "The identity provider did not sign you in ("+e+").")
		return
	}
	ttl := min(max(h.cfg.SessionTTL, 15*time.Minute), 12*time.Hour)
	cred, who, err := h.cfg.SSO.Finish(r.Context(), pending, q.Get("code"), ttl)
	if err != nil {
		h.cfg.Logger.Info("console: single sign-on refused", "error", err, "remote", clientAddr(r))
		h.ssoFail(w, r, ssoMessage(err))
		return
	}
	id, _ := h.sessions.createFor(cred, who)
	h.setCookie(w, r, id, int(ttl/time.Second))
	h.cfg.Logger.Info("console: signed in through single sign-on", "user", who, "access_key", cred.AccessKey, "remote", clientAddr(r))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusFound)
}

// ssoFail sends the browser back to the sign-in page with message.
func (h *Handler) ssoFail(w http.ResponseWriter, r *http.Request, message string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/?sso_error="+url.QueryEscape(message), http.StatusFound)
}

// SSOError is an error of SSO.Finish whose message may be shown to the
// person signing in.
type SSOError struct{ Message string }

// Error returns the message shown on the sign-in page.
func (e *SSOError) Error() string { return e.Message }

// ssoMessage is what the sign-in page says of a failed Finish.
func ssoMessage(err error) string {
	if se, ok := err.(*SSOError); ok {
		return se.Message
	}
	return "Signing in through the identity provider failed."
}

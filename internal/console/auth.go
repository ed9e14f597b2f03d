package console

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// CSRFHeader carries the session's CSRF token on every state-changing call.
const CSRFHeader = "X-Hoard-CSRF"

// secure reports whether the browser reached the console over HTTPS:
// this listener serves TLS, or a trusted proxy that terminated TLS says
// so (clientip resolves X-Forwarded-Proto and Forwarded from trusted
// proxies only).
func (h *Handler) secure(r *http.Request) bool {
	return h.cfg.Secure || clientip.FromRequest(r).Secure
}

// cookieName returns the session cookie's name: with the __Host- prefix
// over HTTPS, which makes browsers insist on Secure, Path=/ and no Domain.
func (h *Handler) cookieName(r *http.Request) string {
	if h.secure(r) {
		return "__Host-hoard-session"
	}
	return "hoard-session"
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, id string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     h.cookieName(r),
		Value:    id,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.secure(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// sessionID returns the session cookie's value, or "".
func (h *Handler) sessionID(r *http.Request) string {
	c, err := r.Cookie(h.cookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// sameOrigin reports whether r comes from a page of the console itself, by
// the Fetch metadata, Origin and Referer headers browsers send. A request
// carrying none of them is not from a browser page and is allowed (it still
// needs the cookie and the CSRF token).
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		return err == nil && o != "null" && strings.EqualFold(u.Host, r.Host)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
	return true
}

// safeMethod reports whether m changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionHandler is an API handler that runs for a signed-in session.
type sessionHandler func(w http.ResponseWriter, r *http.Request, sess session)

// authed wraps next with the session and CSRF checks.
func (h *Handler) authed(next sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := h.sessions.get(h.sessionID(r))
		if !ok {
			writeError(w, http.StatusUnauthorized, "NoSession", "You are not signed in, or your session has ended. Please sign in.")
			return
		}
		if !safeMethod(r.Method) {
			if !sameOrigin(r) {
				h.cfg.Logger.Warn("console: cross-origin request refused", "method", r.Method, "path", r.URL.Path,
					"origin", r.Header.Get("Origin"), "remote", clientAddr(r))
				writeError(w, http.StatusForbidden, "CrossOrigin", "The request did not come from the console's own pages.")
				return
			}
			if !sess.validCSRF(r.Header.Get(CSRFHeader)) {
				h.cfg.Logger.Warn("console: bad CSRF token", "method", r.Method, "path", r.URL.Path, "remote", clientAddr(r))
				writeError(w, http.StatusForbidden, "BadCSRFToken", "The request's security token is missing or wrong. Reload the page.")
				return
			}
		}
		next(w, r, sess)
	}
}

// sessionInfo is what the browser learns about its session.
type sessionInfo struct {
	AccessKey string `json:"accessKey"`
	// User names who signed in through single sign-on ("" with keys).
	User      string    `json:"user,omitempty"`
	CSRFToken string    `json:"csrfToken"`
	Expires   time.Time `json:"expires"`
	IdleSecs  int       `json:"idleTimeoutSeconds"`
	Admin     bool      `json:"admin"`
	Region    string    `json:"region"`
}

// info describes sess; Admin (whether the dashboard may be shown) is
// asked of the admin API, which decides with the caller's policies.
func (h *Handler) info(r *http.Request, sess session) sessionInfo {
	return sessionInfo{
		AccessKey: sess.cred.AccessKey,
		User:      sess.user,
		CSRFToken: sess.csrf,
		Expires:   sess.created.Add(h.cfg.SessionTTL).UTC(),
		IdleSecs:  int(h.cfg.IdleTimeout / time.Second),
		Admin:     h.allowed(r, sess, admin.Check{Action: "admin:ServerInfo"})[0],
		Region:    h.cfg.Region,
	}
}

// getSession tells the page whether it is signed in.
func (h *Handler) getSession(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.sessions.get(h.sessionID(r))
	if !ok {
		writeError(w, http.StatusUnauthorized, "NoSession", "You are not signed in.")
		return
	}
	writeJSON(w, http.StatusOK, h.info(r, sess))
}

// clientAddr is the address login failures are counted against (and
// logged): the TCP peer, or the client a trusted proxy forwarded.
func clientAddr(r *http.Request) string { return clientip.FromRequest(r).String() }

// login checks the keys with a signed ListBuckets and starts a session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "CrossOrigin", "Sign in from the console's own page.")
		return
	}
	client := clientAddr(r)
	if d := h.limiter.begin(client); d > 0 {
		secs := int(math.Ceil(d.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, http.StatusTooManyRequests, "TooManyAttempts",
			fmt.Sprintf("Too many failed sign-ins. Try again in %d seconds.", secs))
		return
	}
	result := loginVoid
	defer func() { h.limiter.finish(client, result) }()
	var body struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the access key and secret key as JSON.")
		return
	}
	body.AccessKey = strings.TrimSpace(body.AccessKey)
	if body.AccessKey == "" || body.SecretKey == "" {
		badRequest(w, "Enter both the access key and the secret key.")
		return
	}
	cred := sigv4.Credentials{AccessKey: body.AccessKey, SecretKey: body.SecretKey}
	_, err := h.do(r, session{cred: cred}, s3Call{Method: http.MethodGet, Query: url.Values{"max-buckets": {"1"}}})
	var se *s3Error
	if errors.As(err, &se) && se.Code == "AccessDenied" {
		err = nil // the keys are genuine; the user may just not list buckets
	}
	if err != nil {
		if errors.As(err, &se) && (se.Code == "InvalidAccessKeyId" || se.Code == "SignatureDoesNotMatch" || se.Status == http.StatusForbidden) {
			result = loginFailed
			h.cfg.Logger.Info("console: failed sign-in", "access_key", body.AccessKey, "remote", clientAddr(r))
			writeError(w, http.StatusUnauthorized, "InvalidCredentials", "The access key or the secret key is wrong.")
			return
		}
		h.writeFailure(w, r, err)
		return
	}
	result = loginSucceeded
	id, sess := h.sessions.create(cred)
	h.setCookie(w, r, id, int(h.cfg.SessionTTL/time.Second))
	h.cfg.Logger.Info("console: signed in", "access_key", cred.AccessKey, "remote", clientAddr(r))
	writeJSON(w, http.StatusOK, h.info(r, sess))
}

// logout ends the session and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, sess session) {
	h.sessions.delete(h.sessionID(r))
	h.setCookie(w, r, "", -1)
	w.Header().Set("Clear-Site-Data", `"cache"`)
	writeJSON(w, http.StatusOK, struct{}{})
}

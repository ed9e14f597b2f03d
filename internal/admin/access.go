package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/authz"
	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// caller is who signed an admin request, and the body to read.
type caller struct {
	authz.Caller
	accessKey string
	body      *sigv4.Result
}

type callerKey struct{}

// callerOf resolves a verified request's key: root, or an IAM identity.
func (h *Handler) callerOf(res *sigv4.Result) (caller, error) {
	c := caller{accessKey: res.AccessKey, body: res}
	if res.AccessKey == h.cfg.RootAccessKey {
		c.Root = true
		return c, nil
	}
	if h.cfg.IAM == nil {
		return c, sigv4.ErrAccessDenied
	}
	id, ok := h.cfg.IAM.Lookup(res.AccessKey)
	if !ok {
		return c, sigv4.ErrInvalidAccessKeyID
	}
	c.Identity = id
	return c, nil
}

func callerFrom(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

// allowed reports whether the caller's policies grant the admin action.
func (c caller) allowed(r *http.Request, action string) authz.Decision {
	return authz.Decide(c.Caller, authz.Request{Action: action, Context: requestContext(r)}, nil)
}

// requestContext returns the condition keys of an admin request.
func requestContext(r *http.Request) map[string]string {
	client := clientip.FromRequest(r) // behind trusted proxies: the forwarded client
	ctx := map[string]string{"aws:SecureTransport": strconv.FormatBool(client.Secure)}
	if client.Addr.IsValid() {
		ctx["aws:SourceIp"] = client.Addr.String()
	}
	if v := r.UserAgent(); v != "" {
		ctx["aws:UserAgent"] = v
	}
	return ctx
}

// route registers a handler that needs action (checked first; "" for the
// handlers that decide themselves, as service accounts do).
func (h *Handler) route(pattern, action string, fn http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	h.mux.HandleFunc(method+" "+Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		if action != "" {
			if d := callerFrom(r).allowed(r, action); !d.Allowed {
				writeJSON(w, http.StatusForbidden, errorBody{Code: "AccessDenied", Message: "Access Denied: " + action + " (" + d.Reason + ")"})
				return
			}
		}
		fn(w, r)
	})
}

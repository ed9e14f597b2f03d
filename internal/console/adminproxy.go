package console

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/policy"
)

// maxAdminBody bounds a forwarded admin request body: a policy document
// at its largest and some room for the JSON around it. A larger one is
// refused here, before anything is signed.
const maxAdminBody = policy.MaxSize + 8192

// adminPaths are the admin API endpoints the console's IAM pages reach
// through /api/admin/: users, groups, policies, service accounts, STS
// session revocation, and the caller's own access check. Heal and other
// operations stay with the CLI.
var adminPaths = []string{"iam/", "sts/", "access"}

// forwardable reports whether the console forwards path to the admin API.
func forwardable(path string) bool {
	if path == "" || strings.Contains(path, "..") || strings.Contains(path, "//") {
		return false
	}
	for _, p := range adminPaths {
		folder := strings.HasSuffix(p, "/")
		if !folder && path == p || folder && strings.HasPrefix(path, p) && len(path) > len(p) {
			return true
		}
	}
	return false
}

// adminProxy forwards /api/admin/PATH to the admin API's PATH, signed
// with the session's keys, and hands its answer (status and JSON body,
// errors as {code, message[, line, column]}) back unchanged. The console
// decides nothing: the admin API authorizes every call for the caller.
func (h *Handler) adminProxy(w http.ResponseWriter, r *http.Request, sess session) {
	path := r.PathValue("path")
	if !forwardable(path) {
		writeError(w, http.StatusNotFound, "NotFound", "There is no such console API endpoint.")
		return
	}
	if h.cfg.AdminAPI == nil {
		writeError(w, http.StatusNotImplemented, "NotImplemented", "This console has no access to the admin API.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil {
		badRequest(w, "The request body could not be read.")
		return
	}
	if len(body) > maxAdminBody {
		writeError(w, http.StatusRequestEntityTooLarge, "EntityTooLarge",
			fmt.Sprintf("The request is too large: a policy is at most %d KiB.", policy.MaxSize>>10))
		return
	}
	rec, err := h.adminDo(r, sess, r.Method, path, r.URL.Query(), body)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.buf.Bytes())
}

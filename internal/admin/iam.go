package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/storage"
)

// iamRoutes registers the IAM endpoints, each with the admin action it
// needs (named as MinIO names them, so policies written for it carry
// over).
func (h *Handler) iamRoutes() {
	h.route("GET iam/users", "admin:ListUsers", h.listUsers)
	h.route("POST iam/users", "admin:CreateUser", h.addUser)
	h.route("GET iam/users/{user}", "admin:GetUser", h.userInfo)
	h.route("DELETE iam/users/{user}", "admin:DeleteUser", h.removeUser)
	h.route("POST iam/users/{user}/enable", "admin:EnableUser", h.setUserStatus(iam.Enabled))
	h.route("POST iam/users/{user}/disable", "admin:DisableUser", h.setUserStatus(iam.Disabled))
	h.route("POST iam/users/{user}/secret", "admin:ResetUserSecret", h.rotateUser)

	h.route("GET iam/groups", "admin:ListGroups", h.listGroups)
	h.route("GET iam/groups/{group}", "admin:GetGroup", h.groupInfo)
	h.route("POST iam/groups/{group}/members", "admin:AddUserToGroup", h.addMembers)
	h.route("POST iam/groups/{group}/remove", "admin:RemoveUserFromGroup", h.removeMembers)
	h.route("POST iam/groups/{group}/enable", "admin:EnableGroup", h.setGroupStatus(iam.Enabled))
	h.route("POST iam/groups/{group}/disable", "admin:DisableGroup", h.setGroupStatus(iam.Disabled))

	h.route("GET iam/policies", "admin:ListUserPolicies", h.listPolicies)
	h.route("POST iam/policy-check", "", h.checkPolicy)
	h.route("GET iam/policies/{name}", "admin:GetPolicy", h.policyInfo)
	h.route("PUT iam/policies/{name}", "admin:CreatePolicy", h.createPolicy)
	h.route("DELETE iam/policies/{name}", "admin:DeletePolicy", h.removePolicy)
	h.route("POST iam/attach", "admin:AttachUserOrGroupPolicy", h.attach(true))
	h.route("POST iam/detach", "admin:AttachUserOrGroupPolicy", h.attach(false))
	h.route("GET iam/entities", "admin:GetPolicy", h.entities)

	// Service accounts: a user may manage its own without admin actions.
	h.route("GET iam/svcaccts", "", h.listSvcAccts)
	h.route("POST iam/svcaccts", "", h.addSvcAcct)
	h.route("GET iam/svcaccts/{key}", "", h.svcAcctInfo)
	h.route("POST iam/svcaccts/{key}", "", h.editSvcAcct)
	h.route("DELETE iam/svcaccts/{key}", "", h.removeSvcAcct)

	h.route("POST sts/revoke", "admin:RevokeSession", h.revokeSession)
	h.route("GET sts/revoked", "admin:ListRevokedSessions", h.listRevoked)
}

// maxIAMBody bounds an IAM request's body (a policy document is at most
// policy.MaxSize; the rest is small).
const maxIAMBody = policy.MaxSize + 4096

// readJSON decodes the verified body into v, refusing unknown fields.
func readJSON(r *http.Request, v any) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: the request body is not the expected JSON: %v", iam.ErrInvalid, err)
	}
	return nil
}

// readBody reads the verified body (its SHA-256 checked against the
// signature when the client signed it).
func readBody(r *http.Request) ([]byte, error) {
	c := callerFrom(r)
	var body io.Reader = r.Body
	if c.body != nil && c.body.Body != nil {
		body = c.body.Body
	}
	data, err := io.ReadAll(io.LimitReader(body, maxIAMBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", iam.ErrInvalid, err)
	}
	if len(data) > maxIAMBody {
		return nil, fmt.Errorf("%w: the request body is larger than %d bytes", iam.ErrInvalid, maxIAMBody)
	}
	return data, nil
}

// writeIAMError answers err with its code and status.
func writeIAMError(w http.ResponseWriter, err error) {
	var pe *policy.Error
	switch {
	case errors.As(err, &pe):
		writeJSON(w, http.StatusBadRequest, errorBody{Code: pe.Code, Message: pe.Message, Line: pe.Line, Column: pe.Column})
	case errors.Is(err, errDenied):
		writeJSON(w, http.StatusForbidden, errorBody{Code: "AccessDenied", Message: "Access Denied: " + err.Error()})
	case errors.Is(err, iam.ErrNoSuchUser):
		writeJSON(w, http.StatusNotFound, errorBody{Code: "NoSuchUser", Message: err.Error()})
	case errors.Is(err, iam.ErrNoSuchGroup):
		writeJSON(w, http.StatusNotFound, errorBody{Code: "NoSuchGroup", Message: err.Error()})
	case errors.Is(err, iam.ErrNoSuchPolicy):
		writeJSON(w, http.StatusNotFound, errorBody{Code: "NoSuchPolicy", Message: err.Error()})
	case errors.Is(err, iam.ErrNoSuchServiceAccount):
		writeJSON(w, http.StatusNotFound, errorBody{Code: "NoSuchServiceAccount", Message: err.Error()})
	case errors.Is(err, iam.ErrExists):
		writeJSON(w, http.StatusConflict, errorBody{Code: "AlreadyExists", Message: err.Error()})
	case errors.Is(err, iam.ErrPolicyInUse):
		writeJSON(w, http.StatusConflict, errorBody{Code: "PolicyInUse", Message: err.Error()})
	case errors.Is(err, iam.ErrBuiltin):
		writeJSON(w, http.StatusBadRequest, errorBody{Code: "BuiltinPolicy", Message: err.Error()})
	case errors.Is(err, iam.ErrInvalid):
		writeJSON(w, http.StatusBadRequest, errorBody{Code: "InvalidArgument", Message: err.Error()})
	case errors.Is(err, storage.ErrReadQuorum), errors.Is(err, storage.ErrWriteQuorum):
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: "ServiceUnavailable", Message: err.Error()})
	default:
		writeJSON(w, http.StatusInternalServerError, errorBody{Code: "InternalError", Message: err.Error()})
	}
}

// change runs fn as one IAM change and answers 200 with out, or the error.
func (h *Handler) change(w http.ResponseWriter, r *http.Request, fn func(st *iam.State) error, out func() any) {
	if err := h.cfg.IAM.Change(r.Context(), fn); err != nil {
		writeIAMError(w, err)
		return
	}
	var v any = struct{}{}
	if out != nil {
		v = out()
	}
	writeJSON(w, http.StatusOK, v)
}

package sts

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/oidc"
	"github.com/hoardstore/hoard/internal/policy"
)

// maxWebIdentityToken bounds WebIdentityToken as AWS does.
const maxWebIdentityToken = 20000

// roleSessionName is AWS's pattern for RoleSessionName.
var roleSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

type assumeRoleWithWebIdentityResponse struct {
	XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		SubjectFromWebIdentityToken string `xml:"SubjectFromWebIdentityToken"`
		Audience                    string `xml:"Audience"`
		AssumedRoleUser             struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		Credentials credentialsXML `xml:"Credentials"`
		Provider    string         `xml:"Provider"`
	} `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// unsigned reports whether r carries no signature at all.
func unsigned(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	q := r.URL.Query()
	return !q.Has("X-Amz-Signature") && !q.Has("X-Amz-Credential") && !q.Has("Signature")
}

// serveUnsigned runs an unsigned STS call: only AssumeRoleWithWebIdentity.
func (h *Handler) serveUnsigned(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "reading the request body: "+err.Error())
		return
	}
	if len(body) > maxBody {
		writeError(w, http.StatusBadRequest, "ValidationError", "the request body is too large")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "the body is not a URL-encoded form")
		return
	}
	if form.Get("Action") != "AssumeRoleWithWebIdentity" {
		writeError(w, http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
		return
	}
	h.assumeRoleWithWebIdentity(w, r, form)
}

// assumeRoleWithWebIdentity trades an OpenID Connect identity token for
// temporary credentials with the policies its claims name.
func (h *Handler) assumeRoleWithWebIdentity(w http.ResponseWriter, r *http.Request, form url.Values) {
	if !checkForm(w, "AssumeRoleWithWebIdentity", form, "WebIdentityToken") {
		return
	}
	if h.cfg.WebIdentity == nil {
		writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "No OpenID Connect provider is configured on this server.")
		return
	}
	token := form.Get("WebIdentityToken")
	if len(token) < 4 || len(token) > maxWebIdentityToken {
		writeError(w, http.StatusBadRequest, "ValidationError", "WebIdentityToken must have 4 to 20000 characters")
		return
	}
	name := form.Get("RoleSessionName")
	if name != "" && !roleSessionName.MatchString(name) {
		writeError(w, http.StatusBadRequest, "ValidationError", "RoleSessionName must have 2 to 64 characters of letters, digits and +=,.@_-")
		return
	}
	d, ok := sessionDuration(w, form)
	if !ok {
		return
	}
	claims, err := h.cfg.WebIdentity.Verify(r.Context(), token)
	switch {
	case errors.Is(err, oidc.ErrExpiredToken):
		writeError(w, http.StatusBadRequest, "ExpiredTokenException", "Token is expired")
		return
	case errors.Is(err, oidc.ErrProviderUnavailable):
		h.cfg.Logger.Warn("sts: identity provider unavailable", "error", err)
		writeError(w, http.StatusBadRequest, "IDPCommunicationError", "The identity provider could not be reached; retry later.")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "The web identity token is not valid: "+err.Error())
		return
	}
	if name == "" {
		name = claims.Username
	}
	s, err := h.cfg.IAM.IssueWebSession(iam.WebIdentity{Issuer: claims.Issuer, Subject: claims.Subject,
		Policies: claims.Policies, Claims: claims.Strings}, d, form.Get("Policy"))
	var pe *policy.Error
	switch {
	case errors.Is(err, iam.ErrClaims):
		writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "The web identity token is not usable here: "+err.Error())
		return
	case errors.Is(err, iam.ErrNoPolicy):
		writeError(w, http.StatusForbidden, "AccessDenied", "The token's claims name no policy defined on this server.")
		return
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, "MalformedPolicyDocument", pe.Message)
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "ValidationError", err.Error())
		return
	}
	out := assumeRoleWithWebIdentityResponse{Xmlns: stsNS, RequestID: requestID()}
	out.Result.SubjectFromWebIdentityToken = claims.Subject
	out.Result.Audience = claims.Audience
	out.Result.Provider = claims.Issuer
	out.Result.AssumedRoleUser.Arn = "arn:aws:sts::000000000000:assumed-role/" + iam.FederatedUser(claims.Subject) + "/" + name
	out.Result.AssumedRoleUser.AssumedRoleID = s.AccessKey + ":" + name
	out.Result.Credentials = credentialsOf(s)
	h.cfg.Logger.Info("sts: web identity session issued", "issuer", claims.Issuer, "subject", claims.Subject, "user", claims.Username, "policies", claims.Policies, "expires", s.Expiry)
	writeXML(w, http.StatusOK, out)
}

package sts

import (
	"encoding/xml"
	"net/http"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// account is the one account ID Hoard reports (as in ARNs of policies).
const account = "000000000000"

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// openSession returns the identity of the request's session token, nil
// when it carries none.
func (h *Handler) openSession(r *http.Request) (*iam.Identity, error) {
	token := sigv4.SessionToken(r)
	if token == "" {
		return nil, nil
	}
	return h.cfg.IAM.OpenSession(token)
}

// getCallerIdentity answers who signed the request, as tools check
// before anything else (Terraform, aws sts get-caller-identity).
func (h *Handler) getCallerIdentity(w http.ResponseWriter, caller string, session *iam.Identity) {
	out := getCallerIdentityResponse{Xmlns: stsNS, RequestID: requestID()}
	out.Result.Account = account
	switch {
	case session != nil:
		out.Result.Arn = "arn:aws:sts::" + account + ":assumed-role/" + session.User + "/" + session.AccessKey
		out.Result.UserID = session.User + ":" + session.AccessKey
	case caller == h.cfg.RootAccessKey:
		out.Result.Arn, out.Result.UserID = "arn:aws:iam::"+account+":root", account
	default:
		id, ok := h.cfg.IAM.Lookup(caller)
		if !ok {
			writeError(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
			return
		}
		out.Result.Arn, out.Result.UserID = "arn:aws:iam::"+account+":user/"+id.User, caller
	}
	writeXML(w, http.StatusOK, out)
}

package server

import (
	"crypto/subtle"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/admin"
)

// iamMaxStale bounds how long a node enforces an IAM state it could not
// reload (lost read quorum, wrong key): past it the node refuses every
// IAM key with 503 SlowDown, root's still works, and it recovers by
// itself at the next successful reload (see docs/IAM.md).
const iamMaxStale = 10 * time.Second

// requestAccessKey returns the access key a request is signed with
// (Authorization header, SigV4 or V2, or presigned query), "" if none.
func requestAccessKey(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, rest, ok := strings.Cut(auth, "Credential="); ok {
			ak, _, _ := strings.Cut(rest, "/")
			return strings.TrimSpace(ak)
		}
		if rest, ok := strings.CutPrefix(auth, "AWS "); ok {
			ak, _, _ := strings.Cut(rest, ":")
			return ak
		}
		return ""
	}
	q := r.URL.Query()
	if c := q.Get("X-Amz-Credential"); c != "" {
		ak, _, _ := strings.Cut(c, "/")
		return ak
	}
	return q.Get("AWSAccessKeyId")
}

// refuseStaleIAM answers 503 SlowDown, and reports true, for a request
// signed with an IAM key while the IAM state is stale.
func (s *Server) refuseStaleIAM(w http.ResponseWriter, r *http.Request) bool {
	if !s.iam.Stale() {
		return false
	}
	ak := requestAccessKey(r)
	if ak == "" || subtle.ConstantTimeCompare([]byte(ak), []byte(s.cred.AccessKey)) == 1 {
		return false // anonymous requests carry no IAM key; root does not depend on IAM
	}
	const msg = "Please reduce your request rate. (this node could not reload its IAM state)"
	w.Header().Set("Retry-After", "1")
	if strings.HasPrefix(r.URL.Path, admin.Prefix) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"code":"ServiceUnavailable","message":"` + msg + `"}`))
		return true
	}
	body, _ := xml.Marshal(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: "SlowDown", Message: msg})
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(append([]byte(xml.Header), body...))
	return true
}

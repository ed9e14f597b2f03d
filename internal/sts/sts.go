package sts

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/oidc"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// Config wires the STS handler.
type Config struct {
	Region string
	// Lookup resolves signing keys (root and IAM).
	Lookup        sigv4.Lookup
	IAM           *iam.Manager
	RootAccessKey string
	Logger        *slog.Logger
	// WebIdentity checks the tokens of AssumeRoleWithWebIdentity; nil
	// when no OpenID Connect provider is configured.
	WebIdentity WebIdentityVerifier
}

// WebIdentityVerifier checks an OpenID Connect identity token
// (internal/oidc's Verifier).
type WebIdentityVerifier interface {
	Verify(ctx context.Context, raw string) (*oidc.Claims, error)
}

// Handler serves STS requests.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
}

// New returns the STS handler.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg, verifier: &sigv4.Verifier{Region: cfg.Region, Service: "sts", Lookup: cfg.Lookup, HashBody: true}}
}

// IsSTS reports whether r is an STS call: a form POST to "/" (S3 has no
// operation there).
func IsSTS(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(ct, "application/x-www-form-urlencoded")
}

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// maxBody bounds an STS request's form.
const maxBody = 64 << 10

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		Credentials credentialsXML `xml:"Credentials"`
	} `xml:"AssumeRoleResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	_ = xml.NewEncoder(&buf).Encode(v)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	e := errorResponse{Xmlns: stsNS, RequestID: requestID()}
	e.Error.Type, e.Error.Code, e.Error.Message = "Sender", code, msg
	writeXML(w, status, e)
}

// ServeHTTP verifies the signature (service "sts") and runs the action;
// an unsigned request may only be AssumeRoleWithWebIdentity, which the
// identity token authenticates.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if unsigned(r) {
		h.serveUnsigned(w, r)
		return
	}
	session, err := h.openSession(r)
	if err != nil {
		writeError(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	verifier := h.verifier
	if session != nil {
		// A session's temporary key verifies with its own secret.
		verifier = h.verifier.ForKey(sigv4.Credentials{AccessKey: session.AccessKey, SecretKey: session.Secret})
	}
	res, err := verifier.Verify(r)
	if err == nil && res.Anonymous {
		err = sigv4.ErrAccessDenied
	}
	if err != nil {
		code, _ := sigv4.Code(err)
		if code == "" {
			code = "AccessDenied"
		}
		writeError(w, http.StatusForbidden, code, sigv4.Message(err))
		return
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "reading the request body: "+err.Error())
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "the body is not a URL-encoded form")
		return
	}
	switch a := form.Get("Action"); a {
	case "AssumeRole":
		if session != nil {
			writeError(w, http.StatusForbidden, "AccessDenied", "Temporary credentials cannot assume a role: use an IAM user's keys.")
			return
		}
		h.assumeRole(w, res.AccessKey, form)
	case "GetCallerIdentity":
		h.getCallerIdentity(w, res.AccessKey, session)
	case "AssumeRoleWithWebIdentity":
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "AssumeRoleWithWebIdentity is authenticated by its token: send it unsigned")
	case "":
		writeError(w, http.StatusBadRequest, "MissingAction", "Missing Action")
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", "Hoard's STS supports AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity, not "+a)
	}
}

// assumeRole issues temporary credentials to the IAM user that signed.
func (h *Handler) assumeRole(w http.ResponseWriter, caller string, form url.Values) {
	if !checkForm(w, "AssumeRole", form) {
		return
	}
	if caller == h.cfg.RootAccessKey {
		writeError(w, http.StatusForbidden, "AccessDenied", "The root user cannot assume a role: use an IAM user's keys.")
		return
	}
	id, ok := h.cfg.IAM.Lookup(caller)
	if !ok || id.ServiceAccount {
		writeError(w, http.StatusForbidden, "AccessDenied", "Only an IAM user (not a service account) can assume a role.")
		return
	}
	d, ok := sessionDuration(w, form)
	if !ok {
		return
	}
	name := form.Get("RoleSessionName")
	if len(name) > 64 {
		writeError(w, http.StatusBadRequest, "ValidationError", "RoleSessionName has at most 64 characters")
		return
	}
	s, err := h.cfg.IAM.IssueSession(id.User, d, form.Get("Policy"))
	var pe *policy.Error
	switch {
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, "MalformedPolicyDocument", pe.Message)
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "ValidationError", err.Error())
		return
	}
	out := assumeRoleResponse{Xmlns: stsNS, RequestID: requestID()}
	out.Result.AssumedRoleUser.Arn = "arn:aws:sts::000000000000:assumed-role/" + id.User + "/" + name
	out.Result.AssumedRoleUser.AssumedRoleID = s.AccessKey + ":" + name
	out.Result.Credentials = credentialsOf(s)
	writeXML(w, http.StatusOK, out)
}

// checkForm refuses, for action, a form with a parameter it does not
// take or without Version 2011-06-15, and reports whether it passed.
func checkForm(w http.ResponseWriter, action string, form url.Values, extra ...string) bool {
	for k := range form {
		switch k {
		case "Action", "Version", "DurationSeconds", "Policy", "RoleArn", "RoleSessionName":
		default:
			if !slices.Contains(extra, k) {
				writeError(w, http.StatusBadRequest, "InvalidParameterValue", "Hoard's "+action+" does not support "+k)
				return false
			}
		}
	}
	if v := form.Get("Version"); v != "2011-06-15" {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "Version must be 2011-06-15")
		return false
	}
	return true
}

// sessionDuration reads DurationSeconds (default one hour), refusing a
// value outside AWS's 900 to 43200 seconds.
func sessionDuration(w http.ResponseWriter, form url.Values) (time.Duration, bool) {
	v := form.Get("DurationSeconds")
	if v == "" {
		return iam.DefaultSessionDuration, true
	}
	n, err := strconv.Atoi(v)
	d := time.Duration(n) * time.Second
	if err != nil || d < iam.MinSessionDuration || d > iam.MaxSessionDuration {
		writeError(w, http.StatusBadRequest, "ValidationError", "DurationSeconds must be an integer from 900 to 43200")
		return 0, false
	}
	return d, true
}

// credentialsOf is the Credentials element of a session.
func credentialsOf(s iam.Session) credentialsXML {
	return credentialsXML{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token,
		Expiration: s.Expiry.UTC().Format(time.RFC3339)}
}

package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
)

// ServiceAccountInfo describes a service account (never its secret).
type ServiceAccountInfo struct {
	AccessKey   string          `json:"accessKey"`
	Parent      string          `json:"parent"`
	Status      iam.Status      `json:"status"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Policy      json.RawMessage `json:"policy,omitempty"`
	Expiry      *time.Time      `json:"expiry,omitempty"`
	Created     time.Time       `json:"created"`
}

func svcInfo(a *iam.ServiceAccount) ServiceAccountInfo {
	out := ServiceAccountInfo{AccessKey: a.AccessKey, Parent: a.Parent, Status: a.Status, Name: a.Name,
		Description: a.Description, Created: a.Created}
	if a.Policy != "" {
		out.Policy = json.RawMessage(a.Policy)
	}
	if !a.Expiry.IsZero() {
		e := a.Expiry
		out.Expiry = &e
	}
	return out
}

// NewServiceAccount is the body of POST iam/svcaccts.
type NewServiceAccount struct {
	// Parent is the user the account derives from; empty: the caller.
	Parent      string          `json:"parent,omitempty"`
	AccessKey   string          `json:"accessKey,omitempty"`
	SecretKey   string          `json:"secretKey,omitempty"`
	Policy      json.RawMessage `json:"policy,omitempty"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Expiry      *time.Time      `json:"expiry,omitempty"`
}

// Credentials answers the creation of a service account: the only time
// its secret is shown.
type Credentials struct {
	AccessKey string     `json:"accessKey"`
	SecretKey string     `json:"secretKey"`
	Expiry    *time.Time `json:"expiry,omitempty"`
}

// mayManage decides a service-account call for the accounts of parent: a
// user signed in with its own keys may manage its own; anything else
// (a session included) needs the admin action, and the root user's
// accounts only the root user.
func (h *Handler) mayManage(w http.ResponseWriter, r *http.Request, action, parent string) bool {
	c := callerFrom(r)
	if parent == h.cfg.RootAccessKey && !c.Root {
		// A root service account has root's powers: no admin action
		// may reach one, or its holder could become root.
		writeJSON(w, http.StatusForbidden, errorBody{Code: "AccessDenied", Message: "Access Denied: only the root user manages the root user's service accounts"})
		return false
	}
	if c.Identity != nil && !c.Identity.ServiceAccount && !c.Identity.Session && parent == c.Identity.User {
		// A user's own keys only: a session (AssumeRole, web identity)
		// making its parent a lasting key would shed its session
		// policy and its expiry, so it needs the admin action.
		return true
	}
	if d := c.allowed(r, action); !d.Allowed {
		writeJSON(w, http.StatusForbidden, errorBody{Code: "AccessDenied", Message: "Access Denied: " + action + " (" + d.Reason + ")"})
		return false
	}
	return true
}

func (h *Handler) addSvcAcct(w http.ResponseWriter, r *http.Request) {
	var in NewServiceAccount
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	c := callerFrom(r)
	if in.Parent == "" {
		in.Parent = c.accessKey
		if c.Identity != nil {
			in.Parent = c.Identity.User
		}
	}
	if !h.mayManage(w, r, "admin:CreateServiceAccount", in.Parent) {
		return
	}
	n := iam.NewServiceAccount{Parent: in.Parent, AccessKey: in.AccessKey, Secret: in.SecretKey,
		Name: in.Name, Description: in.Description}
	doc, err := policyDocument(in.Policy)
	if err != nil {
		writeIAMError(w, err)
		return
	}
	n.Policy = doc
	if in.Expiry != nil {
		n.Expiry = in.Expiry.UTC()
	}
	var made iam.ServiceAccount
	h.change(w, r, func(st *iam.State) error {
		var err error
		made, err = st.AddServiceAccount(n)
		return err
	}, func() any {
		out := Credentials{AccessKey: made.AccessKey, SecretKey: made.Secret}
		if !made.Expiry.IsZero() {
			out.Expiry = &made.Expiry
		}
		return out
	})
}

// svcAcct finds an account and checks the caller may act on it.
func (h *Handler) svcAcct(w http.ResponseWriter, r *http.Request, action string) (ServiceAccountInfo, bool) {
	key := r.PathValue("key")
	var (
		out ServiceAccountInfo
		ok  bool
	)
	h.cfg.IAM.View(func(st *iam.State) {
		var a *iam.ServiceAccount
		if a, ok = st.ServiceAccounts[key]; ok {
			out = svcInfo(a)
		}
	})
	if !ok {
		// Checked before saying it is missing: no probing for keys.
		if h.mayManage(w, r, action, "\x00") {
			writeIAMError(w, errNoSuch(iam.ErrNoSuchServiceAccount, key))
		}
		return out, false
	}
	return out, h.mayManage(w, r, action, out.Parent)
}

func (h *Handler) svcAcctInfo(w http.ResponseWriter, r *http.Request) {
	if info, ok := h.svcAcct(w, r, "admin:ListServiceAccounts"); ok {
		writeJSON(w, http.StatusOK, info)
	}
}

func (h *Handler) removeSvcAcct(w http.ResponseWriter, r *http.Request) {
	info, ok := h.svcAcct(w, r, "admin:RemoveServiceAccount")
	if !ok {
		return
	}
	h.change(w, r, func(st *iam.State) error { return st.RemoveServiceAccount(info.AccessKey) }, nil)
}

// policyDocument reads a service account's policy field: a JSON object
// (the document itself), or a JSON string holding the document's text
// as typed, so that a syntax error in it is reported at its own line and
// column; null and "" mean none.
func policyDocument(raw json.RawMessage) (string, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return "", nil
	}
	if trimmed[0] != '"' {
		return string(raw), nil
	}
	var text string
	if err := json.Unmarshal(trimmed, &text); err != nil {
		return "", fmt.Errorf("%w: the policy is not a JSON string or object: %v", iam.ErrInvalid, err)
	}
	return text, nil
}

// ServiceAccountEdit is the body of POST iam/svcaccts/{key}: the fields
// to change. Policy is the new document (an object, or its text as a
// string); an empty string or null removes the account's own policy.
type ServiceAccountEdit struct {
	SecretKey   *string         `json:"secretKey,omitempty"`
	Policy      json.RawMessage `json:"policy,omitempty"`
	Status      *iam.Status     `json:"status,omitempty"`
	Expiry      *time.Time      `json:"expiry,omitempty"`
	NoExpiry    bool            `json:"noExpiry,omitempty"`
	Name        *string         `json:"name,omitempty"`
	Description *string         `json:"description,omitempty"`
}

func (h *Handler) editSvcAcct(w http.ResponseWriter, r *http.Request) {
	info, ok := h.svcAcct(w, r, "admin:UpdateServiceAccount")
	if !ok {
		return
	}
	var in ServiceAccountEdit
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	u := iam.ServiceAccountUpdate{Secret: in.SecretKey, Status: in.Status, Name: in.Name, Description: in.Description, Expiry: in.Expiry}
	if in.NoExpiry {
		u.Expiry = &time.Time{}
	}
	if len(in.Policy) > 0 {
		doc, err := policyDocument(in.Policy)
		if err != nil {
			writeIAMError(w, err)
			return
		}
		u.Policy = &doc
	}
	c := callerFrom(r)
	selfService := !c.Root && !c.allowed(r, "admin:UpdateServiceAccount").Allowed
	h.change(w, r, func(st *iam.State) error {
		if selfService {
			if err := checkSelfServiceEdit(st, info.AccessKey, u); err != nil {
				return err
			}
		}
		return st.UpdateServiceAccount(info.AccessKey, u)
	}, nil)
}

// listSvcAccts lists the accounts of ?user= (default: the caller's).
func (h *Handler) listSvcAccts(w http.ResponseWriter, r *http.Request) {
	c := callerFrom(r)
	parent := r.URL.Query().Get("user")
	if parent == "" {
		parent = c.accessKey
		if c.Identity != nil {
			parent = c.Identity.User
		}
	}
	if !h.mayManage(w, r, "admin:ListServiceAccounts", parent) {
		return
	}
	out := []ServiceAccountInfo{}
	found := parent == c.accessKey
	h.cfg.IAM.View(func(st *iam.State) {
		_, isUser := st.Users[parent]
		found = found || isUser
		for _, a := range st.ServiceAccounts {
			if a.Parent == parent {
				out = append(out, svcInfo(a))
			}
		}
	})
	if !found {
		writeIAMError(w, fmt.Errorf("%w: %q", iam.ErrNoSuchUser, parent))
		return
	}
	slices.SortFunc(out, func(a, b ServiceAccountInfo) int { return compare(a.AccessKey, b.AccessKey) })
	writeJSON(w, http.StatusOK, out)
}

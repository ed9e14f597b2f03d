package admin

import (
	"encoding/json"
	"net/http"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/policy"
)

// PolicyInfo is a policy as the policy endpoints answer it.
type PolicyInfo struct {
	Name     string          `json:"name"`
	Builtin  bool            `json:"builtin"`
	Document json.RawMessage `json:"policy,omitempty"`
}

func (h *Handler) listPolicies(w http.ResponseWriter, r *http.Request) {
	out := []PolicyInfo{}
	h.cfg.IAM.View(func(st *iam.State) {
		for _, n := range st.PolicyNames() {
			_, created := st.Policies[n]
			out = append(out, PolicyInfo{Name: n, Builtin: !created})
		}
	})
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) policyInfo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var (
		out PolicyInfo
		ok  bool
	)
	h.cfg.IAM.View(func(st *iam.State) {
		var doc string
		if doc, ok = st.PolicyDocument(name); ok {
			_, created := st.Policies[name]
			out = PolicyInfo{Name: name, Builtin: !created, Document: json.RawMessage(doc)}
		}
	})
	if !ok {
		writeIAMError(w, errNoSuch(iam.ErrNoSuchPolicy, name))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// createPolicy stores the body, an identity policy document, under name.
func (h *Handler) createPolicy(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	doc, err := readBody(r)
	if err != nil {
		writeIAMError(w, err)
		return
	}
	c := callerFrom(r)
	h.change(w, r, func(st *iam.State) error {
		if err := checkPolicyReplace(c, st, name); err != nil {
			return err
		}
		return st.CreatePolicy(name, string(doc))
	}, nil)
}

// PolicyCheck is the answer of POST iam/policy-check for a document the
// parser accepts.
type PolicyCheck struct {
	Valid      bool `json:"valid"`
	Statements int  `json:"statements"`
}

// checkPolicy parses the body as an identity policy, as createPolicy
// would, and stores nothing: editors check a document before saving it.
// A refusal is the same error createPolicy gives, with the position of a
// syntax error. It needs no admin action (it reveals nothing).
func (h *Handler) checkPolicy(w http.ResponseWriter, r *http.Request) {
	doc, err := readBody(r)
	if err != nil {
		writeIAMError(w, err)
		return
	}
	p, err := policy.ParseIdentity(doc)
	if err != nil {
		writeIAMError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, PolicyCheck{Valid: true, Statements: len(p.Statements)})
}

func (h *Handler) removePolicy(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	h.change(w, r, func(st *iam.State) error { return st.RemovePolicy(name) }, nil)
}

// Attachment is the body of POST iam/attach and iam/detach: policies and
// exactly one of a user and a group.
type Attachment struct {
	Policies []string `json:"policies"`
	User     string   `json:"user,omitempty"`
	Group    string   `json:"group,omitempty"`
}

func (h *Handler) attach(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in Attachment
		if err := readJSON(r, &in); err != nil {
			writeIAMError(w, err)
			return
		}
		c := callerFrom(r)
		h.change(w, r, func(st *iam.State) error {
			if err := checkAttachTarget(c, st, in.User, in.Group); err != nil {
				return err
			}
			if on {
				return st.AttachPolicies(in.Policies, in.User, in.Group)
			}
			return st.DetachPolicies(in.Policies, in.User, in.Group)
		}, nil)
	}
}

// Entities tells, for each policy, who it is attached to.
type Entities struct {
	Policies []PolicyEntities `json:"policies"`
}

// PolicyEntities lists the users and groups of one policy.
type PolicyEntities struct {
	Policy string   `json:"policy"`
	Users  []string `json:"users"`
	Groups []string `json:"groups"`
}

func (h *Handler) entities(w http.ResponseWriter, r *http.Request) {
	out := Entities{Policies: []PolicyEntities{}}
	h.cfg.IAM.View(func(st *iam.State) {
		for _, n := range st.PolicyNames() {
			users, groups := st.PolicyEntities(n)
			if len(users)+len(groups) == 0 {
				continue
			}
			out.Policies = append(out.Policies, PolicyEntities{Policy: n, Users: nonNil(users), Groups: nonNil(groups)})
		}
	})
	writeJSON(w, http.StatusOK, out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

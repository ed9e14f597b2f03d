package admin

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/hoardstore/hoard/internal/iam"
)

// errNoSuch wraps a not-found sentinel with the name looked for.
func errNoSuch(sentinel error, name string) error { return fmt.Errorf("%w: %q", sentinel, name) }

// Members is the body of the group member endpoints.
type Members struct {
	Members []string `json:"members"`
}

func (h *Handler) addMembers(w http.ResponseWriter, r *http.Request) {
	group := r.PathValue("group")
	var in Members
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	h.change(w, r, func(st *iam.State) error { return st.AddGroupMembers(group, in.Members) }, nil)
}

// removeMembers takes members out of a group or, with none named,
// removes the (empty) group.
func (h *Handler) removeMembers(w http.ResponseWriter, r *http.Request) {
	group := r.PathValue("group")
	var in Members
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	h.change(w, r, func(st *iam.State) error { return st.RemoveGroupMembers(group, in.Members) }, nil)
}

func (h *Handler) setGroupStatus(status iam.Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		group := r.PathValue("group")
		h.change(w, r, func(st *iam.State) error { return st.SetGroupStatus(group, status) }, nil)
	}
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) {
	out := []string{}
	h.cfg.IAM.View(func(st *iam.State) {
		for name := range st.Groups {
			out = append(out, name)
		}
	})
	slices.Sort(out)
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) groupInfo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("group")
	var (
		out iam.Group
		ok  bool
	)
	h.cfg.IAM.View(func(st *iam.State) {
		var g *iam.Group
		if g, ok = st.Groups[name]; ok {
			out = *g
			out.Members = slices.Clone(g.Members)
			out.Policies = slices.Clone(g.Policies)
		}
	})
	if !ok {
		writeIAMError(w, errNoSuch(iam.ErrNoSuchGroup, name))
		return
	}
	if out.Policies == nil {
		out.Policies = []string{}
	}
	writeJSON(w, http.StatusOK, out)
}

package admin

import (
	"net/http"
	"slices"
	"time"

	"github.com/hoardstore/hoard/internal/iam"
)

// UserInfo describes a user, as the user endpoints answer it (never with
// its secret).
type UserInfo struct {
	AccessKey string     `json:"accessKey"`
	Status    iam.Status `json:"status"`
	Policies  []string   `json:"policies"`
	Groups    []string   `json:"groups"`
	Created   time.Time  `json:"created"`
}

func userInfo(st *iam.State, u *iam.User) UserInfo {
	info := UserInfo{AccessKey: u.AccessKey, Status: u.Status, Policies: slices.Clone(u.Policies), Groups: []string{}, Created: u.Created}
	if info.Policies == nil {
		info.Policies = []string{}
	}
	for name, g := range st.Groups {
		if slices.Contains(g.Members, u.AccessKey) {
			info.Groups = append(info.Groups, name)
		}
	}
	slices.Sort(info.Groups)
	return info
}

// NewUser is the body of POST iam/users.
type NewUser struct {
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
}

func (h *Handler) addUser(w http.ResponseWriter, r *http.Request) {
	var in NewUser
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	h.change(w, r, func(st *iam.State) error { return st.AddUser(in.AccessKey, in.SecretKey) }, nil)
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	out := []UserInfo{}
	h.cfg.IAM.View(func(st *iam.State) {
		for _, u := range st.Users {
			out = append(out, userInfo(st, u))
		}
	})
	slices.SortFunc(out, func(a, b UserInfo) int { return compare(a.AccessKey, b.AccessKey) })
	writeJSON(w, http.StatusOK, out)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (h *Handler) userInfo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("user")
	var (
		out UserInfo
		ok  bool
	)
	h.cfg.IAM.View(func(st *iam.State) {
		var u *iam.User
		if u, ok = st.Users[name]; ok {
			out = userInfo(st, u)
		}
	})
	if !ok {
		writeIAMError(w, errNoSuch(iam.ErrNoSuchUser, name))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) removeUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("user")
	h.change(w, r, func(st *iam.State) error { return st.RemoveUser(name) }, nil)
}

func (h *Handler) setUserStatus(status iam.Status) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("user")
		h.change(w, r, func(st *iam.State) error { return st.SetUserStatus(name, status) }, nil)
	}
}

// Secret is the body of POST iam/users/{user}/secret, and its answer.
type Secret struct {
	SecretKey string `json:"secretKey"`
}

// rotateUser sets a user's new secret, generated when the body names
// none; the answer carries it, the only time it is shown.
func (h *Handler) rotateUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("user")
	var in Secret
	if err := readJSON(r, &in); err != nil {
		writeIAMError(w, err)
		return
	}
	if in.SecretKey == "" {
		in.SecretKey = iam.NewSecret()
	}
	c := callerFrom(r)
	h.change(w, r, func(st *iam.State) error {
		if err := checkSecretReset(c, st, name); err != nil {
			return err
		}
		return st.SetUserSecret(name, in.SecretKey)
	}, func() any { return in })
}

package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/authz"
	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/storage"
)

// maxChecks bounds the actions one POST access asks about.
const maxChecks = 200

// Check is one action a caller asks about, on a bucket and key for S3
// actions (both empty for ListAllMyBuckets, CreateBucket's bucket is the
// one to create) or on nothing for admin actions.
type Check struct {
	Action string `json:"action"`
	Bucket string `json:"bucket,omitempty"`
	Key    string `json:"key,omitempty"`
}

// AccessQuery is the body of POST access.
type AccessQuery struct {
	Checks []Check `json:"checks"`
}

// CheckResult is the decision on one Check.
type CheckResult struct {
	Check
	Allowed bool `json:"allowed"`
}

// AccessAnswer is the answer of POST access, one result per check in
// the order asked.
type AccessAnswer struct {
	Results []CheckResult `json:"results"`
}

// access tells the caller which of the listed actions it may take, each
// decided by authz as the S3 and admin APIs decide it (identity policies,
// the bucket's policy, a service account's or session's narrowing
// policy, with this request's condition keys). It needs no admin action:
// a caller learns only about itself. The console uses it to hide what
// the server would refuse; the server still decides every call itself.
func (h *Handler) access(w http.ResponseWriter, r *http.Request) {
	var q AccessQuery
	if err := readJSON(r, &q); err != nil {
		writeIAMError(w, err)
		return
	}
	if len(q.Checks) == 0 || len(q.Checks) > maxChecks {
		writeIAMError(w, fmt.Errorf("%w: ask about 1 to %d actions", iam.ErrInvalid, maxChecks))
		return
	}
	for _, c := range q.Checks {
		if !validCheckAction(c.Action) {
			writeIAMError(w, fmt.Errorf("%w: %q is not an S3 or admin action", iam.ErrInvalid, c.Action))
			return
		}
	}
	caller := callerFrom(r).Caller
	ctx := requestContext(r)
	policies := map[string]*policy.Policy{}
	out := AccessAnswer{Results: make([]CheckResult, 0, len(q.Checks))}
	for _, c := range q.Checks {
		bp, ok := policies[c.Bucket]
		if !ok {
			bp = h.bucketPolicy(r, c.Bucket)
			policies[c.Bucket] = bp
		}
		d := authz.Decide(caller, authz.Request{Action: c.Action, Bucket: c.Bucket, Key: c.Key, Context: ctx}, bp)
		out.Results = append(out.Results, CheckResult{Check: c, Allowed: d.Allowed})
	}
	writeJSON(w, http.StatusOK, out)
}

// validCheckAction accepts one exact S3 or admin action (no wildcards).
func validCheckAction(a string) bool {
	service, name, ok := strings.Cut(a, ":")
	if !ok || name == "" || strings.ContainsAny(name, "*?") || (service != "s3" && service != "admin") {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// bucketPolicy returns the parsed policy of bucket, nil when it has none
// (or does not exist, or cannot be read: the answer then errs on the
// side of refusing, as no bucket policy grants anything).
func (h *Handler) bucketPolicy(r *http.Request, bucket string) *policy.Policy {
	if bucket == "" || h.cfg.Layer == nil || !storage.ValidBucketName(bucket) {
		return nil // no such bucket can exist, nor its policy
	}
	info, err := h.cfg.Layer.GetBucketInfo(r.Context(), bucket)
	if err != nil {
		if !errors.Is(err, storage.ErrBucketNotFound) {
			h.cfg.Logger.Warn("admin access: reading a bucket policy", "bucket", bucket, "err", err)
		}
		return nil
	}
	doc, ok := info.Configs[storage.ConfigPolicy]
	if !ok {
		return nil
	}
	p, err := policy.Parse(doc, bucket)
	if err != nil {
		h.cfg.Logger.Warn("admin access: a stored bucket policy does not parse", "bucket", bucket, "err", err)
		return nil
	}
	return p
}

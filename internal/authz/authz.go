package authz

import (
	"maps"
	"strings"

	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/policy"
)

// Account is the account ID in the principal ARNs Hoard gives users
// (arn:aws:iam::000000000000:user/NAME). Hoard is one account: bucket
// policies may name a user under any account ID.
const Account = "000000000000"

// Caller is who makes a request: exactly one of Root, Anonymous or
// Identity.
type Caller struct {
	Root      bool
	Anonymous bool
	Identity  *iam.Identity
}

// Request is what the caller asks.
type Request struct {
	// Action is the S3 or admin action ("s3:GetObject", "admin:ListUsers").
	Action string
	// Bucket and Key name the resource (both empty for ListBuckets and
	// admin actions).
	Bucket, Key string
	// Context holds the request's single-valued condition keys
	// (aws:SourceIp, ...), Sets its multivalued ones.
	Context map[string]string
	Sets    map[string][]string
}

// Decision is the outcome and why.
type Decision struct {
	Allowed bool
	Reason  string
}

func allow(reason string) Decision { return Decision{Allowed: true, Reason: reason} }
func deny(reason string) Decision  { return Decision{Reason: reason} }

// Decide says whether caller may make req; bucketPolicy is the policy of
// req's bucket (nil when it has none).
func Decide(caller Caller, req Request, bucketPolicy *policy.Policy) Decision {
	if caller.Root {
		return allow("root user")
	}
	pr := policy.Request{Action: req.Action, Bucket: req.Bucket, Key: req.Key, Sets: req.Sets}
	ctx := maps.Clone(req.Context)
	if ctx == nil {
		ctx = map[string]string{}
	}
	id := caller.Identity
	if caller.Anonymous || id == nil {
		ctx["aws:PrincipalType"] = "Anonymous"
		pr.Context = ctx
		if bucketPolicy == nil {
			return deny("anonymous request and no bucket policy")
		}
		switch bucketPolicy.Evaluate(pr) {
		case policy.DecisionAllow:
			return allow("bucket policy allows anonymous callers")
		case policy.DecisionDeny:
			return deny("explicit deny in the bucket policy")
		}
		return deny("the bucket policy does not allow anonymous callers")
	}
	if id.Federated != "" {
		// A web identity session is an assumed role, not an IAM user:
		// AWS sets no aws:username for it, and its claims fill the
		// ${jwt:NAME} variables.
		ctx["aws:PrincipalType"] = "AssumedRole"
		ctx["aws:userid"] = id.User
		for k, v := range id.Claims {
			ctx["jwt:"+strings.ToLower(k)] = v
		}
		pr.Principal = "arn:aws:sts::" + Account + ":assumed-role/" + id.User
	} else {
		ctx["aws:PrincipalType"] = "User"
		ctx["aws:username"] = id.User
		ctx["aws:userid"] = id.User
		pr.Principal = policy.UserARN(Account, id.User)
	}
	pr.Context = ctx

	granted := id.ParentRoot
	reason := "the root user's service account"
	for i, p := range id.Policies {
		switch p.Evaluate(pr) {
		case policy.DecisionDeny:
			return deny("explicit deny in policy " + id.PolicyNames[i])
		case policy.DecisionAllow:
			if !granted {
				granted, reason = true, "policy "+id.PolicyNames[i]+" allows"
			}
		}
	}
	if bucketPolicy != nil {
		switch bucketPolicy.Evaluate(pr) {
		case policy.DecisionDeny:
			return deny("explicit deny in the bucket policy")
		case policy.DecisionAllow:
			if !granted {
				granted, reason = true, "the bucket policy allows"
			}
		}
	}
	if id.Inline != nil {
		switch id.Inline.Evaluate(pr) {
		case policy.DecisionDeny:
			return deny("explicit deny in the service account's policy")
		case policy.DecisionNone:
			return deny("the service account's policy does not allow " + req.Action)
		}
	}
	if !granted {
		return deny("no policy allows " + req.Action)
	}
	return allow(reason)
}

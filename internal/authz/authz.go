package authz

import (
	"maps"

	"github.com/hoardstore/hoard/internal/acl"
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

// Bucket is what the decision needs to know of the request's bucket.
type Bucket struct {
	// Policy is the bucket policy (nil when it has none).
	Policy *policy.Policy
	// Owner is the canonical ID of the bucket's (and its objects')
	// owner: the root user's.
	Owner string
	// Ownership is the bucket's object ownership setting;
	// BucketOwnerEnforced (or "") leaves ACLs out of the decision.
	Ownership acl.Ownership
	// ACL is the bucket's grants (nil: private).
	ACL acl.List
	// ObjectACL returns the grants of the object the request acts on
	// (nil: private); it is called only when an object permission could
	// grant what no policy did. Nil stands for a private object.
	ObjectACL func() acl.List
	// PublicAccess is the bucket's public access block.
	PublicAccess acl.PublicAccessBlock
}

// Decision is the outcome and why.
type Decision struct {
	Allowed bool
	Reason  string
}

func allow(reason string) Decision { return Decision{Allowed: true, Reason: reason} }
func deny(reason string) Decision  { return Decision{Reason: reason} }

// Decide says whether caller may make req; bucketPolicy is the policy of
// req's bucket (nil when it has none), and ACLs take no part.
func Decide(caller Caller, req Request, bucketPolicy *policy.Policy) Decision {
	return DecideBucket(caller, req, Bucket{Policy: bucketPolicy})
}

// DecideBucket says whether caller may make req on bucket b, as AWS
// evaluates: an explicit deny in any policy wins; otherwise an allow from
// an identity policy, the bucket policy or an ACL grants the request; a
// service account's own policy narrows it. The public access block of b
// makes public grants count for nothing (IgnorePublicAcls) and a public
// bucket policy grant nothing to anonymous callers (RestrictPublicBuckets).
func DecideBucket(caller Caller, req Request, b Bucket) Decision {
	if caller.Root {
		return allow("root user")
	}
	pr := policy.Request{Action: req.Action, Bucket: req.Bucket, Key: req.Key, Sets: req.Sets}
	ctx := maps.Clone(req.Context)
	if ctx == nil {
		ctx = map[string]string{}
	}
	id := caller.Identity
	anonymous := caller.Anonymous || id == nil
	granted, reason := false, ""
	if anonymous {
		ctx["aws:PrincipalType"] = "Anonymous"
	} else {
		pr.Principal = identityContext(id, ctx)
		granted, reason = id.ParentRoot, "the root user's service account"
	}
	pr.Context = ctx
	if !anonymous {
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
	}
	if b.Policy != nil {
		switch b.Policy.Evaluate(pr) {
		case policy.DecisionDeny:
			return deny("explicit deny in the bucket policy")
		case policy.DecisionAllow:
			switch {
			case granted:
			case anonymous && b.PublicAccess.RestrictPublicBuckets && b.Policy.IsPublic():
				reason = "the public bucket policy is restricted to the account (RestrictPublicBuckets)"
			default:
				granted, reason = true, "the bucket policy allows"
			}
		}
	}
	if !granted {
		if r, ok := aclGrants(caller, req, b); ok {
			granted, reason = true, r
		}
	}
	if !anonymous && id.Inline != nil {
		switch id.Inline.Evaluate(pr) {
		case policy.DecisionDeny:
			return deny("explicit deny in the service account's policy")
		case policy.DecisionNone:
			return deny("the service account's policy does not allow " + req.Action)
		}
	}
	if !granted {
		if reason == "" {
			reason = "no policy or ACL allows " + req.Action
		}
		return deny(reason)
	}
	return allow(reason)
}

// identityContext fills ctx with the condition keys of a signed-in
// identity and returns its principal ARN.
func identityContext(id *iam.Identity, ctx map[string]string) string {
	if id.Federated != "" {
		// A web identity session is an assumed role, not an IAM user:
		// AWS sets no aws:username for it, and its claims fill the
		// ${jwt:NAME} variables.
		ctx["aws:PrincipalType"] = "AssumedRole"
		ctx["aws:userid"] = id.User
		for k, v := range id.Claims {
			ctx["jwt:"+k] = v // names lower-cased when the session was issued
		}
		return "arn:aws:sts::" + Account + ":assumed-role/" + id.User
	}
	ctx["aws:PrincipalType"] = "User"
	ctx["aws:username"] = id.User
	ctx["aws:userid"] = id.User
	return policy.UserARN(Account, id.User)
}

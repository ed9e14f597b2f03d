// Package policy parses AWS access policies and evaluates them: bucket
// policies (the JSON S3 accepts on PutBucketPolicy, whose statements name
// a Principal) and identity policies (attached to users and groups, with
// no Principal, see ParseIdentity). One evaluator serves both: an explicit
// Deny wins, otherwise some Allow must match the principal, the action,
// the resource and every condition; Evaluate tells the three outcomes
// apart so that callers can combine several policies as AWS does.
//
// A bucket policy statement applies to anonymous callers through
// Principal "*" (or a NotPrincipal that does not name "*"), and to IAM
// users it names by ARN. Conditions are evaluated over single-valued and
// multivalued keys with AWS's set qualifiers; the caller supplies every
// key's value (Request), so the evaluator stays one implementation for
// bucket and identity policies.
//
// Version 2012-10-17 policies may use the variables ${aws:username} and
// ${aws:userid} in resources and condition values, filled from the
// request's context.
//
// It is pure (no I/O) and imports only the standard library. Documents are
// checked strictly (exact key names, no duplicate keys, no trailing data)
// so that a policy is never read one way and shown another.
package policy

// Package policy parses S3 bucket policies (the JSON access-policy
// language S3 accepts on PutBucketPolicy) and decides whether they allow
// an anonymous request: an explicit Deny wins, otherwise some Allow must
// match the action, the resource and every condition.
//
// Hoard has one identity, the root user, who may do everything; a bucket
// policy therefore only opens a bucket to anonymous callers (Principal
// "*", or a NotPrincipal that does not name "*"). Statements naming other
// principals are accepted and stored but never match. Conditions are
// evaluated over single-valued and multivalued keys with AWS's set
// qualifiers; the caller supplies every key's value (Request), so the
// evaluator stays one implementation for bucket and identity policies.
//
// It is pure (no I/O) and imports only the standard library. Documents are
// checked strictly (exact key names, no duplicate keys, no trailing data)
// so that a policy is never read one way and shown another.
package policy

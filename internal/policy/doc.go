// Package policy parses S3 bucket policies (the JSON access-policy
// language S3 accepts on PutBucketPolicy) and decides whether they allow
// an anonymous request: an explicit Deny wins, otherwise some Allow must
// match the action, the resource and every condition.
//
// Hoard has one identity, the root user, who may do everything; a bucket
// policy therefore only opens a bucket to anonymous callers (Principal
// "*"). Statements naming other principals are accepted and stored but
// never match.
//
// It is pure (no I/O) and imports only the standard library. Documents are
// checked strictly (exact key names, no duplicate keys, no trailing data)
// so that a policy is never read one way and shown another.
package policy

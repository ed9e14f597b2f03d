package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// MaxSize is the largest policy document accepted, in bytes, as in S3.
const MaxSize = 20 << 10

// Effect is a statement's Allow or Deny.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed bucket policy.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one rule of a policy.
type Statement struct {
	Sid    string
	Effect Effect
	// Anyone is set when the statement's principal block includes "*"
	// (everyone, anonymous callers too).
	Anyone bool
	// NotPrincipal says the principal block is a NotPrincipal: the
	// statement applies to every principal it does not name (to nobody
	// when it names "*").
	NotPrincipal bool
	// Principals are the other AWS principals named (user ARNs such as
	// "arn:aws:iam::123456789012:user/alice").
	Principals []string
	// Identity is set for the statements of an identity policy (they
	// have no Principal: they apply to whoever the policy is attached to).
	Identity bool
	// Actions or NotActions (exactly one is set) are action patterns
	// such as "s3:Get*".
	Actions, NotActions []string
	// Resources or NotResources (exactly one is set) are ARN patterns
	// such as "arn:aws:s3:::photos/public/*".
	Resources, NotResources []string
	Conditions              []Condition

	// vars is set when the policy's version (2012-10-17) has policy
	// variables such as ${aws:username}.
	vars bool
}

// Error is a policy S3 refuses: Code is the S3 error code. Line and
// Column (from 1) locate a JSON syntax or structure error in the
// document; both are 0 for other errors.
type Error struct {
	Code    string
	Message string
	Line    int
	Column  int
}

// Error implements error.
func (e *Error) Error() string { return "policy: " + e.Code + ": " + e.Message }

func malformed(format string, args ...any) error {
	return &Error{Code: "MalformedPolicy", Message: fmt.Sprintf(format, args...)}
}

// document is the JSON form; fields that may be a string or a list are
// decoded by stringList.
type document struct {
	Version   string
	ID        string `json:"Id"`
	Statement json.RawMessage
}

type statementDoc struct {
	Sid          string
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       stringList
	NotAction    stringList
	Resource     stringList
	NotResource  stringList
	Condition    map[string]map[string]stringList
}

// stringList decodes a JSON string or list of strings; booleans and
// numbers (as condition values may be written) become their text.
type stringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *stringList) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	out := make(stringList, 0, len(items))
	for _, it := range items {
		switch x := it.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			return fmt.Errorf("want a string or a list of strings")
		}
	}
	*l = out
	return nil
}

// Parse reads and validates the policy of bucket. A document S3 would
// refuse returns an *Error.
func Parse(doc []byte, bucket string) (*Policy, error) {
	return parse(doc, bucket)
}

// parse reads a bucket policy (bucket != "") or an identity policy
// (bucket == "", see ParseIdentity).
func parse(doc []byte, bucket string) (*Policy, error) {
	if len(doc) > MaxSize {
		return nil, malformed("Policies must be at most %d bytes.", MaxSize)
	}
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, malformed("Policies must be valid JSON and the first byte must be '{'")
	}
	start := len(doc) - len(bytes.TrimLeftFunc(doc, unicode.IsSpace))
	if err := checkStructure(doc[:start+len(trimmed)], start); err != nil {
		e := malformed("This policy is not a valid policy document: %v", err).(*Error)
		var pe *positioned
		if errors.As(err, &pe) {
			e.Line, e.Column = pe.line, pe.column
		}
		return nil, e
	}
	var d document
	if err := strictUnmarshal(trimmed, &d); err != nil {
		return nil, malformed("This policy is not a valid policy document: %v", err)
	}
	switch d.Version {
	case "2012-10-17", "2008-10-17":
	case "":
		return nil, malformed("Missing required field Version")
	default:
		return nil, malformed("The policy must contain a valid version string")
	}
	var stmts []statementDoc
	switch {
	case len(d.Statement) == 0 || string(d.Statement) == "null":
		return nil, malformed("Missing required field Statement")
	case d.Statement[0] == '[':
		err := strictUnmarshal(d.Statement, &stmts)
		if err != nil {
			return nil, malformed("Statement: %v", err)
		}
	default:
		var one statementDoc
		if err := strictUnmarshal(d.Statement, &one); err != nil {
			return nil, malformed("Statement: %v", err)
		}
		stmts = []statementDoc{one}
	}
	if len(stmts) == 0 {
		return nil, malformed("Missing required field Statement")
	}
	p := &Policy{Version: d.Version, ID: d.ID}
	sids := map[string]bool{}
	for i := range stmts {
		if sid := stmts[i].Sid; sid != "" {
			if sids[sid] {
				return nil, malformed("Statement IDs (Sid) in a policy must be unique: %s", sid)
			}
			sids[sid] = true
		}
		s, err := parseStatement(&stmts[i], bucket)
		if err != nil {
			if bucket == "" {
				err = atStatementIndex(err, i)
			}
			return nil, err
		}
		s.vars = d.Version == "2012-10-17"
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func parseStatement(d *statementDoc, bucket string) (Statement, error) {
	s := Statement{Sid: d.Sid, Effect: Effect(d.Effect)}
	if s.Effect != Allow && s.Effect != Deny {
		return s, malformed("Invalid effect: %s", d.Effect)
	}
	if bucket == "" {
		if len(d.Principal) > 0 || len(d.NotPrincipal) > 0 {
			return s, malformed("Policy document should not specify a principal.")
		}
		s.Identity = true
	} else {
		block := d.Principal
		switch {
		case len(d.Principal) > 0 && len(d.NotPrincipal) > 0:
			return s, malformed("A statement must have exactly one of Principal and NotPrincipal")
		case len(d.NotPrincipal) > 0:
			block, s.NotPrincipal = d.NotPrincipal, true
		case len(d.Principal) == 0:
			return s, malformed("Missing required field Principal")
		}
		anyone, arns, err := parsePrincipal(block)
		if err != nil {
			return s, err
		}
		s.Anyone, s.Principals = anyone, arns
	}
	if (d.Action == nil) == (d.NotAction == nil) {
		return s, malformed("A statement must have exactly one of Action and NotAction")
	}
	if len(d.Action)+len(d.NotAction) == 0 {
		return s, malformed("Action and NotAction must name at least one action")
	}
	s.Actions, s.NotActions = d.Action, d.NotAction
	for _, a := range append(s.Actions[:len(s.Actions):len(s.Actions)], s.NotActions...) {
		if !validAction(a) && !(s.Identity && validIdentityAction(a)) {
			return s, malformed("Policy has invalid action: %s", a)
		}
	}
	if s.Identity && d.Resource == nil && d.NotResource == nil && allAdmin(s.Actions) {
		// Administration actions name no resource (as in MinIO's policies).
		s.Resources = []string{"*"}
		return s, parseConditions(&s, d.Condition)
	}
	if (d.Resource == nil) == (d.NotResource == nil) {
		return s, malformed("A statement must have exactly one of Resource and NotResource")
	}
	if len(d.Resource)+len(d.NotResource) == 0 {
		return s, malformed("Resource and NotResource must name at least one resource")
	}
	s.Resources, s.NotResources = d.Resource, d.NotResource
	for _, r := range append(s.Resources[:len(s.Resources):len(s.Resources)], s.NotResources...) {
		if s.Identity {
			if !validIdentityResource(r) {
				return s, malformed("Policy has invalid resource: %s", r)
			}
			continue
		}
		if !inBucket(r, bucket) {
			return s, malformed("Policy has invalid resource: %s (a bucket policy may only name arn:aws:s3:::%s and objects in it)", r, bucket)
		}
	}
	return s, parseConditions(&s, d.Condition)
}

// parseConditions reads a statement's Condition block into s.
func parseConditions(s *Statement, cond map[string]map[string]stringList) error {
	for op, keys := range cond {
		for key, values := range keys {
			c, err := parseCondition(op, key, values)
			if err != nil {
				return err
			}
			s.Conditions = append(s.Conditions, c)
		}
	}
	return nil
}

// parsePrincipal reports whether a Principal names everyone, and the
// other AWS principals it names.
func parsePrincipal(raw json.RawMessage) (bool, []string, error) {
	var star string
	if err := json.Unmarshal(raw, &star); err == nil {
		if star != "*" {
			return false, nil, malformed("Invalid principal in policy: %s", star)
		}
		return true, nil, nil
	}
	var m map[string]stringList
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return false, nil, malformed("Invalid principal in policy")
	}
	anyone := false
	var arns []string
	for kind, ids := range m {
		if len(ids) == 0 {
			return false, nil, malformed("Invalid principal in policy: %s names nobody", kind)
		}
		switch kind {
		case "AWS", "CanonicalUser", "Service", "Federated":
		default:
			return false, nil, malformed("Invalid principal in policy: %s", kind)
		}
		for _, id := range ids {
			if id == "" {
				return false, nil, malformed("Invalid principal in policy")
			}
			switch {
			case id == "*" && kind == "AWS":
				anyone = true
			case kind == "AWS":
				arns = append(arns, id)
			}
		}
	}
	return anyone, arns, nil
}

// validAction accepts "*" and "s3:NAME" patterns.
func validAction(a string) bool {
	if a == "*" {
		return true
	}
	name, ok := strings.CutPrefix(strings.ToLower(a), "s3:")
	if !ok || name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '*' || c == '?') {
			return false
		}
	}
	return true
}

// inBucket accepts resource patterns that can only match bucket or
// objects in it.
func inBucket(r, bucket string) bool {
	const prefix = "arn:aws:s3:::"
	rest, ok := strings.CutPrefix(r, prefix)
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name == bucket
}

// Request is what Allowed decides on: an anonymous request's action, the
// ARN of its resource and its condition keys.
type Request struct {
	// Action is the S3 action, e.g. "s3:GetObject".
	Action string
	// Bucket and Key name the resource; Key is empty for bucket actions.
	Bucket, Key string
	// Context holds the single-valued condition keys' values
	// ("aws:SourceIp", "s3:prefix", "s3:ExistingObjectTag/team", ...) and
	// Sets the multivalued ones ("s3:RequestObjectTagKeys"); a key absent
	// from both is missing from the request. "aws:username" and
	// "aws:userid" also fill the policy variables ${aws:username} and
	// ${aws:userid}.
	Context map[string]string
	Sets    map[string][]string
	// Principal is the caller's ARN (arn:aws:iam::ACCOUNT:user/NAME);
	// empty for an anonymous caller.
	Principal string
}

// Resource returns the request's ARN.
func (r Request) Resource() string {
	if r.Key == "" {
		return "arn:aws:s3:::" + r.Bucket
	}
	return "arn:aws:s3:::" + r.Bucket + "/" + r.Key
}

// Allowed reports whether p lets the caller of req make it: no matching
// Deny and at least one matching Allow.
func (p *Policy) Allowed(req Request) bool { return p.Evaluate(req) == DecisionAllow }

// appliesToAnonymous reports whether the statement's principal block
// takes in an anonymous caller: Principal "*", or a NotPrincipal that
// does not name "*".
func (s *Statement) appliesToAnonymous() bool { return s.Anyone != s.NotPrincipal }

func (s *Statement) matches(req Request) bool {
	if !s.appliesTo(req.Principal) {
		return false
	}
	// Parse guarantees exactly one of each pair is non-empty.
	if len(s.Actions) > 0 && !anyMatch(s.Actions, req.Action, true) || len(s.NotActions) > 0 && anyMatch(s.NotActions, req.Action, true) {
		return false
	}
	// Admin actions name no resource. An Allow reaches one only by naming
	// it with an "admin:" pattern, over every resource (Resource "*",
	// "arn:aws:s3:::*" or none): "*", NotAction or a statement limited to
	// some buckets never grants administration, which would make any
	// bucket-scoped policy root-equivalent. A Deny is not narrowed: it
	// refuses whatever its actions match.
	if isAdminAction(req.Action) {
		if s.Effect == Allow && !s.grantsAdmin(req.Action) {
			return false
		}
	} else {
		res := req.Resource()
		if len(s.Resources) > 0 && !s.anyResource(s.Resources, res, req) ||
			len(s.NotResources) > 0 && s.anyResource(s.NotResources, res, req) {
			return false
		}
	}
	for i := range s.Conditions {
		if !s.Conditions[i].holdsWith(req, s.vars) {
			return false
		}
	}
	return true
}

// grantsAdmin reports whether an Allow statement grants the
// administration action: an "admin:" pattern of its Action matches it and
// its Resource, if any, is every resource.
func (s *Statement) grantsAdmin(action string) bool {
	named := false
	for _, a := range s.Actions {
		if isAdminAction(a) && anyMatch([]string{a}, action, true) {
			named = true
			break
		}
	}
	if !named || len(s.NotResources) > 0 {
		return false
	}
	for _, r := range s.Resources {
		if r != "*" && r != "arn:aws:s3:::*" {
			return false
		}
	}
	return true
}

// UsesKey reports whether a condition of p names a key of the family
// prefix ("s3:ExistingObjectTag/"), in any case: the caller then looks up
// values it would not otherwise fetch.
func (p *Policy) UsesKey(prefix string) bool {
	prefix = strings.ToLower(prefix)
	for _, s := range p.Statements {
		for _, c := range s.Conditions {
			if strings.HasPrefix(c.Key, prefix) {
				return true
			}
		}
	}
	return false
}

// IsPublic reports whether p allows anyone something without limiting
// them to given source addresses (GetBucketPolicyStatus); address ranges
// wider than /8 (IPv4) or /32 (IPv6) do not count as a limit.
func (p *Policy) IsPublic() bool {
	for _, s := range p.Statements {
		if s.Effect != Allow || !s.appliesToAnonymous() {
			continue
		}
		limited := false
		for _, c := range s.Conditions {
			if c.Key == "aws:sourceip" && c.Op == "IpAddress" && !c.IfExists && c.narrow() {
				limited = true
			}
		}
		if !limited {
			return true
		}
	}
	return false
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if match(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if match(p, s) {
			return true
		}
	}
	return false
}

// match reports whether s matches pattern, where "*" stands for any run of
// characters and "?" for any one character.
func match(patternText, text string) bool {
	// Iterative wildcard matching over characters, backtracking to the
	// last star.
	pattern, s := []rune(patternText), []rune(text)
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

package policy

import (
	"errors"
	"fmt"
	"strings"
)

// ParseIdentity reads and validates an identity policy: a policy attached
// to users and groups (or narrowing a service account). Its statements
// have no Principal, may name any bucket ("*" or arn:aws:s3:::...) and
// may grant Hoard's administration actions ("admin:CreateUser", ...).
// An error names the statement (and for syntax errors the line and
// column) it was found at.
func ParseIdentity(doc []byte) (*Policy, error) { return parse(doc, "") }

// Decision is what one policy says about a request.
type Decision int

// The three outcomes of evaluating one policy.
const (
	// DecisionNone: no statement matched (an implicit deny).
	DecisionNone Decision = iota
	// DecisionAllow: an Allow matched and no Deny did.
	DecisionAllow
	// DecisionDeny: a Deny matched (an explicit deny, which wins over
	// every Allow of every policy).
	DecisionDeny
)

// String names the decision.
func (d Decision) String() string {
	switch d {
	case DecisionAllow:
		return "allow"
	case DecisionDeny:
		return "deny"
	}
	return "none"
}

// Evaluate decides req against p: DecisionDeny when a Deny statement
// matches, else DecisionAllow when an Allow does, else DecisionNone.
func (p *Policy) Evaluate(req Request) Decision {
	d := DecisionNone
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.matches(req) {
			continue
		}
		if s.Effect == Deny {
			return DecisionDeny
		}
		d = DecisionAllow
	}
	return d
}

// appliesTo reports whether the statement concerns the caller principal
// ("" for an anonymous caller). Identity statements apply to whoever holds
// the policy; a Principal block to those it names ("*": everyone); a
// NotPrincipal block to everyone it does not name. A principal ARN names
// a user by its name: Hoard is one account, so the account ID in the ARN
// is not compared.
func (s *Statement) appliesTo(principal string) bool {
	if s.Identity {
		return true
	}
	if s.NotPrincipal {
		return !s.Anyone && !s.names(principal)
	}
	return s.Anyone || s.names(principal)
}

// names reports whether the statement's principal block names principal.
func (s *Statement) names(principal string) bool {
	if principal == "" {
		return false
	}
	want := userOf(principal)
	for _, p := range s.Principals {
		if p == principal || want != "" && userOf(p) == want {
			return true
		}
	}
	return false
}

// userOf returns NAME of "arn:aws:iam::ACCOUNT:user/NAME", "" for anything
// else.
func userOf(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return ""
	}
	_, name, ok := strings.Cut(rest, ":user/")
	if !ok {
		return ""
	}
	return name
}

// UserARN returns the principal ARN of the user name, as policies name it.
func UserARN(account, name string) string {
	return "arn:aws:iam::" + account + ":user/" + name
}

// anyResource reports whether one of the resource patterns matches res,
// after putting in the policy variables when the policy version has them.
func (s *Statement) anyResource(patterns []string, res string, req Request) bool {
	for _, p := range patterns {
		if s.vars && strings.Contains(p, "${") {
			var ok bool
			if p, ok = substitute(p, req); !ok {
				continue // a variable with no value matches nothing
			}
		}
		if match(p, res) {
			return true
		}
	}
	return false
}

// substitute replaces ${aws:username}, ${aws:userid} and the escapes ${*},
// ${?} and ${$} in s; false when a variable has no value in ctx. A
// substituted value is matched literally: its "*" and "?" are escaped by
// leaving them out of the wildcard alphabet, see literal.
func substitute(s string, req Request) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch name {
		case "*", "?", "$":
			// The escapes stand for the character itself; in a
			// pattern, "*" and "?" still work as wildcards (as in AWS,
			// where ${*} exists to write them next to a variable).
			b.WriteString(name)
		default:
			vals, ok := req.lookup(strings.ToLower(name))
			if !ok || len(vals) != 1 || vals[0] == "" {
				return "", false
			}
			b.WriteString(literal(vals[0]))
		}
		s = s[i+j+1:]
	}
}

// literal keeps a substituted value from acting as a pattern: a user name
// cannot hold "*" or "?" (IAM names never do), so a value with them is
// replaced by one that matches nothing a request can name.
func literal(v string) string {
	if strings.ContainsAny(v, "*?") {
		return "\x00"
	}
	return v
}

// holdsWith evaluates the condition, first putting the policy variables
// into its values when vars is set.
func (c *Condition) holdsWith(req Request, vars bool) bool {
	if !vars {
		return c.holds(req)
	}
	subst := false
	for _, v := range c.Values {
		if strings.Contains(v, "${") {
			subst = true
			break
		}
	}
	if !subst {
		return c.holds(req)
	}
	cc := *c
	cc.Values = make([]string, 0, len(c.Values))
	for _, v := range c.Values {
		if s, ok := substitute(v, req); ok {
			cc.Values = append(cc.Values, s)
		}
	}
	if len(cc.Values) == 0 {
		// No value can be compared: only a negated operator holds.
		return operators[c.Op]
	}
	return cc.holds(req)
}

// isAdminAction reports whether action is one of Hoard's administration
// actions ("admin:...").
func isAdminAction(action string) bool {
	return len(action) > 6 && strings.EqualFold(action[:6], "admin:")
}

// validIdentityAction accepts, besides the S3 actions, "admin:*" and the
// administration actions of AdminActions (exactly, or as a pattern).
func validIdentityAction(a string) bool {
	name, ok := strings.CutPrefix(strings.ToLower(a), "admin:")
	if !ok || name == "" {
		return false
	}
	if strings.ContainsAny(name, "*?") {
		for _, c := range name {
			if !(c >= 'a' && c <= 'z' || c == '*' || c == '?') {
				return false
			}
		}
		return true
	}
	for _, known := range AdminActions {
		if strings.EqualFold(known, a) {
			return true
		}
	}
	return false
}

// validIdentityResource accepts "*" and S3 ARNs of any bucket.
func validIdentityResource(r string) bool {
	if r == "*" {
		return true
	}
	rest, ok := strings.CutPrefix(r, "arn:aws:s3:::")
	return ok && rest != ""
}

// atStatementIndex adds the statement's position to a policy error.
func atStatementIndex(err error, i int) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	return &Error{Code: e.Code, Message: fmt.Sprintf("%s (Statement[%d])", e.Message, i)}
}

// allAdmin reports whether every action is an administration action.
func allAdmin(actions []string) bool {
	for _, a := range actions {
		if !isAdminAction(a) {
			return false
		}
	}
	return len(actions) > 0
}

package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/policy"
)

// ErrNoPolicy refuses a web identity whose token names no policy this
// deployment defines: its session could do nothing.
var ErrNoPolicy = errors.New("iam: the identity token names no policy defined here")

// ErrClaims refuses a web identity whose claims cannot all be carried
// (too many, too long, or names that differ only in case).
var ErrClaims = errors.New("iam: the identity token's claims cannot be used")

// Bounds on what a web identity session token carries (it travels with
// every request the session signs).
const (
	maxWebPolicies   = 32
	maxWebClaims     = 48
	maxWebClaimBytes = 1024
	// maxWebClaimsTotal bounds names and values together, so the
	// session token stays well inside a request's header limit.
	maxWebClaimsTotal = 3072
)

// WebIdentity is who an OpenID Connect identity token says its holder
// is, as STS AssumeRoleWithWebIdentity verified it.
type WebIdentity struct {
	// Issuer and Subject name the holder (the token's iss and sub).
	Issuer, Subject string
	// Policies are the named policies the token grants.
	Policies []string
	// Claims are string claims of the token, for the ${jwt:NAME} policy
	// variables (a bounded number of short ones are kept).
	Claims map[string]string
}

// FederatedUser is the user name of a web identity session: the token's
// subject, prefixed so that it never names an IAM user (":" is not
// allowed in IAM names).
func FederatedUser(subject string) string { return "oidc:" + subject }

// webClaims is what a web identity session token carries beside the
// common claims.
type webClaims struct {
	Issuer   string            `json:"iss"`
	Subject  string            `json:"sub"`
	Policies []string          `json:"pols"`
	Claims   map[string]string `json:"c,omitempty"`
}

// IssueWebSession returns temporary credentials for w, valid for d
// (bounded as for IssueSession), narrowed by the session policy doc when
// not empty. The session has the named policies w lists that exist when
// each request is checked (a policy deleted later stops applying); at
// least one must exist now (ErrNoPolicy).
func (m *Manager) IssueWebSession(w WebIdentity, d time.Duration, doc string) (Session, error) {
	if w.Issuer == "" || w.Subject == "" {
		return Session{}, invalid("a web identity needs an issuer and a subject")
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return Session{}, invalid("a session lasts %v to %v", MinSessionDuration, MaxSessionDuration)
	}
	if doc != "" {
		if _, err := policy.ParseIdentity([]byte(doc)); err != nil {
			return Session{}, err
		}
	}
	named := m.cur.Load().named
	var pols []string
	for _, n := range w.Policies {
		if len(pols) == maxWebPolicies {
			break
		}
		if !slices.Contains(pols, n) {
			pols = append(pols, n)
		}
	}
	if !slices.ContainsFunc(pols, func(n string) bool { _, ok := named[n]; return ok }) {
		return Session{}, fmt.Errorf("%w: %q", ErrNoPolicy, pols)
	}
	claims, err := sessionClaimsOf(w.Claims)
	if err != nil {
		return Session{}, err
	}
	c := sessionClaims{AccessKey: "ASIA" + randomKey(16, upperAlnum), Secret: randomKey(40, secretChars),
		Expiry: m.cfg.Now().Add(d).UTC().Truncate(time.Second), Policy: doc, Version: sessionVersion,
		Web: &webClaims{Issuer: w.Issuer, Subject: w.Subject, Policies: pols, Claims: claims}}
	data, err := json.Marshal(c)
	if err != nil {
		return Session{}, fmt.Errorf("iam: %w", err)
	}
	token, err := m.cfg.Sealer.SealData(sessionLabel, data)
	if err != nil {
		return Session{}, err
	}
	return Session{AccessKey: c.AccessKey, Secret: c.Secret, Token: token, Parent: FederatedUser(w.Subject), Expiry: c.Expiry}, nil
}

// sessionClaimsOf returns the claims a session carries for the
// ${jwt:NAME} variables and condition keys, names lower-cased (policy
// keys are case-insensitive). Nothing is dropped silently: a policy's
// Deny conditioned on a claim must see it, so a token with claims past
// the bounds, or two claims whose names differ only in case (either
// could stand for the other), is refused.
func sessionClaimsOf(in map[string]string) (map[string]string, error) {
	if len(in) > maxWebClaims {
		return nil, fmt.Errorf("%w: the token has %d string claims, at most %d are accepted", ErrClaims, len(in), maxWebClaims)
	}
	out := make(map[string]string, len(in))
	total := 0
	for k, v := range in {
		if total += len(k) + len(v); total > maxWebClaimsTotal {
			return nil, fmt.Errorf("%w: the token's string claims hold more than %d bytes", ErrClaims, maxWebClaimsTotal)
		}
		lk := strings.ToLower(k)
		if len(k) > 64 || len(v) > maxWebClaimBytes {
			return nil, fmt.Errorf("%w: claim %.64q is longer than %d bytes", ErrClaims, k, maxWebClaimBytes)
		}
		if _, dup := out[lk]; dup {
			return nil, fmt.Errorf("%w: claims named %q differ only in case", ErrClaims, lk)
		}
		out[lk] = v
	}
	return out, nil
}

// webIdentity is the identity of an open web identity session: the
// named policies its token granted that exist now, narrowed by its
// session policy.
func (m *Manager) webIdentity(c sessionClaims) (*Identity, error) {
	if m.Stale() {
		return nil, ErrInvalidToken // as for every IAM key while the state is stale
	}
	w := c.Web
	named := m.cur.Load().named
	id := &Identity{AccessKey: c.AccessKey, Secret: c.Secret, Expiry: c.Expiry, Session: true,
		User: FederatedUser(w.Subject), Federated: w.Issuer, Claims: w.Claims}
	for _, n := range w.Policies {
		if p, ok := named[n]; ok {
			id.PolicyNames, id.Policies = append(id.PolicyNames, n), append(id.Policies, p)
		}
	}
	if c.Policy != "" {
		p, err := policy.ParseIdentity([]byte(c.Policy))
		if err != nil {
			return nil, ErrInvalidToken
		}
		id.Inline = p
	}
	return id, nil
}

package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/policy"
)

// ErrNoPolicy refuses a web identity whose token names no policy this
// deployment defines: its session could do nothing.
var ErrNoPolicy = errors.New("iam: the identity token names no policy defined here")

// Bounds on what a web identity session token carries (it travels with
// every request the session signs).
const (
	maxWebPolicies   = 32
	maxWebClaims     = 16
	maxWebClaimBytes = 256
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
	c := sessionClaims{AccessKey: "ASIA" + randomKey(16, upperAlnum), Secret: randomKey(40, secretChars),
		Expiry: m.cfg.Now().Add(d).UTC().Truncate(time.Second), Policy: doc, Version: sessionVersion,
		Web: &webClaims{Issuer: w.Issuer, Subject: w.Subject, Policies: pols, Claims: keptClaims(w.Claims)}}
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

// keptClaims bounds the claims a token carries: short values only, at
// most maxWebClaims of them, by name order.
func keptClaims(in map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if len(out) == maxWebClaims {
			break
		}
		if v := in[k]; v != "" && len(v) <= maxWebClaimBytes && len(k) <= 64 && !strings.ContainsAny(k, "{}$") {
			out[k] = v
		}
	}
	return out
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

package sigv4

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// authParams are the parsed parts of a SigV4 Authorization header or
// presigned query.
type authParams struct {
	accessKey string
	date      string // YYYYMMDD of the credential scope
	region    string
	service   string
	scope     string // date/region/service/aws4_request

	signedHeaders    []string
	signedHeadersRaw string
	signature        [32]byte

	// Presigned requests only.
	amzDate time.Time
	expires time.Duration
}

// parseAuthorization parses an Authorization header value. Errors wrap
// ErrAuthorizationHeaderMalformed, or ErrInvalidRequest for a mechanism
// other than AWS4-HMAC-SHA256.
func parseAuthorization(h string) (authParams, error) {
	var p authParams
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg == "AWS" {
		return p, ErrSignatureV2.derive("signature version 2 authorization header", "")
	}
	if alg != Algorithm {
		return p, ErrInvalidRequest.derive("unsupported authorization "+quote(alg), "")
	}
	var cred, signed, sig string
	var seen [3]bool
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return p, malformedHeader("component " + quote(part) + " is not key=value")
		}
		var slot *string
		var i int
		switch k {
		case "Credential":
			slot, i = &cred, 0
		case "SignedHeaders":
			slot, i = &signed, 1
		case "Signature":
			slot, i = &sig, 2
		default:
			return p, malformedHeader("unknown component " + quote(k))
		}
		if seen[i] {
			return p, malformedHeader("repeated component " + quote(k))
		}
		seen[i], *slot = true, strings.TrimSpace(v)
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return p, malformedHeader("missing Credential, SignedHeaders or Signature")
	}
	if err := p.parseCredential(cred, malformedHeader); err != nil {
		return p, err
	}
	if err := p.parseSignedHeaders(signed, malformedHeader); err != nil {
		return p, err
	}
	if err := p.parseSignature(sig, malformedHeader); err != nil {
		return p, err
	}
	return p, nil
}

func malformedHeader(detail string) error {
	return ErrAuthorizationHeaderMalformed.derive("authorization header: "+detail,
		"The authorization header is malformed; "+detail+".")
}

func malformedQuery(detail string) error {
	return ErrAuthorizationQueryParametersError.derive("presigned query: "+detail, detail)
}

// parseCredential parses "<access key>/<date>/<region>/<service>/aws4_request".
// The access key is everything before the last four components.
func (p *authParams) parseCredential(cred string, bad func(string) error) error {
	parts := strings.Split(cred, "/")
	if len(parts) < 5 || parts[0] == "" {
		return bad(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"`)
	}
	n := len(parts)
	p.accessKey = strings.Join(parts[:n-4], "/")
	p.date, p.region, p.service = parts[n-4], parts[n-3], parts[n-2]
	if parts[n-1] != terminator {
		return bad("incorrect terminal " + quote(parts[n-1]) + ". This endpoint uses 'aws4_request'")
	}
	if _, err := time.Parse(dateFormat, p.date); err != nil || len(p.date) != 8 {
		return bad("incorrect date format " + quote(p.date) + ". This date in the credential must be in the format \"yyyyMMdd\"")
	}
	if p.region == "" || p.service == "" {
		return bad(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"`)
	}
	p.scope = strings.Join(parts[n-4:], "/")
	return nil
}

// parseSignedHeaders parses the ';'-separated lower-case header list, which
// must name host.
func (p *authParams) parseSignedHeaders(s string, bad func(string) error) error {
	if s == "" {
		return bad("SignedHeaders is empty")
	}
	p.signedHeadersRaw = s
	p.signedHeaders = strings.Split(s, ";")
	host := false
	for _, h := range p.signedHeaders {
		if h == "" || strings.ToLower(h) != h || strings.ContainsAny(h, " \t:,") {
			return bad("invalid signed header name " + quote(h))
		}
		host = host || h == "host"
	}
	if !host {
		return bad("SignedHeaders must include host")
	}
	return nil
}

func (p *authParams) parseSignature(s string, bad func(string) error) error {
	if len(s) != 2*len(p.signature) {
		return bad("signature must be 64 hex digits")
	}
	if _, err := hex.Decode(p.signature[:], []byte(s)); err != nil {
		return bad("signature must be 64 hex digits")
	}
	return nil
}

// Presigned query parameter names.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qContentSHA256 = "X-Amz-Content-Sha256"
)

// parsePresigned parses the SigV4 parameters of a presigned URL's query.
// Errors wrap ErrAuthorizationQueryParametersError.
func parsePresigned(q url.Values) (authParams, error) {
	var p authParams
	get := func(name string) (string, error) {
		v := q[name]
		switch {
		case len(v) == 0 || v[0] == "":
			return "", ErrAuthorizationQueryParametersError.derive("presigned query: missing "+name, "")
		case len(v) > 1:
			return "", malformedQuery(name + " is given more than once")
		}
		return v[0], nil
	}
	var vals [6]string
	for i, name := range []string{qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature} {
		v, err := get(name)
		if err != nil {
			return p, err
		}
		vals[i] = v
	}
	if vals[0] != Algorithm {
		return p, malformedQuery(`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	credBad := func(d string) error { return malformedQuery("Error parsing the X-Amz-Credential parameter; " + d) }
	if err := p.parseCredential(vals[1], credBad); err != nil {
		return p, err
	}
	t, err := time.Parse(timeFormat, vals[2])
	if err != nil {
		return p, malformedQuery("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	p.amzDate = t
	secs, err := strconv.ParseInt(vals[3], 10, 64)
	switch {
	case err != nil:
		return p, malformedQuery("X-Amz-Expires should be a number")
	case secs < 0:
		return p, malformedQuery("X-Amz-Expires must be non-negative")
	case secs == 0:
		return p, malformedQuery("X-Amz-Expires must be greater than 0")
	case secs > maxExpires:
		return p, malformedQuery("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	p.expires = time.Duration(secs) * time.Second
	if err := p.parseSignedHeaders(vals[4], malformedQuery); err != nil {
		return p, err
	}
	if err := p.parseSignature(vals[5], malformedQuery); err != nil {
		return p, err
	}
	return p, nil
}

func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("'%s'", s)
}

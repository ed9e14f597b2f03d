package sigv2

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Query parameters of query-string (presigned) authentication.
const (
	qAccessKey = "AWSAccessKeyId"
	qExpires   = "Expires"
	qSignature = "Signature"
)

// authPrefix starts a SigV2 Authorization header.
const authPrefix = "AWS "

// headerParams are the parts of an "AWS AccessKeyId:Signature" header.
type headerParams struct {
	accessKey string
	signature string
}

// parseAuthorization parses an Authorization header value. Errors wrap
// ErrInvalidArgument.
func parseAuthorization(h string) (headerParams, error) {
	var p headerParams
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), authPrefix)
	if !ok {
		return p, malformedHeader("the authorization header does not start with " + quote(authPrefix))
	}
	rest = strings.TrimSpace(rest)
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return p, malformedHeader("the authorization header is not " + quote("AWS AccessKeyId:Signature"))
	}
	p.accessKey, p.signature = rest[:i], rest[i+1:]
	return p, nil
}

func malformedHeader(detail string) error {
	return ErrInvalidArgument.derive(detail,
		"AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
}

// queryParams are the query-string authentication parameters.
type queryParams struct {
	accessKey  string
	signature  string
	expiresRaw string
	expires    time.Time
}

// parsePresigned parses the query-string authentication parameters.
// Errors wrap ErrAccessDenied or ErrInvalidArgument.
func parsePresigned(q url.Values) (queryParams, error) {
	var p queryParams
	var vals [3]string
	for i, name := range []string{qAccessKey, qSignature, qExpires} {
		v := q[name]
		switch {
		case len(v) == 0 || v[0] == "":
			return p, ErrAccessDenied.derive("presigned query: missing "+name,
				"Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
		case len(v) > 1:
			return p, ErrInvalidArgument.derive("presigned query: "+name+" is given more than once",
				"Query-string authentication parameter "+name+" is given more than once.")
		}
		vals[i] = v[0]
	}
	p.accessKey, p.signature, p.expiresRaw = vals[0], vals[1], vals[2]
	secs, err := strconv.ParseInt(p.expiresRaw, 10, 64)
	if err != nil || strings.TrimLeft(p.expiresRaw, "0123456789") != "" {
		return p, ErrAccessDenied.derive("presigned query: invalid Expires "+quote(p.expiresRaw),
			"Invalid date (should be seconds since epoch): "+p.expiresRaw)
	}
	p.expires = time.Unix(secs, 0).UTC()
	return p, nil
}

// requestTime returns the time of a header-signed request: x-amz-date when
// present, Date otherwise, in any HTTP date format (and ISO 8601 basic,
// which some clients put in x-amz-date).
func requestTime(h http.Header) (time.Time, error) {
	s := h.Get("X-Amz-Date")
	if s == "" {
		s = h.Get("Date")
	}
	if s != "" {
		if t, err := http.ParseTime(s); err == nil {
			return t.UTC(), nil
		}
		for _, layout := range []string{time.RFC1123Z, "Mon, _2 Jan 2006 15:04:05 -0700", "20060102T150405Z"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
	}
	return time.Time{}, ErrAccessDenied.derive("no valid x-amz-date or Date header",
		"AWS authentication requires a valid Date or x-amz-date header")
}

func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("'%s'", s)
}

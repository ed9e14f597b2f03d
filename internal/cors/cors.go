package cors

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// MaxRules is the most rules one configuration may hold, as in S3.
const MaxRules = 100

// MaxSize is the largest configuration document accepted, in bytes.
const MaxSize = 64 << 10

// maxIDLength bounds a rule's ID, as in S3.
const maxIDLength = 255

// Config is a bucket's CORS configuration.
type Config struct {
	XMLName xml.Name `xml:"CORSConfiguration"`
	// Namespace is written as the document's xmlns attribute.
	Namespace string `xml:"xmlns,attr,omitempty"`
	Rules     []Rule `xml:"CORSRule"`
}

// Rule allows cross-origin requests from some origins with some methods.
type Rule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader,omitempty"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader,omitempty"`
	// MaxAgeSeconds is how long a browser may cache a preflight answer;
	// nil leaves it to the browser.
	MaxAgeSeconds *int `xml:"MaxAgeSeconds,omitempty"`
}

// Error is a configuration S3 refuses: Code is the S3 error code
// (MalformedXML or InvalidRequest).
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return "cors: " + e.Code + ": " + e.Message }

func malformed(msg string) error { return &Error{Code: "MalformedXML", Message: msg} }

func invalid(format string, args ...any) error {
	return &Error{Code: "InvalidRequest", Message: fmt.Sprintf(format, args...)}
}

// methods are the HTTP methods a rule may allow.
var methods = map[string]bool{
	http.MethodGet: true, http.MethodPut: true, http.MethodHead: true,
	http.MethodPost: true, http.MethodDelete: true,
}

// Parse reads and validates a configuration document. A document S3
// would refuse returns an *Error.
func Parse(doc []byte) (*Config, error) {
	if len(doc) > MaxSize {
		return nil, malformed("The CORS configuration is larger than 64 KB.")
	}
	var c Config
	dec := xml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&c); err != nil {
		return nil, malformed("The XML you provided was not well-formed or did not validate against our published schema.")
	}
	// Nothing but whitespace, comments or processing instructions may follow.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, malformed("The XML you provided was not well-formed or did not validate against our published schema.")
		}
		if _, ok := tok.(xml.StartElement); ok {
			return nil, malformed("The XML you provided was not well-formed or did not validate against our published schema.")
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks a configuration against S3's rules.
func (c *Config) Validate() error {
	switch {
	case len(c.Rules) == 0:
		return malformed("A CORS configuration must have at least one CORSRule.")
	case len(c.Rules) > MaxRules:
		return malformed(fmt.Sprintf("A CORS configuration can have at most %d rules.", MaxRules))
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return malformed("Every CORSRule needs at least one AllowedMethod and one AllowedOrigin.")
		}
		if len(r.ID) > maxIDLength {
			return invalid("The ID of a CORSRule can be at most %d characters long.", maxIDLength)
		}
		for _, m := range r.AllowedMethods {
			if !methods[m] {
				return invalid("Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return invalid("AllowedOrigin %q can not have more than one wildcard.", o)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return invalid("AllowedHeader %q can not have more than one wildcard.", h)
			}
		}
		for _, h := range r.ExposeHeaders {
			if strings.Contains(h, "*") {
				return invalid("ExposeHeader %q contains wildcard. We currently do not support wildcard for ExposeHeader.", h)
			}
			if h == "" || strings.ContainsAny(h, " \t,:") {
				return invalid("ExposeHeader %q is not a valid header name.", h)
			}
		}
		if r.MaxAgeSeconds != nil && *r.MaxAgeSeconds < 0 {
			return malformed("MaxAgeSeconds must not be negative.")
		}
	}
	return nil
}

// Marshal returns the document GetBucketCors answers with, in namespace ns.
func (c *Config) Marshal(ns string) ([]byte, error) {
	out := *c
	out.Namespace = ns
	b, err := xml.Marshal(out)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// Match returns the first rule that allows a request from origin with
// method carrying headers (the Access-Control-Request-Headers of a
// preflight, none for an actual request), or nil.
func (c *Config) Match(origin, method string, headers []string) *Rule {
	for i := range c.Rules {
		if c.Rules[i].allows(origin, method, headers) {
			return &c.Rules[i]
		}
	}
	return nil
}

func (r *Rule) allows(origin, method string, headers []string) bool {
	if !slices.Contains(r.AllowedMethods, method) || r.originPattern(origin) == "" {
		return false
	}
	for _, h := range headers {
		ok := false
		for _, p := range r.AllowedHeaders {
			if wildcardMatch(strings.ToLower(p), strings.ToLower(h)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// originPattern returns the AllowedOrigin that matches origin, or "".
func (r *Rule) originPattern(origin string) string {
	for _, p := range r.AllowedOrigins {
		if wildcardMatch(p, origin) {
			return p
		}
	}
	return ""
}

// SetHeaders answers a request from origin that r allows: a preflight
// (with the headers it asked for) or an actual request.
func (r *Rule) SetHeaders(h http.Header, origin string, preflight bool, requested []string) {
	if r.originPattern(origin) == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(r.AllowedMethods, ", "))
	if len(r.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.ExposeHeaders, ", "))
	}
	if r.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*r.MaxAgeSeconds))
	}
	if preflight && len(requested) > 0 {
		lower := make([]string, len(requested))
		for i, v := range requested {
			lower[i] = strings.ToLower(v)
		}
		h.Set("Access-Control-Allow-Headers", strings.Join(lower, ", "))
	}
}

// Vary is the Vary header of every response from a bucket with a CORS
// configuration: the answer depends on these request headers.
const Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// RequestHeaders splits an Access-Control-Request-Headers value.
func RequestHeaders(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// wildcardMatch reports whether s matches pattern, in which one "*"
// stands for any run of characters.
func wildcardMatch(pattern, s string) bool {
	prefix, suffix, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

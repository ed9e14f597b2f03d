package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Credentials are an access key and its secret.
type Credentials struct {
	AccessKey string
	SecretKey string
}

// Lookup returns the credentials of an access key, and false if the key is
// unknown (or disabled). It must be safe for concurrent use.
type Lookup func(accessKey string) (Credentials, bool)

// DefaultMaxSkew is the clock skew a Verifier with a zero MaxSkew accepts
// for header-signed requests, as S3 does.
const DefaultMaxSkew = 15 * time.Minute

// MaxPresignedLifetime bounds how far in the future a presigned URL's
// Expires may be (beyond MaxSkew, for the signer's clock): 7 days, the
// bound S3 sets on SigV4 presigned URLs. SigV2 URLs carry an absolute
// expiry and no signing time, so the bound is counted from the server's
// clock when the URL is used.
const MaxPresignedLifetime = 7 * 24 * time.Hour

// Verifier checks SigV2 signatures on requests. It holds no state beyond
// its settings and is safe for concurrent use.
type Verifier struct {
	// Lookup finds the secret of an access key.
	Lookup Lookup
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the largest accepted difference between a header-signed
	// request's time and Now; 0 means DefaultMaxSkew.
	MaxSkew time.Duration
}

// NewVerifier returns a Verifier with default settings.
func NewVerifier(lookup Lookup) *Verifier { return &Verifier{Lookup: lookup} }

// Result is what a verified request gives its handler.
type Result struct {
	// AccessKey is the access key that signed the request.
	AccessKey string
	// Presigned is set for query-string authentication.
	Presigned bool
	// SignedAt is the request time of a header-signed request (x-amz-date
	// or Date); zero for a presigned one.
	SignedAt time.Time
	// Expires is the end of a presigned URL's validity; zero otherwise.
	Expires time.Time
	// Body is the request body. SigV2 does not sign the payload: its
	// integrity rests on Content-MD5, which is signed and which the
	// handler checks as it reads.
	Body io.ReadCloser
	// ContentLength is the request's Content-Length (-1 if unknown).
	ContentLength int64
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew <= 0 {
		return DefaultMaxSkew
	}
	return v.MaxSkew
}

// Verify authenticates r, signed with an "AWS AccessKeyId:Signature"
// Authorization header or with AWSAccessKeyId, Expires and Signature query
// parameters. vhostBucket is the bucket named by r's Host header when r is
// virtual-host style ("" for path style): it is part of the signed
// resource. A nil error means the signature is valid. Verify does not read
// the body.
//
// A presigned request may carry Content-MD5, Content-Type and x-amz-
// headers as query parameters, in any case (botocore moves the headers it
// signed there); they are signed as headers, a header of the same name
// taking precedence, and once the signature is verified Verify sets them
// as headers of r where r lacks them, in the form they were signed, so
// that the handler acts on exactly the values that were signed. Two
// parameters naming the same header in different cases are refused
// (InvalidArgument), and so is an Expires more than MaxPresignedLifetime
// away (AccessDenied).
func (v *Verifier) Verify(r *http.Request, vhostBucket string) (*Result, error) {
	auth := r.Header.Get("Authorization")
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	presigned := q.Has(qAccessKey) || q.Has(qSignature)
	switch {
	case auth != "" && presigned:
		return nil, ErrInvalidArgument.derive("both an Authorization header and query-string authentication",
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case auth != "":
		return v.verifyHeader(r, auth, vhostBucket)
	case presigned:
		if qerr != nil {
			return nil, ErrAccessDenied.derive("presigned query cannot be parsed", "")
		}
		return v.verifyPresigned(r, q, vhostBucket)
	}
	return nil, ErrAccessDenied.derive("request carries no signature version 2 authentication", "")
}

// verifyHeader verifies a request signed with an Authorization header.
func (v *Verifier) verifyHeader(r *http.Request, auth, vhostBucket string) (*Result, error) {
	p, err := parseAuthorization(auth)
	if err != nil {
		return nil, err
	}
	t, err := requestTime(r.Header)
	if err != nil {
		return nil, err
	}
	cred, ok := v.lookup(p.accessKey)
	if !ok {
		return nil, ErrInvalidAccessKeyID.derive("unknown access key "+quote(p.accessKey), "")
	}
	if d := v.now().Sub(t); d > v.maxSkew() || -d > v.maxSkew() {
		return nil, ErrRequestTimeTooSkewed.derive("request time "+t.Format(time.RFC3339)+" is "+
			d.Round(time.Second).String()+" from server time", "")
	}
	c := newCanon(r, vhostBucket, nil)
	if err := checkSignature(&c, cred.SecretKey, p.signature); err != nil {
		return nil, err
	}
	if err := checkPayload(r); err != nil {
		return nil, err
	}
	return &Result{AccessKey: cred.AccessKey, SignedAt: t, Body: body(r), ContentLength: r.ContentLength}, nil
}

// verifyPresigned verifies a request signed with query parameters.
func (v *Verifier) verifyPresigned(r *http.Request, q url.Values, vhostBucket string) (*Result, error) {
	p, err := parsePresigned(q)
	if err != nil {
		return nil, err
	}
	cred, ok := v.lookup(p.accessKey)
	if !ok {
		return nil, ErrInvalidAccessKeyID.derive("unknown access key "+quote(p.accessKey), "")
	}
	now := v.now()
	if now.After(p.expires) {
		return nil, ErrExpiredRequest.derive("presigned request expired at "+p.expires.Format(time.RFC3339), "")
	}
	if p.expires.Sub(now) > MaxPresignedLifetime+v.maxSkew() {
		return nil, ErrAccessDenied.derive("presigned request expires at "+p.expires.Format(time.RFC3339)+", more than 7 days from now",
			"Presigned URLs are valid for at most 7 days (604800 seconds).")
	}
	params, err := queryHeaderParams(q)
	if err != nil {
		return nil, err
	}
	c := newCanon(r, vhostBucket, &presignInput{expires: p.expiresRaw, headers: params})
	if err := checkSignature(&c, cred.SecretKey, p.signature); err != nil {
		return nil, err
	}
	if err := checkPayload(r); err != nil {
		return nil, err
	}
	for k, vv := range queryHeaders(r, params) {
		r.Header[k] = vv
	}
	return &Result{AccessKey: cred.AccessKey, Presigned: true, Expires: p.expires,
		Body: body(r), ContentLength: r.ContentLength}, nil
}

func (v *Verifier) lookup(accessKey string) (Credentials, bool) {
	if v.Lookup == nil {
		return Credentials{}, false
	}
	c, ok := v.Lookup(accessKey)
	if ok && c.AccessKey == "" {
		c.AccessKey = accessKey
	}
	return c, ok
}

// checkSignature compares, in constant time, the signature sent with the
// HMAC-SHA1 of each form of the request's StringToSign.
func checkSignature(c *canon, secret, signature string) error {
	want, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(want) != sha1.Size {
		return ErrSignatureDoesNotMatch.derive("signature is not a base64 HMAC-SHA1", "")
	}
	mac := hmac.New(sha1.New, []byte(secret))
	var sum [sha1.Size]byte
	if c.each(func(sts []byte) bool {
		mac.Reset()
		mac.Write(sts)
		return hmac.Equal(mac.Sum(sum[:0]), want)
	}) {
		return nil
	}
	return ErrSignatureDoesNotMatch.derive("request signature does not match", "")
}

// checkPayload refuses an aws-chunked payload, whose chunk signatures only
// SigV4 defines: stored as is, its framing would become object data.
func checkPayload(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return ErrInvalidRequest.derive("aws-chunked payload with signature version 2",
			"Streaming (aws-chunked) uploads require AWS Signature Version 4.")
	}
	return nil
}

func body(r *http.Request) io.ReadCloser {
	if r.Body == nil {
		return http.NoBody
	}
	return r.Body
}

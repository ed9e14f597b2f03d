package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Credentials are an access key and its secret.
type Credentials struct {
	AccessKey string
	SecretKey string
	// SessionToken, for temporary credentials (STS), is sent signed with
	// every request (X-Amz-Security-Token) by SignRequest and Presign.
	SessionToken string
}

// Lookup returns the credentials of an access key, and false if the key is
// unknown (or disabled). It must be safe for concurrent use.
type Lookup func(accessKey string) (Credentials, bool)

// Defaults of a Verifier's zero fields.
const (
	DefaultService = "s3"
	DefaultMaxSkew = 15 * time.Minute
)

// Verifier checks SigV4 signatures on requests. Set its fields before first
// use and do not copy it afterwards: it owns a cache of derived signing keys
// and a pool of read buffers. It is safe for concurrent use.
type Verifier struct {
	// Region the credential scope must name; "" accepts any region.
	Region string
	// Service the credential scope must name; "" means "s3".
	Service string
	// Lookup finds the secret of an access key.
	Lookup Lookup
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the largest accepted difference between the request time
	// and Now; 0 means 15 minutes.
	MaxSkew time.Duration
	// HashBody, for services other than S3 (STS), accepts a signed request
	// without x-amz-content-sha256: its body (at most MaxHashedBody bytes)
	// is read and hashed for the signature, as AWS does for them.
	HashBody bool

	keys keyCache
	bufs sync.Pool // *bufio.Reader for aws-chunked bodies
}

// MaxHashedBody is the largest body a HashBody verifier hashes itself.
const MaxHashedBody = 1 << 20

// NewVerifier returns a Verifier for region with default settings.
func NewVerifier(region string, lookup Lookup) *Verifier {
	return &Verifier{Region: region, Lookup: lookup}
}

// SessionToken returns the session token a request carries with
// temporary credentials (the X-Amz-Security-Token header, or query
// parameter of a presigned URL), "" when none.
func SessionToken(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("X-Amz-Security-Token")
}

// ForKey returns a new Verifier with v's settings that knows one key
// only: the temporary key of a session, whose secret came with its
// token rather than from v's Lookup.
func (v *Verifier) ForKey(c Credentials) *Verifier {
	return &Verifier{Region: v.Region, Service: v.Service, Now: v.Now, MaxSkew: v.MaxSkew, HashBody: v.HashBody,
		Lookup: func(key string) (Credentials, bool) { return c, key == c.AccessKey }}
}

func (v *Verifier) service() string {
	if v.Service == "" {
		return DefaultService
	}
	return v.Service
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

// Verify authenticates r. A request with neither an Authorization header nor
// presigned query parameters is anonymous: Verify returns a Result with
// Anonymous set and no error, and the caller decides whether anonymous access
// is allowed. Otherwise a nil error means the signature is valid; the body
// is then verified as it is read from Result.Body (payload hash, chunk and
// trailer signatures, decoded length), failing at the latest in place of
// io.EOF. Verify does not read the body.
func (v *Verifier) Verify(r *http.Request) (*Result, error) {
	auth := r.Header.Get("Authorization")
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	presigned := q.Has(qAlgorithm) || q.Has(qCredential) || q.Has(qSignature)
	switch {
	case auth != "" && presigned:
		return nil, ErrInvalidArgument.derive("both an Authorization header and presigned query parameters",
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case auth != "":
		return v.verifyHeader(r, auth)
	case presigned:
		if qerr != nil {
			return nil, malformedQuery("the query string cannot be parsed")
		}
		return v.verifyPresigned(r, q)
	case q.Has("AWSAccessKeyId") || q.Has("Signature"):
		return nil, ErrSignatureV2.derive("signature version 2 presigned URL", "")
	}
	return v.anonymous(r)
}

func (v *Verifier) anonymous(r *http.Request) (*Result, error) {
	res := &Result{Anonymous: true, Body: r.Body, ContentLength: r.ContentLength}
	mode, err := payloadModeOf(r.Header.Get(headerContentSHA256))
	if err != nil {
		return nil, err
	}
	switch mode.kind {
	case payloadSigned, payloadSignedTrailer:
		return nil, ErrAccessDenied.derive("anonymous request with a signed streaming payload", "")
	}
	if err := v.attachBody(r, res, mode, nil); err != nil {
		return nil, err
	}
	return res, nil
}

// verifyHeader verifies a request signed with an Authorization header.
func (v *Verifier) verifyHeader(r *http.Request, auth string) (*Result, error) {
	p, err := parseAuthorization(auth)
	if err != nil {
		return nil, err
	}
	t, err := requestTime(r)
	if err != nil {
		return nil, err
	}
	if err := v.checkScope(&p, t, malformedHeader); err != nil {
		return nil, err
	}
	cred, ok := v.lookup(p.accessKey)
	if !ok {
		return nil, ErrInvalidAccessKeyID.derive("unknown access key "+quote(p.accessKey), "")
	}
	if d := v.now().Sub(t); d > v.maxSkew() || -d > v.maxSkew() {
		return nil, ErrRequestTimeTooSkewed.derive("request time "+t.Format(time.RFC3339)+" is "+d.Round(time.Second).String()+" from server time", "")
	}
	hashHeader := r.Header.Get(headerContentSHA256)
	mode, err := payloadModeOf(hashHeader)
	if err != nil {
		return nil, err
	}
	payloadHash := hashHeader
	if hashHeader == "" && v.HashBody {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxHashedBody+1))
		if err != nil || len(body) > MaxHashedBody {
			return nil, ErrInvalidRequest.derive("body unreadable or too large to hash", "The request body is unreadable or too large.")
		}
		sum := sha256.Sum256(body)
		payloadHash, mode = hex.EncodeToString(sum[:]), payloadMode{kind: payloadHex, sum: sum}
		r.Body = io.NopCloser(bytes.NewReader(body))
	} else if hashHeader == "" {
		// S3 requires the header; a signer that omits it hashed the body
		// itself, which for a request without a body is the empty hash.
		if r.ContentLength != 0 {
			return nil, ErrInvalidRequest.derive("missing x-amz-content-sha256",
				"Missing required header for this request: x-amz-content-sha256")
		}
		payloadHash, mode = EmptySHA256, payloadMode{kind: payloadHex}
		copy(mode.sum[:], emptySum[:])
	}
	key := v.keys.get(cred.SecretKey, p.date, p.region, p.service)
	amzDate := t.UTC().Format(timeFormat)
	seed, err := checkSignature(r, &p, key, amzDate, r.URL.RawQuery, "", payloadHash)
	if err != nil {
		return nil, err
	}
	if err := checkSignedHeaders(r.Header, p.signedHeaders, false); err != nil {
		return nil, err
	}
	res := &Result{AccessKey: cred.AccessKey, Region: p.region, SignedAt: t,
		PayloadHash: hashHeader, Body: r.Body, ContentLength: r.ContentLength}
	sc := &streamSigner{key: key, amzDate: amzDate, scope: p.scope, prev: seed}
	if err := v.attachBody(r, res, mode, sc); err != nil {
		return nil, err
	}
	return res, nil
}

// verifyPresigned verifies a request signed with presigned query parameters.
func (v *Verifier) verifyPresigned(r *http.Request, q url.Values) (*Result, error) {
	p, err := parsePresigned(q)
	if err != nil {
		return nil, err
	}
	credBad := func(d string) error { return malformedQuery("Error parsing the X-Amz-Credential parameter; " + d) }
	if err := v.checkScope(&p, p.amzDate, credBad); err != nil {
		return nil, err
	}
	cred, ok := v.lookup(p.accessKey)
	if !ok {
		return nil, ErrInvalidAccessKeyID.derive("unknown access key "+quote(p.accessKey), "")
	}
	now := v.now()
	if now.After(p.amzDate.Add(p.expires)) {
		return nil, ErrExpiredRequest.derive("presigned request expired at "+p.amzDate.Add(p.expires).Format(time.RFC3339), "")
	}
	if p.amzDate.Sub(now) > v.maxSkew() {
		return nil, ErrAccessDenied.derive("presigned request dated "+p.amzDate.Format(time.RFC3339)+" is in the future", "Request is not valid yet")
	}
	payloadHash, err := presignedPayloadHash(r, q, &p)
	if err != nil {
		return nil, err
	}
	// The body is checked against the signed hash when there is one: a
	// hash pinned in the query binds the URL to one body.
	modeFrom := r.Header.Get(headerContentSHA256)
	if payloadHash != UnsignedPayload {
		modeFrom = payloadHash
	}
	mode, err := payloadModeOf(modeFrom)
	if err != nil {
		return nil, err
	}
	if mode.kind == payloadSigned || mode.kind == payloadSignedTrailer {
		return nil, ErrInvalidArgument.derive("signed streaming payload with a presigned URL",
			"Streaming uploads with chunk signatures require the Authorization header.")
	}
	key := v.keys.get(cred.SecretKey, p.date, p.region, p.service)
	if _, err := checkSignature(r, &p, key, p.amzDate.Format(timeFormat), r.URL.RawQuery, qSignature, payloadHash); err != nil {
		return nil, err
	}
	if err := checkSignedHeaders(r.Header, p.signedHeaders, true); err != nil {
		return nil, err
	}
	res := &Result{AccessKey: cred.AccessKey, Presigned: true, Region: p.region, SignedAt: p.amzDate,
		Expires: p.amzDate.Add(p.expires), PayloadHash: modeFrom,
		Body: r.Body, ContentLength: r.ContentLength}
	if err := v.attachBody(r, res, mode, nil); err != nil {
		return nil, err
	}
	return res, nil
}

// presignedPayloadHash returns the payload hash a presigned request is
// signed with: the X-Amz-Content-Sha256 query parameter, else a signed
// x-amz-content-sha256 header, else UNSIGNED-PAYLOAD. A header that
// contradicts the signed query parameter is refused: the body must be
// checked against what was signed.
func presignedPayloadHash(r *http.Request, q url.Values, p *authParams) (string, error) {
	header := r.Header.Get(headerContentSHA256)
	switch vals := q[qContentSHA256]; {
	case len(vals) > 1:
		return "", malformedQuery(qContentSHA256 + " is given more than once")
	case len(vals) == 1 && vals[0] != "":
		if header != "" && header != vals[0] {
			return "", ErrInvalidArgument.derive("x-amz-content-sha256 header differs from the signed "+qContentSHA256+" query parameter",
				"The x-amz-content-sha256 header must match the signed X-Amz-Content-Sha256 query parameter.")
		}
		return vals[0], nil
	case header != "" && contains(p.signedHeaders, "x-amz-content-sha256"):
		return header, nil
	}
	return UnsignedPayload, nil
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

// checkScope validates the credential scope against the Verifier and the
// request time.
func (v *Verifier) checkScope(p *authParams, t time.Time, bad func(string) error) error {
	if p.date != t.UTC().Format(dateFormat) {
		return bad("Invalid credential date. Date is not the same as X-Amz-Date")
	}
	if v.Region != "" && p.region != v.Region {
		return bad("the region " + quote(p.region) + " is wrong; expecting " + quote(v.Region))
	}
	if p.service != v.service() {
		return bad("incorrect service " + quote(p.service) + ". This endpoint belongs to " + quote(v.service()))
	}
	return nil
}

// requestTime returns the signing time of a header-signed request, from
// X-Amz-Date or else Date.
func requestTime(r *http.Request) (time.Time, error) {
	if s := r.Header.Get("X-Amz-Date"); s != "" {
		if t, err := time.Parse(timeFormat, s); err == nil {
			return t, nil
		}
	} else if s := r.Header.Get("Date"); s != "" {
		if t, err := http.ParseTime(s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrAccessDenied.derive("no valid X-Amz-Date or Date header",
		"AWS authentication requires a valid Date or x-amz-date header")
}

// checkSignature computes the request signature for each canonical URI
// candidate and compares it in constant time with the one sent. It returns
// the signature, which seeds a streaming payload's chunk signatures.
func checkSignature(r *http.Request, p *authParams, key [32]byte, amzDate, rawQuery, skip, payloadHash string) ([32]byte, error) {
	query := canonicalQuery(rawQuery, skip)
	buf := make([]byte, 0, 1024)
	mac := hmac.New(sha256.New, key[:])
	var sum [32]byte
	for _, uri := range canonicalURIs(r) {
		var crHash string
		buf, crHash = canonicalRequestHash(buf, r, uri, query, p.signedHeaders, p.signedHeadersRaw, payloadHash)
		buf = stringToSign(buf, amzDate, p.scope, crHash)
		mac.Reset()
		mac.Write(buf)
		mac.Sum(sum[:0])
		if hmac.Equal(sum[:], p.signature[:]) {
			return sum, nil
		}
	}
	return sum, ErrSignatureDoesNotMatch.derive("request signature does not match", "")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// getReader returns a pooled buffered reader over src.
func (v *Verifier) getReader(src interface{ Read([]byte) (int, error) }) *bufio.Reader {
	if br, ok := v.bufs.Get().(*bufio.Reader); ok {
		br.Reset(src)
		return br
	}
	return bufio.NewReaderSize(src, chunkBufferSize)
}

func (v *Verifier) putReader(br *bufio.Reader) {
	br.Reset(nil)
	v.bufs.Put(br)
}

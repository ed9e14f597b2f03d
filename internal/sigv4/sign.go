package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultRegion is the region signers use when none is given.
const DefaultRegion = "us-east-1"

// Presign returns rawURL with SigV4 query parameters that let anyone holding
// it make a method request until now+expires (1 second to 7 days). The path
// is re-encoded the way S3 canonicalizes it and the only signed header is
// host, so the URL works from browsers and with AWS and this package's
// Verifier alike.
func Presign(method, rawURL string, cred Credentials, region string, expires time.Duration, now time.Time) (string, error) {
	if expires < time.Second || expires > maxExpires*time.Second {
		return "", fmt.Errorf("sigv4: presign: expiry %v is not between 1s and 7 days", expires)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("sigv4: presign: %w", err)
	}
	if u.Host == "" {
		return "", errors.New("sigv4: presign: URL has no host")
	}
	if region == "" {
		region = DefaultRegion
	}
	now = now.UTC()
	date, amzDate := now.Format(dateFormat), now.Format(timeFormat)
	scope := date + "/" + region + "/" + DefaultService + "/" + terminator
	u.RawPath = URIEncode(u.Path, false)
	if u.RawPath == "" {
		u.Path, u.RawPath = "/", "/"
	}
	q := u.Query()
	q.Set(qAlgorithm, Algorithm)
	q.Set(qCredential, cred.AccessKey+"/"+scope)
	q.Set(qDate, amzDate)
	q.Set(qExpires, strconv.FormatInt(int64(expires/time.Second), 10))
	q.Set(qSignedHeaders, "host")
	if cred.SessionToken != "" {
		q.Set("X-Amz-Security-Token", cred.SessionToken)
	}
	q.Del(qSignature)
	query := canonicalQuery(q.Encode(), "")
	u.RawQuery = query
	host := hostForSigning(u)

	cr := strings.Join([]string{method, u.RawPath, query, "host:" + host + "\n", "host", UnsignedPayload}, "\n")
	crSum := sha256.Sum256([]byte(cr))
	sts := stringToSign(nil, amzDate, scope, hex.EncodeToString(crSum[:]))
	key := deriveKey(cred.SecretKey, date, region, DefaultService)
	mac := hmac.New(sha256.New, key[:])
	mac.Write(sts)
	u.RawQuery = query + "&" + qSignature + "=" + hex.EncodeToString(mac.Sum(nil))
	return u.String(), nil
}

// hostForSigning returns the Host header a client will send for u: without
// the scheme's default port, which browsers and SDKs drop.
func hostForSigning(u *url.URL) string {
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return u.Host
	}
	if u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return u.Host
}

// unsignedHeader reports whether SignRequest leaves a header out: the
// signature itself, and headers transports and proxies add or rewrite
// (content-length is signed separately, when positive).
func unsignedHeader(lname string) bool {
	switch lname {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect",
		"transfer-encoding", "connection", "accept-encoding", "content-length":
		return true
	}
	return false
}

// SignRequest signs r in place with an Authorization header, as of now.
// payloadHash is the hex SHA256 of the body, or UnsignedPayload (used when
// ""), or a streaming value. It sets X-Amz-Date and X-Amz-Content-Sha256,
// re-encodes the URL path the way S3 canonicalizes it, and signs host,
// content-length (when positive) and every header present except those
// transports rewrite.
func SignRequest(r *http.Request, cred Credentials, region string, payloadHash string, now time.Time) error {
	if r.URL == nil || (r.Host == "" && r.URL.Host == "") {
		return errors.New("sigv4: sign: request has no host")
	}
	if region == "" {
		region = DefaultRegion
	}
	if payloadHash == "" {
		payloadHash = UnsignedPayload
	}
	now = now.UTC()
	date, amzDate := now.Format(dateFormat), now.Format(timeFormat)
	scope := date + "/" + region + "/" + DefaultService + "/" + terminator
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set(headerContentSHA256, payloadHash)
	if cred.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", cred.SessionToken)
	}
	if r.URL.Path == "" {
		r.URL.Path = "/"
	}
	r.URL.RawPath = URIEncode(r.URL.Path, false)
	if r.Host == "" {
		r.Host = hostForSigning(r.URL)
	}

	signed := []string{"host"}
	if r.ContentLength > 0 {
		signed = append(signed, "content-length")
	}
	for name := range r.Header {
		lname := strings.ToLower(name)
		if !unsignedHeader(lname) && !slices.Contains(signed, lname) {
			signed = append(signed, lname)
		}
	}
	slices.Sort(signed)
	p := authParams{signedHeaders: signed, signedHeadersRaw: strings.Join(signed, ";"), scope: scope}
	_, crHash := canonicalRequestHash(nil, r, r.URL.RawPath, canonicalQuery(r.URL.RawQuery, ""), p.signedHeaders, p.signedHeadersRaw, payloadHash)
	key := deriveKey(cred.SecretKey, date, region, DefaultService)
	mac := hmac.New(sha256.New, key[:])
	mac.Write(stringToSign(nil, amzDate, scope, crHash))
	r.Header.Set("Authorization", Algorithm+" Credential="+cred.AccessKey+"/"+scope+
		", SignedHeaders="+p.signedHeadersRaw+", Signature="+hex.EncodeToString(mac.Sum(nil)))
	return nil
}

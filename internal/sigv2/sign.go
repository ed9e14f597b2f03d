package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Sign signs r in place with an "AWS AccessKeyId:Signature" Authorization
// header, as AWS documents it. It sets Date to now when r has neither Date
// nor X-Amz-Date. vhostBucket is the bucket named by r's Host when r is
// virtual-host style ("" for path style). Sign it last: a header changed
// afterwards invalidates the signature.
func Sign(r *http.Request, cred Credentials, vhostBucket string, now time.Time) {
	if r.Header.Get("Date") == "" && r.Header.Get("X-Amz-Date") == "" {
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	}
	c := newCanon(r, vhostBucket, nil)
	r.Header.Set("Authorization", authPrefix+cred.AccessKey+":"+signString(cred.SecretKey, c.first()))
}

// Presign returns the URL of r with query-string authentication valid
// until expires (to the second): r's query plus AWSAccessKeyId, Expires and
// Signature. Whoever uses the URL must send the same method and the same
// Content-MD5, Content-Type and x-amz- headers r has.
func Presign(r *http.Request, cred Credentials, vhostBucket string, expires time.Time) *url.URL {
	exp := strconv.FormatInt(expires.Unix(), 10)
	// A query naming one header twice (in two cases) gets no header
	// parameters signed; Verify refuses such a URL anyway.
	params, _ := queryHeaderParams(r.URL.Query())
	c := newCanon(r, vhostBucket, &presignInput{expires: exp, headers: params})
	auth := url.Values{
		qAccessKey: {cred.AccessKey},
		qExpires:   {exp},
		qSignature: {signString(cred.SecretKey, c.first())},
	}.Encode()
	u := *r.URL
	if u.RawQuery != "" {
		u.RawQuery += "&" + auth
	} else {
		u.RawQuery = auth
	}
	return &u
}

// StringToSign returns the StringToSign of a header-signed request in the
// form AWS documents, the one Sign signs: for debugging signature
// mismatches.
func StringToSign(r *http.Request, vhostBucket string) string {
	c := newCanon(r, vhostBucket, nil)
	return c.first()
}

// signString returns the base64 HMAC-SHA1 of sts under secret.
func signString(secret, sts string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

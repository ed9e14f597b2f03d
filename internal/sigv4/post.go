package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// PostForm holds the SigV4 fields of a browser-based POST upload (an HTML
// form with a policy): x-amz-algorithm, x-amz-credential, x-amz-date,
// x-amz-signature and the base64 policy they sign.
type PostForm struct {
	Algorithm  string
	Credential string
	Date       string
	Signature  string
	Policy     string
}

// postBad reports a malformed SigV4 POST field as S3 does: InvalidArgument
// naming the field.
func postBad(detail string) error {
	return ErrInvalidArgument.derive("post form: "+detail, detail)
}

// VerifyPost checks the signature of a POST policy form: the signature must
// be the hex HMAC-SHA256 of the base64 policy under the signing key of the
// credential's scope, whose date must be the day of x-amz-date and whose
// region and service must be the Verifier's. The request time is not
// checked against the clock: the policy's expiration bounds the form's
// life. It returns the credentials of the signer.
func (v *Verifier) VerifyPost(f PostForm) (Credentials, error) {
	if f.Algorithm != Algorithm {
		return Credentials{}, postBad("x-amz-algorithm must be " + Algorithm)
	}
	var p authParams
	if err := p.parseCredential(f.Credential, func(d string) error { return postBad("x-amz-credential: " + d) }); err != nil {
		return Credentials{}, err
	}
	t, err := time.Parse(timeFormat, f.Date)
	if err != nil {
		return Credentials{}, postBad("x-amz-date must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z'")
	}
	if err := v.checkScope(&p, t, func(d string) error { return postBad("x-amz-credential: " + d) }); err != nil {
		return Credentials{}, err
	}
	if err := p.parseSignature(f.Signature, func(string) error {
		return ErrSignatureDoesNotMatch.derive("post form: x-amz-signature is not 64 hex digits", "")
	}); err != nil {
		return Credentials{}, err
	}
	cred, ok := v.lookup(p.accessKey)
	if !ok {
		return Credentials{}, ErrInvalidAccessKeyID.derive("post form: unknown access key "+quote(p.accessKey), "")
	}
	key := v.keys.get(cred.SecretKey, p.date, p.region, p.service)
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte(f.Policy))
	if !hmac.Equal(mac.Sum(nil), p.signature[:]) {
		return Credentials{}, ErrSignatureDoesNotMatch.derive("post form: policy signature does not match", "")
	}
	return cred, nil
}

// SignPost fills the SigV4 fields of a POST form for the base64 policy,
// signed by cred for region (service s3) at t. Clients and tests use it to
// build forms.
func SignPost(policy string, cred Credentials, region string, t time.Time) PostForm {
	t = t.UTC()
	date := t.Format(dateFormat)
	key := deriveKey(cred.SecretKey, date, region, DefaultService)
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte(policy))
	return PostForm{
		Algorithm:  Algorithm,
		Credential: cred.AccessKey + "/" + date + "/" + region + "/" + DefaultService + "/" + terminator,
		Date:       t.Format(timeFormat),
		Signature:  hex.EncodeToString(mac.Sum(nil)),
		Policy:     policy,
	}
}

package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
)

// VerifyPost checks the SigV2 signature of a browser-based POST form: the
// signature field must be the base64 HMAC-SHA1 of the base64 policy under
// the secret of the AWSAccessKeyId field. It returns the signer's
// credentials.
func (v *Verifier) VerifyPost(accessKey, signature, policy string) (Credentials, error) {
	cred, ok := v.lookup(accessKey)
	if !ok {
		return Credentials{}, ErrInvalidAccessKeyID.derive("post form: unknown access key "+quote(accessKey), "")
	}
	want, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(want) != sha1.Size {
		return Credentials{}, ErrSignatureDoesNotMatch.derive("post form: signature is not a base64 HMAC-SHA1", "")
	}
	mac := hmac.New(sha1.New, []byte(cred.SecretKey))
	mac.Write([]byte(policy))
	if !hmac.Equal(mac.Sum(nil), want) {
		return Credentials{}, ErrSignatureDoesNotMatch.derive("post form: policy signature does not match", "")
	}
	return cred, nil
}

// SignPost returns the SigV2 signature field of a POST form for the base64
// policy under secret.
func SignPost(policy, secret string) string { return signString(secret, policy) }

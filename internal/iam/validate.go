package iam

import "strings"

// Limits on keys and names, as MinIO sets them for users and service
// accounts (so that keys made for it are accepted here).
const (
	minAccessKey = 3
	maxAccessKey = 128
	minSecret    = 8
	maxSecret    = 40
	maxName      = 128
)

// validAccessKey accepts 3 to 128 letters, digits and ._-@+ (a key with
// "/", "=" or "," could not be told apart in a signature's Credential).
func validAccessKey(k string) error {
	if len(k) < minAccessKey || len(k) > maxAccessKey {
		return invalid("an access key has %d to %d characters", minAccessKey, maxAccessKey)
	}
	if !nameChars(k) {
		return invalid("access key %q: only letters, digits and . _ - @ + are allowed", k)
	}
	return nil
}

// validSecret accepts 8 to 40 printable ASCII characters without spaces.
func validSecret(s string) error {
	if len(s) < minSecret || len(s) > maxSecret {
		return invalid("a secret key has %d to %d characters", minSecret, maxSecret)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return invalid("a secret key has only printable ASCII characters and no spaces")
		}
	}
	return nil
}

// validName accepts group and policy names: 1 to 128 letters, digits and
// ._-@+.
func validName(kind, n string) error {
	if n == "" || len(n) > maxName || !nameChars(n) {
		return invalid("%s name %q: 1 to %d letters, digits and . _ - @ +", kind, n, maxName)
	}
	return nil
}

func nameChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-@+", c)) {
			return false
		}
	}
	return true
}

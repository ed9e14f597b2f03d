package storage

import (
	"net"
	"strings"
	"unicode/utf8"
)

// ValidBucketName reports whether name follows S3's rules for new buckets:
// 3 to 63 characters of lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit, no two adjacent dots, not an
// IP address, and none of the prefixes and suffixes AWS reserves.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
			if c == '.' && (name[i-1] == '.' || name[i-1] == '-' || name[i+1] == '-') {
				return false
			}
		default:
			return false
		}
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// ValidObjectName reports whether key is a usable object key: 1 to
// MaxKeyLength bytes of valid UTF-8 without NUL. Any other byte sequence,
// including "..", "//", leading and trailing slashes, is a valid key.
func ValidObjectName(key string) bool {
	return key != "" && len(key) <= MaxKeyLength && utf8.ValidString(key) && !strings.ContainsRune(key, 0)
}

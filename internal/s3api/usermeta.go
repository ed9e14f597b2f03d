package s3api

import (
	"encoding/base64"
	"mime"
	"strings"
	"unicode/utf8"
)

// User metadata beyond US-ASCII. AWS documents it so: a value of an
// x-amz-meta-* header is decoded as RFC 2047 before it is stored, and a
// stored value with characters outside US-ASCII is returned RFC 2047
// encoded ("=?UTF-8?B?<base64 of its UTF-8>?="); an ASCII value is
// returned as it is. Clients follow: botocore refuses non-ASCII metadata
// and leaves the encoding to its caller (who sends encoded words, and
// gets encoded words back); aws-sdk-go-v2 and most others send the raw
// UTF-8 bytes, signed as they are. Hoard stores the text either way. A
// raw header value that is not UTF-8 is read as ISO-8859-1, the charset
// of HTTP header bytes, as AWS reads every raw value (a raw UTF-8 value
// comes back from AWS double-encoded, or fails its signature check; Hoard
// keeps the UTF-8 the client meant).

// decodeMetaValue returns the text a received x-amz-meta-* value stands
// for: raw bytes as UTF-8 (ISO-8859-1 when they are not UTF-8), RFC 2047
// encoded words decoded; a value whose encoded words do not decode is
// kept as sent.
func decodeMetaValue(v string) string {
	if !utf8.ValidString(v) {
		v = latin1ToUTF8(v)
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	d := mime.WordDecoder{}
	out, err := d.DecodeHeader(v)
	if err != nil || !utf8.ValidString(out) {
		return v
	}
	return out
}

// encodeMetaValue returns the header form of a stored x-amz-meta-* value:
// as is when it is printable US-ASCII, else one RFC 2047 encoded word of
// its UTF-8 (so a control character decoded from an encoded word goes
// back as it came, never raw into the header).
func encodeMetaValue(v string) string {
	if printableASCII(v) {
		return v
	}
	if !utf8.ValidString(v) {
		v = latin1ToUTF8(v) // stored raw by an earlier release
	}
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

// printableASCII reports whether s holds only printable US-ASCII bytes
// and tabs.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// latin1ToUTF8 reads each byte of s as the ISO-8859-1 character it codes.
func latin1ToUTF8(s string) string {
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

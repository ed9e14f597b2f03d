package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Constants of the SigV4 wire format.
const (
	// Algorithm is the only signing algorithm this package accepts.
	Algorithm = "AWS4-HMAC-SHA256"
	// UnsignedPayload is the x-amz-content-sha256 value of an unsigned body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload is the x-amz-content-sha256 value of an aws-chunked
	// body with chunk signatures.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer adds a signed trailer to StreamingPayload.
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedTrailer is an aws-chunked body without chunk
	// signatures, followed by trailing checksum headers.
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	// EmptySHA256 is the hex SHA256 of no bytes.
	EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	timeFormat  = "20060102T150405Z"
	dateFormat  = "20060102"
	terminator  = "aws4_request"
	maxExpires  = 7 * 24 * 60 * 60 // seconds
	maxLineSize = 4096
)

// appendURIEncode appends s encoded the way SigV4 canonicalizes it: every byte
// except the RFC 3986 unreserved characters becomes %XX (upper-case hex); '/'
// is kept unless encodeSlash.
func appendURIEncode(b []byte, s string, encodeSlash bool) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/' && !encodeSlash:
			b = append(b, c)
		default:
			b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
		}
	}
	return b
}

// URIEncode encodes s as SigV4 canonical requests and S3 object paths do.
func URIEncode(s string, encodeSlash bool) string {
	return string(appendURIEncode(make([]byte, 0, len(s)+16), s, encodeSlash))
}

// canonicalURIs returns the canonical URI candidates for an S3 request: the
// decoded path re-encoded the way every SDK signs S3 keys, then, if it
// differs, the path exactly as the client sent it (for clients that sign
// their own, differently escaped, form). S3 never normalizes the path.
func canonicalURIs(r *http.Request) []string {
	primary := URIEncode(r.URL.Path, false)
	if primary == "" {
		primary = "/"
	}
	raw := sentPath(r)
	if raw == "" || raw == primary {
		return []string{primary}
	}
	return []string{primary, raw}
}

// sentPath returns the path of the request target as it was on the wire.
func sentPath(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}

type queryPair struct{ k, v string }

// canonicalQuery returns the canonical query string of rawQuery: every
// parameter decoded then URI-encoded, sorted by name then value, without the
// parameter named skip.
func canonicalQuery(rawQuery, skip string) string {
	if rawQuery == "" {
		return ""
	}
	pairs := make([]queryPair, 0, strings.Count(rawQuery, "&")+1)
	for piece := range strings.SplitSeq(rawQuery, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if k == skip {
			continue
		}
		pairs = append(pairs, queryPair{URIEncode(k, true), URIEncode(v, true)})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var sb strings.Builder
	for i, p := range pairs {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.k)
		sb.WriteByte('=')
		sb.WriteString(p.v)
	}
	return sb.String()
}

// queryUnescape decodes a query component as net/url does for handlers
// ('+' is a space); an invalid escape is kept literally.
func queryUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// appendCanonicalHeaders appends "name:value\n" for each signed header:
// values trimmed, inner runs of spaces collapsed, repeated headers joined by
// commas.
func appendCanonicalHeaders(b []byte, r *http.Request, signed []string) []byte {
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		switch name {
		case "host":
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			b = appendTrimmed(b, host)
		case "content-length":
			if v := r.Header.Values("Content-Length"); len(v) > 0 {
				b = appendValues(b, v)
			} else if r.ContentLength >= 0 {
				b = strconv.AppendInt(b, r.ContentLength, 10)
			}
		case "transfer-encoding":
			if v := r.Header.Values("Transfer-Encoding"); len(v) > 0 {
				b = appendValues(b, v)
			} else {
				b = appendValues(b, r.TransferEncoding)
			}
		default:
			b = appendValues(b, r.Header.Values(name))
		}
		b = append(b, '\n')
	}
	return b
}

func appendValues(b []byte, values []string) []byte {
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

// appendTrimmed appends v without leading and trailing white space and with
// every inner run of spaces and tabs collapsed to one space.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// canonicalRequestHash returns the hex SHA256 of the canonical request.
func canonicalRequestHash(buf []byte, r *http.Request, uri, query string, signed []string, signedRaw, payloadHash string) ([]byte, string) {
	b := buf[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, signed)
	b = append(b, '\n')
	b = append(b, signedRaw...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// stringToSign builds the SigV4 string to sign of a canonical request hash.
func stringToSign(b []byte, amzDate, scope, canonicalHash string) []byte {
	b = append(b[:0], Algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	b = append(b, canonicalHash...)
	return b
}

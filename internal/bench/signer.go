package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// signer signs the generator's requests with SigV4 and an unsigned
// payload. It differs from sigv4.SignRequest only in cost: the requests
// it signs are built by this package (path-style, canonical query, a
// known set of headers), so it can keep each day's signing key and reuse
// its hashes instead of deriving and allocating them per request. Tests
// check its signatures with sigv4.Verifier.
type signer struct {
	accessKey, secretKey, region string
	scratch                      sync.Pool // of *signScratch
}

// signScratch is the reusable state of one signature.
type signScratch struct {
	date string    // the day mac is keyed for
	mac  hash.Hash // HMAC-SHA256 keyed with the day's signing key
	sha  hash.Hash
	buf  []byte
	sum  [sha256.Size]byte
}

func newSigner(accessKey, secretKey, region string) *signer {
	s := &signer{accessKey: accessKey, secretKey: secretKey, region: region}
	s.scratch.New = func() any { return &signScratch{sha: sha256.New(), buf: make([]byte, 0, 1024)} }
	return s
}

// signingKey derives the SigV4 key of one day.
func (s *signer) signingKey(date string) []byte {
	k := []byte("AWS4" + s.secretKey)
	for _, part := range []string{date, s.region, "s3", "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(part))
		k = m.Sum(nil)
	}
	return k
}

// signedHeaderNames are the headers the generator may sign, in canonical
// (sorted) order; host and the x-amz ones are always signed.
func signedHeaderNames() [5]string {
	return [5]string{"content-md5", "content-type", "host", "x-amz-content-sha256", "x-amz-date"}
}

// sign adds X-Amz-Date, X-Amz-Content-Sha256 and Authorization to req,
// whose URL must carry its canonical path (escaped) and query as sent.
func (s *signer) sign(req *http.Request, now time.Time) {
	sc := s.scratch.Get().(*signScratch)
	defer s.scratch.Put(sc)
	now = now.UTC()
	b := now.AppendFormat(sc.buf[:0], "20060102T150405Z")
	amzDate := string(b)
	date := amzDate[:8]
	if sc.date != date {
		sc.date, sc.mac = date, hmac.New(sha256.New, s.signingKey(date))
	}
	req.Header["X-Amz-Date"] = []string{amzDate}
	req.Header["X-Amz-Content-Sha256"] = []string{sigv4.UnsignedPayload}

	names := signedHeaderNames()
	signed := names[:0]
	for _, n := range names {
		switch n {
		case "host":
		case "content-md5", "content-type":
			if req.Header.Get(n) == "" {
				continue
			}
		}
		signed = append(signed, n)
	}
	// Canonical request.
	b = append(b[:0], req.Method...)
	b = append(b, '\n')
	b = append(b, req.URL.EscapedPath()...)
	b = append(b, '\n')
	b = append(b, req.URL.RawQuery...)
	b = append(b, '\n')
	for _, n := range signed {
		b = append(b, n...)
		b = append(b, ':')
		if n == "host" {
			b = append(b, req.URL.Host...)
		} else {
			b = append(b, strings.TrimSpace(req.Header.Get(n))...)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	signedList := len(b)
	for i, n := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, n...)
	}
	signedHeaders := string(b[signedList:])
	b = append(b, '\n')
	b = append(b, sigv4.UnsignedPayload...)
	sc.sha.Reset()
	sc.sha.Write(b)
	crHash := sc.sha.Sum(sc.sum[:0])

	// String to sign, then the signature.
	scope := date + "/" + s.region + "/s3/aws4_request"
	b = append(b[:0], "AWS4-HMAC-SHA256\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash)
	sc.mac.Reset()
	sc.mac.Write(b)
	sig := sc.mac.Sum(sc.sum[:0])

	b = append(b[:0], "AWS4-HMAC-SHA256 Credential="...)
	b = append(b, s.accessKey...)
	b = append(b, '/')
	b = append(b, scope...)
	b = append(b, ", SignedHeaders="...)
	b = append(b, signedHeaders...)
	b = append(b, ", Signature="...)
	b = hex.AppendEncode(b, sig)
	req.Header["Authorization"] = []string{string(b)}
	sc.buf = b
}

// canonicalQuery encodes name/value pairs as SigV4 canonicalizes a query:
// sorted by name, every byte but the unreserved ones percent-encoded, and
// "=" after each name even when the value is empty. Sent as is, it needs
// no canonicalization on either side.
func canonicalQuery(pairs ...string) string {
	type kv struct{ k, v string }
	kvs := make([]kv, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		kvs = append(kvs, kv{sigv4.URIEncode(pairs[i], true), sigv4.URIEncode(pairs[i+1], true)})
	}
	slices.SortFunc(kvs, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var sb strings.Builder
	for i, p := range kvs {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.k)
		sb.WriteByte('=')
		sb.WriteString(p.v)
	}
	return sb.String()
}

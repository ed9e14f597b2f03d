package sigv4

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// diffHeaders is the pool the differential test draws headers from: x-amz-*
// headers that shape an S3 operation, standard headers the SDK signs, and
// headers it leaves unsigned (User-Agent, X-Amzn-Trace-Id).
var diffHeaders = []string{
	"X-Amz-Meta-Owner", "X-Amz-Meta-Note", "X-Amz-Acl", "X-Amz-Tagging", "X-Amz-Copy-Source",
	"X-Amz-Storage-Class", "X-Amz-Metadata-Directive", "X-Amz-Checksum-Crc32", "X-Amz-Expected-Bucket-Owner",
	"Content-Type", "Content-Md5", "Cache-Control", "Content-Disposition", "If-Match", "Range",
	"X-Custom-Header", "User-Agent", "X-Amzn-Trace-Id",
}

func randomValue(rng *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+"
	n := 1 + rng.IntN(12)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 && i < n-1 && rng.IntN(8) == 0 {
			b.WriteString("  ") // an inner run of spaces, which canonicalization collapses
		}
		b.WriteByte(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

// signedHeaderList returns the SignedHeaders of a verified-shape request.
func signedHeaderList(r *http.Request) []string {
	if s := r.URL.Query().Get(qSignedHeaders); s != "" {
		return strings.Split(s, ";")
	}
	_, rest, _ := strings.Cut(r.Header.Get("Authorization"), "SignedHeaders=")
	s, _, _ := strings.Cut(rest, ",")
	return strings.Split(s, ";")
}

// verifyAll verifies r and reads its body, returning the first error.
func verifyAll(r *http.Request) error {
	res, err := fixedVerifier().Verify(r)
	if err != nil {
		return err
	}
	_, err = io.ReadAll(res.Body)
	return err
}

// TestDifferentialAgainstSDKSigner signs random requests with
// aws-sdk-go-v2's signer (an Authorization header or a presigned URL),
// checks that the Verifier accepts them, then adds, removes or changes one
// header: the Verifier must refuse unless the change is to a header that
// is not signed and not x-amz-* (which S3 ignores).
func TestDifferentialAgainstSDKSigner(t *testing.T) {
	const rounds = 400
	rng := rand.New(rand.NewPCG(17, 4))
	methods := []string{"GET", "PUT", "HEAD", "DELETE", "POST"}
	queries := []string{"", "?uploadId=u1&partNumber=2", "?tagging=", "?acl", "?versionId=v%2B1"}
	var accepted, refused int
	for i := range rounds {
		method := methods[rng.IntN(len(methods))]
		target := "/bucket/" + URIEncode(awkwardKeys[rng.IntN(len(awkwardKeys))], false) + queries[rng.IntN(len(queries))]
		body := ""
		if method == "PUT" || method == "POST" {
			body = randomValue(rng)
		}
		header := http.Header{}
		for _, name := range diffHeaders {
			if rng.IntN(3) == 0 {
				header.Set(name, randomValue(rng))
			}
		}
		presign := rng.IntN(2) == 0
		build := func(send http.Header) *http.Request {
			if presign {
				return sdkPresigned(t, method, target, header, UnsignedPayload, body, send)
			}
			return sdkSigned(t, method, target, header, body, send)
		}
		mode := "header"
		if presign {
			mode = "presigned"
		}
		base := build(nil)
		if err := verifyAll(base); err != nil {
			t.Fatalf("round %d (%s %s %s, headers %v): unmodified request refused: %v", i, mode, method, target, header, err)
		}
		signed := signedHeaderList(base)

		// One mutation of the request as sent.
		r := build(nil)
		var present []string
		for name := range r.Header {
			if name != "Authorization" {
				present = append(present, name)
			}
		}
		slices.Sort(present)
		var absent []string
		for _, name := range diffHeaders {
			if _, ok := r.Header[name]; !ok && !r.URL.Query().Has(name) && !r.URL.Query().Has(strings.ToLower(name)) {
				absent = append(absent, name)
			}
		}
		var op, name string
		switch k := rng.IntN(3); {
		case k == 0 && len(absent) > 0 || len(present) == 0:
			op, name = "add", absent[rng.IntN(len(absent))]
			r.Header.Set(name, randomValue(rng))
		case k == 1:
			op, name = "remove", present[rng.IntN(len(present))]
			r.Header.Del(name)
		default:
			op, name = "change", present[rng.IntN(len(present))]
			r.Header.Set(name, r.Header.Get(name)+"x")
		}
		lname := strings.ToLower(name)
		ignored := !slices.Contains(signed, lname) && !strings.HasPrefix(lname, "x-amz-")
		err := verifyAll(r)
		what := fmt.Sprintf("round %d: %s %s %s signing %v, %s %s", i, mode, method, target, signed, op, name)
		switch {
		case ignored && err != nil:
			t.Errorf("%s: got %v, want accepted (S3 ignores that header)", what, err)
		case ignored:
			accepted++
		case err == nil:
			t.Errorf("%s: accepted, want refused", what)
		case op == "add" && !errors.Is(err, ErrHeadersNotSigned):
			t.Errorf("%s: got %v, want ErrHeadersNotSigned", what, err)
		case op == "add" && !slices.Equal(HeadersNotSigned(err), []string{lname}):
			t.Errorf("%s: HeadersNotSigned %q, want [%s]", what, HeadersNotSigned(err), lname)
		case op != "add" && !isSigV4Error(err):
			// Mostly SignatureDoesNotMatch; a broken X-Amz-Date or
			// X-Amz-Content-Sha256 is refused before the signature.
			t.Errorf("%s: got %v, want a sigv4 refusal", what, err)
		default:
			refused++
		}
	}
	// The draw must exercise both outcomes, or the test proves nothing.
	if accepted < rounds/10 || refused < rounds/3 {
		t.Fatalf("got %d accepted and %d refused mutations of %d; the draw is too lopsided", accepted, refused, rounds)
	}
	t.Logf("%d mutations accepted (unsigned, not x-amz-*), %d refused", accepted, refused)
}

func isSigV4Error(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

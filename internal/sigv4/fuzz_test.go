package sigv4

import (
	"io"
	"net/url"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	f.Add(exampleAuth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-HMAC-SHA256 Credential=,SignedHeaders=,Signature=,Credential=")
	f.Add("AWS ak:sig")
	f.Fuzz(func(t *testing.T, h string) {
		p, err := parseAuthorization(h)
		if err != nil {
			if _, ok := Code(err); !ok {
				t.Fatalf("error without an S3 code: %v", err)
			}
			return
		}
		if p.accessKey == "" || len(p.signedHeaders) == 0 || p.scope == "" {
			t.Fatalf("accepted incomplete header %q: %+v", h, p)
		}
	})
}

func FuzzParsePresigned(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
	f.Add("X-Amz-Expires=-1&X-Amz-Algorithm=x")
	f.Add("a=%zz&b")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := parsePresigned(q)
		if err != nil {
			if _, ok := Code(err); !ok {
				t.Fatalf("error without an S3 code: %v", err)
			}
			return
		}
		if p.expires <= 0 || p.expires > maxExpires*1e9 || p.accessKey == "" {
			t.Fatalf("accepted out-of-range parameters %q: %+v", raw, p)
		}
		_ = canonicalQuery(raw, qSignature)
	})
}

func FuzzChunkedDecode(f *testing.F) {
	_, s := streamingRequest(f, StreamingPayloadTrailer, 10, "x-amz-checksum-crc32")
	f.Add(encodeChunked([]byte("0123456789"), 4, s, [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}), uint8(0))
	f.Add(encodeChunked([]byte("0123456789"), 3, nil, [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}), uint8(1))
	f.Add([]byte("a\r\n0123456789\r\n0\r\n\r\n"), uint8(2))
	f.Add([]byte("fffffffffffffff;chunk-signature=00\r\n"), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		modes := []string{StreamingPayloadTrailer, StreamingUnsignedTrailer, StreamingPayload}
		m := modes[int(mode)%len(modes)]
		r, _ := streamingRequest(t, m, 10, "x-amz-checksum-crc32")
		setBody(r, body)
		res, err := fixedVerifier().Verify(r)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
		if n > 10 {
			t.Fatalf("decoded %d bytes, more than the declared 10", n)
		}
		if err == nil && n != 10 {
			t.Fatalf("clean end after %d of 10 bytes", n)
		}
		if err != nil {
			if _, ok := Code(err); !ok {
				t.Fatalf("error without an S3 code: %v", err)
			}
		}
		res.Body.Close()
	})
}

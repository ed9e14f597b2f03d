package sigv4

import (
	"bytes"
	"io"
	"testing"
)

func BenchmarkVerifyHeader(b *testing.B) {
	r := serverRequest("GET", "/bucket/some/object/key.txt?versionId=abc", "s3.example.test", nil, nil)
	r.Header.Set("Range", "bytes=0-1023")
	if err := SignRequest(r, Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}, testRegion, EmptySHA256, testNow); err != nil {
		b.Fatal(err)
	}
	v := fixedVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPresigned(b *testing.B) {
	r := presigned(b, "/bucket/some/object/key.txt", testNow, 3600e9)
	v := fixedVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunkedDecode(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16) // 8 MiB
	for _, mode := range []string{StreamingPayload, StreamingUnsignedTrailer} {
		b.Run(mode, func(b *testing.B) {
			r, s := streamingRequest(b, mode, len(data), "")
			if mode == StreamingUnsignedTrailer {
				s = nil
			}
			body := encodeChunked(data, 64<<10, s, nil)
			v := fixedVerifier()
			buf := make([]byte, 256<<10)
			src := bytes.NewReader(body)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(body)
				req := r.Clone(r.Context())
				req.Body, req.ContentLength = io.NopCloser(src), int64(len(body))
				res, err := v.Verify(req)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{res.Body}, buf); err != nil || n != int64(len(data)) {
					b.Fatalf("got %d, %v", n, err)
				}
				res.Body.Close()
			}
		})
	}
}

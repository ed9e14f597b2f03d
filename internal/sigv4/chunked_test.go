package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// encodeChunked frames data as aws-chunked in chunks of size chunk, signing
// each chunk with s when s is not nil, then the final chunk and the trailer
// lines (signed with s too).
func encodeChunked(data []byte, chunk int, s *streamSigner, trailers [][2]string) []byte {
	var b bytes.Buffer
	writeChunk := func(p []byte) {
		b.WriteString(strconv.FormatInt(int64(len(p)), 16))
		if s != nil {
			sum := sha256.Sum256(p)
			sig := s.sign(sum[:], false)
			b.WriteString(";chunk-signature=" + hex.EncodeToString(sig[:]))
		}
		b.WriteString("\r\n")
		b.Write(p)
		if len(p) > 0 {
			b.WriteString("\r\n")
		}
	}
	for off := 0; off < len(data); off += chunk {
		writeChunk(data[off:min(off+chunk, len(data))])
	}
	writeChunk(nil)
	var canon []byte
	for _, kv := range trailers {
		b.WriteString(kv[0] + ":" + kv[1] + "\r\n")
		canon = append(canon, kv[0]+":"+kv[1]+"\n"...)
	}
	if s != nil && trailers != nil {
		sum := sha256.Sum256(canon)
		sig := s.sign(sum[:], true)
		b.WriteString("x-amz-trailer-signature:" + hex.EncodeToString(sig[:]) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// streamingRequest returns a request signed for a streaming upload of
// decoded bytes and the signer that continues its signature chain.
func streamingRequest(t testing.TB, mode string, decoded int, trailerNames string) (*http.Request, *streamSigner) {
	t.Helper()
	r := serverRequest("PUT", "/bucket/stream", "s3.example.test", nil, map[string]string{
		"Content-Encoding":             "aws-chunked",
		"X-Amz-Decoded-Content-Length": strconv.Itoa(decoded),
	})
	if trailerNames != "" {
		r.Header.Set("X-Amz-Trailer", trailerNames)
	}
	if err := SignRequest(r, Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}, testRegion, mode, testNow); err != nil {
		t.Fatal(err)
	}
	_, sigHex, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
	s := &streamSigner{key: deriveKey(testSecretKey, testNow.Format(dateFormat), testRegion, "s3"),
		amzDate: testNow.Format(timeFormat), scope: testNow.Format(dateFormat) + "/" + testRegion + "/s3/aws4_request"}
	hex.Decode(s.prev[:], []byte(sigHex))
	return r, s
}

func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
}

func TestChunkedDecodes(t *testing.T) {
	data := bytes.Repeat([]byte("hoard aws-chunked "), 9000) // 162000 bytes
	crc := [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
	tests := []struct {
		name     string
		mode     string
		chunk    int
		trailers [][2]string
		edit     func(body []byte) []byte
	}{
		{"signed 64KiB chunks", StreamingPayload, 64 << 10, nil, nil},
		{"signed 1-byte chunks of a prefix", StreamingPayload, 1, nil, nil},
		{"signed 8KiB chunks", StreamingPayload, 8 << 10, nil, nil},
		{"signed with trailer", StreamingPayloadTrailer, 64 << 10, crc, nil},
		{"signed trailer with LF lines and a blank before the signature", StreamingPayloadTrailer, 64 << 10, crc, func(b []byte) []byte {
			return bytes.Replace(b, []byte("AAAAAA==\r\nx-amz-trailer-signature"), []byte("AAAAAA==\n\r\nx-amz-trailer-signature"), 1)
		}},
		{"signed trailer after a blank line", StreamingPayloadTrailer, 64 << 10, crc, func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nx-amz-checksum-crc32:"), []byte("\r\n\r\nx-amz-checksum-crc32:"), 1)
		}},
		{"signed trailer without the final blank line", StreamingPayloadTrailer, 64 << 10, crc, func(b []byte) []byte {
			return b[:len(b)-2]
		}},
		{"unsigned trailer", StreamingUnsignedTrailer, 64 << 10, crc, nil},
		{"unsigned trailer with two blank lines", StreamingUnsignedTrailer, 64 << 10, crc, func(b []byte) []byte {
			return append(b, "\r\n"...)
		}},
		{"unsigned trailer with LF line ends", StreamingUnsignedTrailer, 64 << 10, crc, func(b []byte) []byte {
			tail := bytes.ReplaceAll(b[len(b)-40:], []byte("\r\n"), []byte("\n"))
			return append(b[:len(b)-40:len(b)-40], tail...)
		}},
		{"chunk extensions ignored when unsigned", StreamingUnsignedTrailer, 64 << 10, crc, func(b []byte) []byte {
			return bytes.Replace(b, []byte("10000\r\n"), []byte("10000;ext=1\r\n"), 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := data
			if tc.chunk == 1 {
				payload = data[:3000]
			}
			names := ""
			if tc.trailers != nil {
				names = tc.trailers[0][0]
			}
			r, s := streamingRequest(t, tc.mode, len(payload), names)
			if tc.mode == StreamingUnsignedTrailer {
				s = nil
			}
			body := encodeChunked(payload, tc.chunk, s, tc.trailers)
			if tc.edit != nil {
				body = tc.edit(body)
			}
			for _, wrap := range []struct {
				name string
				fn   func(io.Reader) io.Reader
			}{{"whole", func(r io.Reader) io.Reader { return r }}, {"one byte", iotest.OneByteReader}, {"half", iotest.HalfReader}} {
				setBody(r, body)
				r.Body = io.NopCloser(wrap.fn(bytes.NewReader(body)))
				res, err := fixedVerifier().Verify(r)
				if err != nil {
					t.Fatalf("%s: Verify: got %v, want nil", wrap.name, err)
				}
				got, err := io.ReadAll(res.Body)
				if err != nil || !bytes.Equal(got, payload) {
					t.Fatalf("%s: got %d bytes, %v; want %d bytes", wrap.name, len(got), err, len(payload))
				}
				if v, err := res.TrailerValue("x-amz-checksum-crc32"); tc.trailers != nil && (err != nil || v != "AAAAAA==") {
					t.Fatalf("%s: trailer: got %q, %v; want AAAAAA==", wrap.name, v, err)
				}
				res.Body.Close()
			}
		})
	}
}

func TestChunkedErrors(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 100000)
	crc := [][2]string{{"x-amz-checksum-crc32", "AAAAAA=="}}
	flipSig := func(n int) func([]byte) []byte { // corrupt the n-th chunk signature
		return func(b []byte) []byte {
			i := -1
			for range n {
				i += 1 + bytes.Index(b[i+1:], []byte("chunk-signature="))
			}
			b[i+16] ^= 1
			return b
		}
	}
	tests := []struct {
		name     string
		mode     string
		declared int
		trailers [][2]string
		names    string
		edit     func([]byte) []byte
		want     error
		code     string
	}{
		{"first chunk signature", StreamingPayload, 0, nil, "", flipSig(1), ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{"second chunk signature", StreamingPayload, 0, nil, "", flipSig(2), ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{"final chunk signature", StreamingPayload, 0, nil, "", flipSig(3), ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{"tampered data", StreamingPayload, 0, nil, "", func(b []byte) []byte {
			b[200] ^= 1
			return b
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{"tampered trailer value", StreamingPayloadTrailer, 0, crc, "x-amz-checksum-crc32", func(b []byte) []byte {
			return bytes.Replace(b, []byte("AAAAAA=="), []byte("AAAAAQ=="), 1)
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{"wrong trailer signature", StreamingPayloadTrailer, 0, crc, "x-amz-checksum-crc32", func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:")) + 24
			b[i] ^= 1
			return b
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch"},
		{"missing trailer signature", StreamingPayloadTrailer, 0, crc, "x-amz-checksum-crc32", func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature:"))
			return append(b[:i:i], "\r\n"...)
		}, ErrMalformedTrailer, "MalformedTrailerError"},
		{"undeclared trailer", StreamingUnsignedTrailer, 0, crc, "x-amz-checksum-crc32c", nil, ErrMalformedTrailer, "MalformedTrailerError"},
		{"declared trailer missing", StreamingUnsignedTrailer, 0, nil, "x-amz-checksum-crc32", nil, ErrMalformedTrailer, "MalformedTrailerError"},
		{"trailer on a plain signed stream", StreamingPayload, 0, nil, "", func(b []byte) []byte {
			return append(b[:len(b)-2:len(b)-2], "x-amz-meta-a:1\r\n\r\n"...)
		}, ErrMalformedTrailer, "MalformedTrailerError"},
		{"chunk size not hex", StreamingPayload, 0, nil, "", func(b []byte) []byte {
			return append([]byte("zz"), b[5:]...)
		}, ErrMalformedChunk, "IncompleteBody"},
		{"chunk size too long", StreamingUnsignedTrailer, 0, nil, "", func(b []byte) []byte {
			return append([]byte("0000000000000000"), b[5:]...)
		}, ErrMalformedChunk, "IncompleteBody"},
		{"missing chunk signature", StreamingPayload, 0, nil, "", func(b []byte) []byte {
			i := bytes.Index(b, []byte(";"))
			j := bytes.Index(b, []byte("\r\n"))
			return append(b[:i:i], b[j:]...)
		}, ErrMalformedChunk, "IncompleteBody"},
		{"data not followed by CRLF", StreamingUnsignedTrailer, 0, nil, "", func(b []byte) []byte {
			i := bytes.Index(b, []byte("\r\n")) + 2 + 65536
			b[i] = 'Q'
			return b
		}, ErrMalformedChunk, "IncompleteBody"},
		{"header line too long", StreamingUnsignedTrailer, 0, nil, "", func(b []byte) []byte {
			return append([]byte("10000;"+strings.Repeat("e", 5000)), b[5:]...)
		}, ErrMalformedChunk, "IncompleteBody"},
		{"truncated inside a chunk", StreamingPayload, 0, nil, "", func(b []byte) []byte {
			return b[:5000]
		}, ErrIncompleteBody, "IncompleteBody"},
		{"truncated inside a header", StreamingPayload, 0, nil, "", func(b []byte) []byte {
			i := bytes.LastIndex(b, []byte("0;chunk"))
			return b[:i+3]
		}, ErrIncompleteBody, "IncompleteBody"},
		{"decoded length larger than the data", StreamingPayload, 100001, nil, "", nil, ErrIncompleteBody, "IncompleteBody"},
		{"chunks longer than the decoded length", StreamingPayload, 99999, nil, "", nil, ErrIncompleteBody, "IncompleteBody"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			declared := len(data)
			if tc.declared != 0 {
				declared = tc.declared
			}
			r, s := streamingRequest(t, tc.mode, declared, tc.names)
			if tc.mode == StreamingUnsignedTrailer {
				s = nil
			}
			body := encodeChunked(data, 64<<10, s, tc.trailers)
			if tc.edit != nil {
				body = tc.edit(body)
			}
			setBody(r, body)
			res, err := fixedVerifier().Verify(r)
			if err != nil {
				t.Fatalf("Verify: got %v, want nil", err)
			}
			_, err = io.ReadAll(res.Body)
			assertCode(t, err, tc.want, tc.code, "")
			if _, again := res.Body.Read(make([]byte, 10)); again != err {
				t.Fatalf("second read: got %v, want the same error %v", again, err)
			}
			if err := res.Body.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The decoder's memory does not grow with the payload: a huge declared
// chunk is streamed, never buffered.
func TestChunkedStreamsLargeChunks(t *testing.T) {
	const size = 32 << 20
	r, _ := streamingRequest(t, StreamingUnsignedTrailer, size, "")
	head := fmt.Sprintf("%x\r\n", size)
	body := io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, size), strings.NewReader("\r\n0\r\n\r\n"))
	r.Body = io.NopCloser(body)
	res, err := fixedVerifier().Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{res.Body}, buf)
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("got %d, %v; want %d", n, err, size)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("decoding 32 MiB allocated %d bytes, want under 1 MiB", grew)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The published examples of AWS's S3 SigV4 documentation ("Signature
// Calculations for the Authorization Header", single chunk and chunked
// uploads, trailing headers, and query-string authentication) all use these
// credentials, us-east-1 and this instant.
const (
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	exampleSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func exampleVerifier() *Verifier {
	return &Verifier{
		Region: "us-east-1",
		Lookup: func(ak string) (Credentials, bool) {
			if ak == exampleAccessKey {
				return Credentials{AccessKey: ak, SecretKey: exampleSecretKey}, true
			}
			return Credentials{}, false
		},
		Now: func() time.Time { return exampleTime },
	}
}

func exampleAuth(signedHeaders, signature string) string {
	return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=" +
		signedHeaders + ",Signature=" + signature
}

// serverRequest builds a request the way net/http's server hands it over.
func serverRequest(method, target, host string, body io.Reader, headers map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, body)
	r.Host = host
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

func TestAWSSingleChunkExamples(t *testing.T) {
	const host = "examplebucket.s3.amazonaws.com"
	tests := []struct {
		name    string
		method  string
		target  string
		body    string
		headers map[string]string
	}{
		{"GET object with range", "GET", "/test.txt", "", map[string]string{
			"Range":                "bytes=0-9",
			"x-amz-content-sha256": EmptySHA256,
			"x-amz-date":           "20130524T000000Z",
			"Authorization": exampleAuth("host;range;x-amz-content-sha256;x-amz-date",
				"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
		}},
		{"PUT object", "PUT", "/test$file.text", "Welcome to Amazon S3.", map[string]string{
			"Date":                 "Fri, 24 May 2013 00:00:00 GMT",
			"x-amz-date":           "20130524T000000Z",
			"x-amz-storage-class":  "REDUCED_REDUNDANCY",
			"x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
			"Authorization": exampleAuth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
				"98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
		}},
		{"GET bucket lifecycle", "GET", "/?lifecycle", "", map[string]string{
			"x-amz-content-sha256": EmptySHA256,
			"x-amz-date":           "20130524T000000Z",
			"Authorization": exampleAuth("host;x-amz-content-sha256;x-amz-date",
				"fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
		}},
		{"list objects", "GET", "/?max-keys=2&prefix=J", "", map[string]string{
			"x-amz-content-sha256": EmptySHA256,
			"x-amz-date":           "20130524T000000Z",
			"Authorization": exampleAuth("host;x-amz-content-sha256;x-amz-date",
				"34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := serverRequest(tc.method, tc.target, host, strings.NewReader(tc.body), tc.headers)
			res, err := exampleVerifier().Verify(r)
			if err != nil {
				t.Fatalf("Verify: got %v, want nil", err)
			}
			if res.AccessKey != exampleAccessKey || res.Anonymous {
				t.Fatalf("got access key %q anonymous=%v, want %s", res.AccessKey, res.Anonymous, exampleAccessKey)
			}
			got, err := io.ReadAll(res.Body)
			if err != nil || string(got) != tc.body {
				t.Fatalf("body: got %q, %v; want %q", got, err, tc.body)
			}
		})
	}
}

func TestAWSPresignedExample(t *testing.T) {
	const want = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	got, err := Presign("GET", "https://examplebucket.s3.amazonaws.com/test.txt",
		Credentials{AccessKey: exampleAccessKey, SecretKey: exampleSecretKey}, "us-east-1", 24*time.Hour, exampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Presign:\ngot  %s\nwant %s", got, want)
	}
	target := strings.TrimPrefix(want, "https://examplebucket.s3.amazonaws.com")
	r := serverRequest("GET", target, "examplebucket.s3.amazonaws.com", nil, nil)
	res, err := exampleVerifier().Verify(r)
	if err != nil {
		t.Fatalf("Verify: got %v, want nil", err)
	}
	if !res.Presigned || !res.Expires.Equal(exampleTime.Add(24*time.Hour)) {
		t.Fatalf("got presigned=%v expires=%v, want true, %v", res.Presigned, res.Expires, exampleTime.Add(24*time.Hour))
	}
}

// exampleChunkedBody is the body of AWS's chunked upload examples: 65 KiB of
// 'a' in a 64 KiB chunk, a 1 KiB chunk and the final empty chunk.
func exampleChunkedBody(sigs [3]string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("10000;chunk-signature=" + sigs[0] + "\r\n")
	b.Write(bytes.Repeat([]byte("a"), 65536))
	b.WriteString("\r\n400;chunk-signature=" + sigs[1] + "\r\n")
	b.Write(bytes.Repeat([]byte("a"), 1024))
	b.WriteString("\r\n0;chunk-signature=" + sigs[2] + "\r\n")
	b.WriteString(trailer)
	b.WriteString("\r\n")
	return b.Bytes()
}

var (
	exampleChunkSigs = [3]string{
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
	}
	exampleTrailerChunkSigs = [3]string{
		"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
	}
	exampleTrailer = "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
		"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
)

func exampleChunkedRequest(body []byte) *http.Request {
	return serverRequest("PUT", "/examplebucket/chunkObject.txt", "s3.amazonaws.com", bytes.NewReader(body), map[string]string{
		"x-amz-date":                   "20130524T000000Z",
		"x-amz-storage-class":          "REDUCED_REDUNDANCY",
		"x-amz-content-sha256":         StreamingPayload,
		"Content-Encoding":             "aws-chunked",
		"x-amz-decoded-content-length": "66560",
		"Content-Length":               "66824",
		"Authorization": exampleAuth("content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
			"4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"),
	})
}

func exampleTrailerRequest(body []byte) *http.Request {
	return serverRequest("PUT", "/examplebucket/chunkObject.txt", "s3.amazonaws.com", bytes.NewReader(body), map[string]string{
		"x-amz-date":                   "20130524T000000Z",
		"x-amz-storage-class":          "REDUCED_REDUNDANCY",
		"x-amz-content-sha256":         StreamingPayloadTrailer,
		"Content-Encoding":             "aws-chunked",
		"x-amz-decoded-content-length": "66560",
		"x-amz-trailer":                "x-amz-checksum-crc32c",
		"Authorization": exampleAuth("content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
			"106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"),
	})
}

func TestAWSChunkedExamples(t *testing.T) {
	want := bytes.Repeat([]byte("a"), 66560)
	tests := []struct {
		name    string
		req     *http.Request
		trailer string
	}{
		{"signed chunks", exampleChunkedRequest(exampleChunkedBody(exampleChunkSigs, "")), ""},
		{"signed chunks and trailer", exampleTrailerRequest(exampleChunkedBody(exampleTrailerChunkSigs, exampleTrailer)), "sOO8/Q=="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := exampleVerifier().Verify(tc.req)
			if err != nil {
				t.Fatalf("Verify: got %v, want nil", err)
			}
			if !res.Streaming() || res.ContentLength != 66560 {
				t.Fatalf("got streaming=%v length=%d, want true, 66560", res.Streaming(), res.ContentLength)
			}
			if tc.trailer != "" {
				if _, err := res.TrailerValue("x-amz-checksum-crc32c"); err == nil {
					t.Fatal("TrailerValue before EOF: got nil error, want one")
				}
			}
			got, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatalf("read: got %v, want nil", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("decoded %d bytes, want %d bytes of 'a'", len(got), len(want))
			}
			v, err := res.TrailerValue("x-amz-checksum-crc32c")
			if err != nil || v != tc.trailer {
				t.Fatalf("trailer: got %q, %v; want %q", v, err, tc.trailer)
			}
			if err := res.Body.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

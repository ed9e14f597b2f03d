package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	miniosigner "github.com/minio/minio-go/v7/pkg/signer"
)

const (
	testAccessKey = "hoard-test-key"
	testSecretKey = "hoard/test+secret=="
	testRegion    = "us-east-1"
)

func testVerifier() *Verifier {
	return &Verifier{Region: testRegion, Lookup: func(ak string) (Credentials, bool) {
		if ak == testAccessKey {
			return Credentials{AccessKey: ak, SecretKey: testSecretKey}, true
		}
		return Credentials{}, false
	}}
}

// verifyServer is a loopback server that verifies every request, reads the
// body to the end and records what it saw.
type verifyServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

type seenRequest struct {
	path, query string
	body        []byte
	mode        string
	trailer     http.Header
	err         error
}

func newVerifyServer(t *testing.T, v *Verifier) *verifyServer {
	return newVerifyServerTLS(t, v, false)
}

// newVerifyServerTLS starts the server with TLS when useTLS: SDKs switch to
// unsigned payloads with trailing checksums over TLS.
func newVerifyServerTLS(t *testing.T, v *Verifier, useTLS bool) *verifyServer {
	t.Helper()
	vs := &verifyServer{}
	vs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seenRequest{path: r.URL.Path, query: r.URL.RawQuery, mode: r.Header.Get("X-Amz-Content-Sha256")}
		res, err := v.Verify(r)
		if err == nil {
			s.body, err = io.ReadAll(res.Body)
			s.trailer = res.Trailer()
		}
		s.err = err
		vs.mu.Lock()
		vs.seen = append(vs.seen, s)
		vs.mu.Unlock()
		if err != nil {
			code, _ := Code(err)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message></Error>", code, xmlEscape(err.Error()))
			return
		}
		sum := sha256.Sum256(s.body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
		if r.Method == http.MethodGet {
			w.Write([]byte("object data"))
		}
	}))
	if useTLS {
		vs.StartTLS()
	} else {
		vs.Start()
	}
	t.Cleanup(vs.Close)
	return vs
}

func (vs *verifyServer) last(t *testing.T) seenRequest {
	t.Helper()
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if len(vs.seen) == 0 {
		t.Fatal("server saw no request")
	}
	return vs.seen[len(vs.seen)-1]
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Keys that exercise S3's path canonicalization: no normalization, no double
// encoding, reserved and non-ASCII characters.
var awkwardKeys = []string{
	"plain.txt",
	"with space and+plus",
	"percent%20literal%2Fslash",
	"ünïcödé/日本語/файл",
	"double//slash",
	"dot/../dotdot/./here",
	"tilde~star*paren()quote'bang!",
	"semi;colon:at@eq=amp&dollar$comma,",
	"hash#and?question",
	"trailing/",
}

func TestAWSSDKSignerCrossCheck(t *testing.T) {
	vs := newVerifyServer(t, testVerifier())
	// S3 signs the path as sent, without the generic signer's second
	// escaping; the S3 client sets the same option.
	signer := awsv4.NewSigner(func(o *awsv4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	client := vs.Client()
	for _, key := range awkwardKeys {
		for _, method := range []string{"PUT", "GET"} {
			t.Run(method+" "+key, func(t *testing.T) {
				body := []byte("payload for " + key)
				if method == "GET" {
					body = nil
				}
				req, _ := http.NewRequest(method, vs.URL+"/bucket/"+URIEncode(key, false)+"?x-id=Test&list-type=2&prefix=a%20b%2Bc&empty=", bytes.NewReader(body))
				req.Header.Set("X-Amz-Meta-Spaced", "  several   inner    spaces  ")
				req.Header.Add("X-Amz-Meta-Multi", "one")
				req.Header.Add("X-Amz-Meta-Multi", "two")
				sum := sha256.Sum256(body)
				hash := hex.EncodeToString(sum[:])
				req.Header.Set("X-Amz-Content-Sha256", hash)
				if err := signer.SignHTTP(context.Background(), creds, req, hash, "s3", testRegion, time.Now()); err != nil {
					t.Fatal(err)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				s := vs.last(t)
				if s.err != nil || resp.StatusCode != 200 {
					t.Fatalf("got status %d, %v; want 200", resp.StatusCode, s.err)
				}
				if s.path != "/bucket/"+key || !bytes.Equal(s.body, body) {
					t.Fatalf("server saw path %q body %q, want %q %q", s.path, s.body, "/bucket/"+key, body)
				}
			})
		}
	}
}

func TestAWSSDKPresignCrossCheck(t *testing.T) {
	vs := newVerifyServer(t, testVerifier())
	signer := awsv4.NewSigner(func(o *awsv4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	for _, key := range awkwardKeys {
		t.Run(key, func(t *testing.T) {
			req, _ := http.NewRequest("PUT", vs.URL+"/bucket/"+URIEncode(key, false)+"?versionId=v%2B1", nil)
			signed, _, err := signer.PresignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", testRegion, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			u := strings.Replace(signed, "?", "?X-Amz-Expires=300&", 1) // the SDK leaves expiry to the caller's query
			if !strings.Contains(signed, "X-Amz-Expires") {
				req2, _ := http.NewRequest("PUT", vs.URL+"/bucket/"+URIEncode(key, false)+"?versionId=v%2B1&X-Amz-Expires=300", nil)
				signed, _, err = signer.PresignHTTP(context.Background(), creds, req2, UnsignedPayload, "s3", testRegion, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				u = signed
			}
			put, _ := http.NewRequest("PUT", u, strings.NewReader("presigned body"))
			resp, err := vs.Client().Do(put)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			s := vs.last(t)
			if s.err != nil || s.path != "/bucket/"+key || string(s.body) != "presigned body" {
				t.Fatalf("server saw %q %q, %v; want %q", s.path, s.body, s.err, "/bucket/"+key)
			}
		})
	}
}

func TestPresignAndSignRequestRoundTrip(t *testing.T) {
	vs := newVerifyServer(t, testVerifier())
	cred := Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}
	for _, key := range awkwardKeys {
		t.Run(key, func(t *testing.T) {
			u, err := Presign("GET", vs.URL+"/bucket/"+URIEncode(key, false)+"?response-content-type=text%2Fplain", cred, testRegion, time.Minute, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			resp, err := vs.Client().Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if s := vs.last(t); s.err != nil || s.path != "/bucket/"+key {
				t.Fatalf("presigned: server saw %q, %v; want %q", s.path, s.err, "/bucket/"+key)
			}

			body := "signed " + key
			req, _ := http.NewRequest("PUT", vs.URL+"/bucket/"+URIEncode(key, false), strings.NewReader(body))
			req.Header.Set("Content-Type", "text/plain")
			sum := sha256.Sum256([]byte(body))
			if err := SignRequest(req, cred, testRegion, hex.EncodeToString(sum[:]), time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err = vs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if s := vs.last(t); s.err != nil || s.path != "/bucket/"+key || string(s.body) != body {
				t.Fatalf("signed: server saw %q %q, %v; want %q", s.path, s.body, s.err, "/bucket/"+key)
			}
		})
	}
}

// sha256Hasher adapts crypto/sha256 to the hasher minio-go's signer takes.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

func TestMinioStreamingSignerCrossCheck(t *testing.T) {
	vs := newVerifyServer(t, testVerifier())
	sizes := []int{0, 1, 64 << 10, 64<<10 + 1, 200 << 10}
	for _, size := range sizes {
		for _, withTrailer := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d bytes trailer=%v", size, withTrailer), func(t *testing.T) {
				data := bytes.Repeat([]byte("0123456789"), size/10+1)[:size]
				req, _ := http.NewRequest("PUT", vs.URL+"/bucket/stream%20key", bytes.NewReader(data))
				if withTrailer {
					req.Trailer = http.Header{"x-amz-checksum-sha256": {"ignored-by-verifier"}}
				}
				req = miniosigner.StreamingSignV4(req, testAccessKey, testSecretKey, "", testRegion, int64(size), time.Now(), sha256Hasher{sha256.New()})
				resp, err := vs.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				s := vs.last(t)
				if s.err != nil || !bytes.Equal(s.body, data) {
					t.Fatalf("server got %d bytes, %v; want %d bytes", len(s.body), s.err, size)
				}
				if withTrailer && s.trailer.Get("x-amz-checksum-sha256") != "ignored-by-verifier" {
					t.Fatalf("trailer: got %v, want the sent value", s.trailer)
				}
			})
		}
	}
}

func TestAWSSDKClient(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) { awsClientRoundTrips(t, newVerifyServerTLS(t, testVerifier(), useTLS)) })
	}
}

func awsClientRoundTrips(t *testing.T, vs *verifyServer) {
	client := s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(vs.URL),
		UsePathStyle: true,
		Credentials:  awscreds.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		HTTPClient:   vs.Client(),
	})
	ctx := context.Background()
	for _, key := range awkwardKeys {
		t.Run(key, func(t *testing.T) {
			data := bytes.Repeat([]byte(key), 1000)
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			s := vs.last(t)
			if s.path != "/bucket/"+key || !bytes.Equal(s.body, data) {
				t.Fatalf("server saw %q (%d bytes, mode %s), want %q (%d bytes)", s.path, len(s.body), s.mode, "/bucket/"+key, len(data))
			}
			// A streaming mode with trailers must deliver the checksum trailer.
			if strings.HasSuffix(s.mode, "TRAILER") && len(s.trailer) == 0 {
				t.Fatalf("mode %s: no trailer received", s.mode)
			}
			if _, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Range: aws.String("bytes=0-3")}); err != nil {
				t.Fatalf("GetObject: %v", err)
			}
		})
	}
	// A wrong secret is refused with SignatureDoesNotMatch.
	bad := s3.New(s3.Options{Region: testRegion, BaseEndpoint: aws.String(vs.URL), UsePathStyle: true,
		Credentials: awscreds.NewStaticCredentialsProvider(testAccessKey, "wrong", ""), HTTPClient: vs.Client(),
		RetryMaxAttempts: 1})
	_, err := bad.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: got %v, want SignatureDoesNotMatch", err)
	}
}

func TestMinioClient(t *testing.T) {
	modes := []struct {
		name     string
		tls      bool
		checksum minio.ChecksumType
		want     string
	}{
		{"http", false, minio.ChecksumNone, StreamingPayload},
		{"https with trailing checksum", true, minio.ChecksumCRC32C, StreamingUnsignedTrailer},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			vs := newVerifyServerTLS(t, testVerifier(), m.tls)
			client, err := minio.New(vs.Listener.Addr().String(), &minio.Options{
				Creds:           miniocreds.NewStaticV4(testAccessKey, testSecretKey, ""),
				Region:          testRegion,
				Secure:          m.tls,
				TrailingHeaders: m.tls,
				Transport:       vs.Client().Transport,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range awkwardKeys {
				t.Run(key, func(t *testing.T) { minioRoundTrip(t, vs, client, key, m.checksum, m.want) })
			}
		})
	}
}

func minioRoundTrip(t *testing.T, vs *verifyServer, client *minio.Client, key string, cs minio.ChecksumType, wantMode string) {
	ctx := context.Background()
	data := bytes.Repeat([]byte(key), 10000)
	_, err := client.PutObject(ctx, "bucket", key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{Checksum: cs})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	s := vs.last(t)
	if s.path != "/bucket/"+key || !bytes.Equal(s.body, data) || s.mode != wantMode {
		t.Fatalf("server saw %q (%d bytes, mode %s), want %q (%d bytes, mode %s)", s.path, len(s.body), s.mode, "/bucket/"+key, len(data), wantMode)
	}
	if cs == minio.ChecksumCRC32C {
		sum := crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))
		want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, sum))
		if got := s.trailer.Get("x-amz-checksum-crc32c"); got != want {
			t.Fatalf("trailer checksum: got %q, want %q", got, want)
		}
	}
	u, err := client.PresignedGetObject(ctx, "bucket", key, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := vs.Client().Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if s := vs.last(t); s.err != nil {
		t.Fatalf("presigned GET: %v", s.err)
	}
}

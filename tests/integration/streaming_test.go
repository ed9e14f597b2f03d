package integration

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// recorder is an HTTP transport that remembers the x-amz-content-sha256
// of every request, so a test can prove which signing mode a client used.
// With asTLS it also turns https URLs into http ones, so an SDK that only
// sends trailing checksums over TLS does so against the plain-HTTP server
// (the signature does not cover the scheme).
type recorder struct {
	base  http.RoundTripper
	asTLS bool
	mu    sync.Mutex
	modes []string
}

// RoundTrip records the payload mode and forwards the request.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.modes = append(r.modes, req.Header.Get("X-Amz-Content-Sha256"))
	r.mu.Unlock()
	if r.asTLS && req.URL.Scheme == "https" {
		req = req.Clone(req.Context())
		req.URL.Scheme = "http"
	}
	return r.base.RoundTrip(req)
}

// used reports whether any request carried payload mode m.
func (r *recorder) used(m string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.modes, m)
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.modes, ",")
}

// tlsSDK returns an aws-sdk-go-v2 client that believes it talks HTTPS and
// therefore sends bodies as STREAMING-UNSIGNED-PAYLOAD-TRAILER with a
// trailing checksum, as it does against AWS.
func (e *env) tlsSDK(t testing.TB) (*s3.Client, *recorder) {
	rec := &recorder{base: testserver.NewTransport(), asTLS: true}
	c := e.srv.S3Client(t, func(o *s3.Options) {
		o.BaseEndpoint = aws.String("https://" + e.srv.Host())
		o.HTTPClient = &http.Client{Transport: rec}
	})
	return c, rec
}

// TestStreamingClients checks the streaming payload modes real clients
// use, proving each mode was on the wire: minio-go's signed chunks with and
// without a signed trailer and its unsigned trailer, and aws-sdk-go-v2's
// unsigned trailer with trailing checksums (its default over TLS).
func TestStreamingClients(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		body := data(81, 200<<10+17) // several 64 KiB chunks and a short one
		tests := []struct {
			name     string
			mode     string
			opts     func(*minio.Options)
			put      minio.PutObjectOptions
			checksum types.ChecksumAlgorithm
		}{
			{"minio-signed-chunks", streamingSigned, func(*minio.Options) {}, minio.PutObjectOptions{}, ""},
			{"minio-signed-trailer", streamingSignedTrailer, func(o *minio.Options) { o.TrailingHeaders = true },
				minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}, types.ChecksumAlgorithmCrc32c},
			{"minio-unsigned-trailer", streamingUnsignedTrail, func(o *minio.Options) { o.TrailingHeaders = true },
				minio.PutObjectOptions{Checksum: minio.ChecksumSHA256, DisableContentSha256: true}, types.ChecksumAlgorithmSha256},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := &recorder{base: testserver.NewTransport()}
				mc := e.srv.MinioClient(t, tt.opts, func(o *minio.Options) { o.Transport = rec })
				info, err := mc.PutObject(ctx(t), bucket, tt.name, bytes.NewReader(body), int64(len(body)), tt.put)
				must(t, "minio PutObject", err)
				if !rec.used(tt.mode) {
					t.Fatalf("minio-go did not use %s (sent %s); the test no longer covers that mode", tt.mode, rec)
				}
				if info.ETag != md5Hex(body) {
					t.Errorf("ETag: got %s, want %s", info.ETag, md5Hex(body))
				}
				if got, _ := e.getObject(t, bucket, tt.name); !bytes.Equal(got, body) {
					t.Errorf("content differs after %s upload", tt.mode)
				}
				if tt.checksum != "" {
					head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(tt.name), ChecksumMode: types.ChecksumModeEnabled})
					must(t, "HeadObject", err)
					got := checksumField(tt.checksum, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256)
					if want := checksum(tt.checksum, body); got != want {
						t.Errorf("stored %s from the trailer: got %q, want %q", tt.checksum, got, want)
					}
				}
			})
		}
		t.Run("aws-unsigned-trailer", func(t *testing.T) {
			c, rec := e.tlsSDK(t)
			for _, algo := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1} {
				key := "aws-trailer-" + string(algo)
				_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: onlyReader{bytes.NewReader(body)},
					ContentLength: aws.Int64(int64(len(body))), ChecksumAlgorithm: algo})
				must(t, "PutObject "+key, err)
				if got, _ := e.getObject(t, bucket, key); !bytes.Equal(got, body) {
					t.Errorf("%s: content differs", key)
				}
				head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
				must(t, "HeadObject", err)
				got := checksumField(algo, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256)
				if want := checksum(algo, body); got != want {
					t.Errorf("%s: stored %s got %q, want %q", key, algo, got, want)
				}
			}
			id := e.createUpload(t, bucket, "aws-trailer-mp")
			part, err := c.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("aws-trailer-mp"), UploadId: &id, PartNumber: aws.Int32(1),
				Body: onlyReader{bytes.NewReader(body)}, ContentLength: aws.Int64(int64(len(body))), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
			must(t, "UploadPart with a trailer", err)
			if aws.ToString(part.ETag) != quoted(md5Hex(body)) || aws.ToString(part.ChecksumCRC32C) != checksum(types.ChecksumAlgorithmCrc32c, body) {
				t.Errorf("UploadPart: got ETag %s CRC32C %s, want %s %s", aws.ToString(part.ETag), aws.ToString(part.ChecksumCRC32C), quoted(md5Hex(body)), checksum(types.ChecksumAlgorithmCrc32c, body))
			}
			if !rec.used(streamingUnsignedTrail) {
				t.Fatalf("aws-sdk-go-v2 did not use %s (sent %s)", streamingUnsignedTrail, rec)
			}
			// The same client for reads over the pretend-TLS transport.
			out, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String("aws-trailer-")})
			must(t, "ListObjectsV2", err)
			if len(out.Contents) != 3 {
				t.Errorf("ListObjectsV2: got %d objects, want 3", len(out.Contents))
			}
		})
	})
}

// TestStreamingHandBuilt sends aws-chunked bodies byte by byte as the
// SigV4 streaming spec defines them, valid and corrupted: a changed chunk
// or a wrong trailer signature is SignatureDoesNotMatch, a wrong trailing
// checksum is BadDigest, and nothing is stored on failure.
func TestStreamingHandBuilt(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		payload := data(91, 150<<10+3)
		crc := checksum(types.ChecksumAlgorithmCrc32, payload)
		wrongCRC := checksum(types.ChecksumAlgorithmCrc32, []byte("wrong"))
		tests := []struct {
			name   string
			c      chunked
			status int
			code   string
		}{
			{"signed", chunked{mode: streamingSigned, tamperChunk: -1}, 200, ""},
			{"signed-small-chunks", chunked{mode: streamingSigned, chunkSize: 8 << 10, tamperChunk: -1}, 200, ""},
			{"signed-tampered-chunk", chunked{mode: streamingSigned, tamperChunk: 1}, 403, "SignatureDoesNotMatch"},
			{"signed-trailer", chunked{mode: streamingSignedTrailer, trailerName: "x-amz-checksum-crc32", trailerValue: crc, tamperChunk: -1}, 200, ""},
			{"signed-trailer-wrong-checksum", chunked{mode: streamingSignedTrailer, trailerName: "x-amz-checksum-crc32", trailerValue: wrongCRC, tamperChunk: -1}, 400, "BadDigest"},
			{"signed-trailer-bad-signature", chunked{mode: streamingSignedTrailer, trailerName: "x-amz-checksum-crc32", trailerValue: crc, tamperChunk: -1, badTrailerSignature: true}, 403, "SignatureDoesNotMatch"},
			{"unsigned-trailer", chunked{mode: streamingUnsignedTrail, trailerName: "x-amz-checksum-crc32", trailerValue: crc, tamperChunk: -1}, 200, ""},
			{"unsigned-trailer-wrong-checksum", chunked{mode: streamingUnsignedTrail, trailerName: "x-amz-checksum-crc32", trailerValue: wrongCRC, tamperChunk: -1}, 400, "BadDigest"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := e.chunkedPut(t, bucket, tt.name, payload, tt.c, nil)
				resp, body := e.send(t, req)
				if tt.code == "" {
					wantStatus(t, "PUT", resp, body, tt.status)
					if resp.Header.Get("ETag") != quoted(md5Hex(payload)) {
						t.Errorf("ETag: got %s, want %s", resp.Header.Get("ETag"), quoted(md5Hex(payload)))
					}
					if got, _ := e.getObject(t, bucket, tt.name); !bytes.Equal(got, payload) {
						t.Errorf("content differs after the upload")
					}
					return
				}
				wantError(t, "PUT", resp, body, tt.status, tt.code)
				_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(tt.name)})
				wantAWSError(t, "HeadObject after a refused upload", err, "NotFound", http.StatusNotFound)
			})
		}
	})
}

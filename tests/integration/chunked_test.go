package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Streaming payload markers of x-amz-content-sha256.
const (
	streamingSigned        = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrail = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// chunked describes a hand-built aws-chunked upload, so tests control every
// byte a client would send and can corrupt one on purpose.
type chunked struct {
	// mode is one of the streaming markers.
	mode string
	// chunkSize is the size of every chunk but the last (at least 8 KiB for
	// S3 except the last).
	chunkSize int
	// trailerName and trailerValue, when set, are sent as the trailing
	// header (for example x-amz-checksum-crc32 and its base64 value).
	trailerName, trailerValue string
	// tamperChunk, when >= 0, flips a byte of that chunk's data after it was
	// signed.
	tamperChunk int
	// badTrailerSignature sends a wrong x-amz-trailer-signature.
	badTrailerSignature bool
}

// signingKey derives the SigV4 signing key for date (YYYYMMDD).
func signingKey(secret, date, region string) []byte {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, "s3")
	return mac(k, "aws4_request")
}

func hmacHex(key []byte, s string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// encode writes payload as an aws-chunked body; sig computes each chunk's
// signature from the previous one (nil for unsigned modes).
func (c chunked) encode(payload []byte, seed string, sig func(prev, kind, hash string) string) []byte {
	var b bytes.Buffer
	prev := seed
	signed := c.mode != streamingUnsignedTrail
	chunks := [][]byte{}
	for off := 0; off < len(payload); off += c.chunkSize {
		end := min(off+c.chunkSize, len(payload))
		chunks = append(chunks, payload[off:end])
	}
	chunks = append(chunks, nil) // the final, empty chunk
	for i, ch := range chunks {
		b.WriteString(strconv.FormatInt(int64(len(ch)), 16))
		if signed {
			s := strings.Repeat("0", 64)
			if sig != nil {
				s = sig(prev, "AWS4-HMAC-SHA256-PAYLOAD", emptySHA256+"\n"+sha256Hex(ch))
			}
			prev = s
			b.WriteString(";chunk-signature=" + s)
		}
		b.WriteString("\r\n")
		data := append([]byte(nil), ch...)
		if i == c.tamperChunk && len(data) > 0 {
			data[len(data)/2] ^= 0xff
		}
		b.Write(data)
		if len(ch) > 0 || c.trailerName == "" {
			b.WriteString("\r\n")
		}
	}
	if c.trailerName != "" {
		line := c.trailerName + ":" + c.trailerValue
		b.WriteString(line + "\r\n")
		if c.mode == streamingSignedTrailer {
			s := strings.Repeat("0", 64)
			if sig != nil {
				s = sig(prev, "AWS4-HMAC-SHA256-TRAILER", sha256Hex([]byte(line+"\n")))
				if c.badTrailerSignature {
					s = strings.Repeat("f", 64)
				}
			}
			b.WriteString("x-amz-trailer-signature:" + s + "\r\n")
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// chunkedPut returns a signed PUT of payload to bucket/key whose body is
// aws-chunked as c describes, with extra headers set before signing.
func (e *env) chunkedPut(t testing.TB, bucket, key string, payload []byte, c chunked, extra http.Header) *http.Request {
	t.Helper()
	if c.chunkSize == 0 {
		c.chunkSize = 64 << 10
	}
	size := len(c.encode(payload, "", nil))
	req := e.request(t, http.MethodPut, bucket, key, nil, nil)
	for k, v := range extra {
		req.Header[k] = v
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
	if c.trailerName != "" {
		req.Header.Set("X-Amz-Trailer", c.trailerName)
	}
	req.ContentLength = int64(size)
	now := time.Now().UTC()
	e.sign(t, req, c.mode, now)

	auth := req.Header.Get("Authorization")
	seed := auth[strings.LastIndex(auth, "Signature=")+len("Signature="):]
	date := now.Format("20060102")
	scope := date + "/" + e.srv.Region + "/s3/aws4_request"
	key4 := signingKey(e.srv.SecretKey, date, e.srv.Region)
	sig := func(prev, kind, hash string) string {
		return hmacHex(key4, kind+"\n"+now.Format("20060102T150405Z")+"\n"+scope+"\n"+prev+"\n"+hash)
	}
	body := c.encode(payload, seed, sig)
	if len(body) != size {
		t.Fatalf("aws-chunked body: got %d bytes, want %d", len(body), size)
	}
	req.Body = newBody(body)
	req.GetBody = nil
	return req
}

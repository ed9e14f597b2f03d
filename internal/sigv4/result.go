package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const headerContentSHA256 = "X-Amz-Content-Sha256"

var emptySum = sha256.Sum256(nil)

// Result is what a verified request gives its handler.
type Result struct {
	// Anonymous is set when the request carried no authentication at all.
	Anonymous bool
	// AccessKey is the access key that signed the request.
	AccessKey string
	// Presigned is set for a request authenticated by query parameters.
	Presigned bool
	// Region is the region of the credential scope.
	Region string
	// SignedAt is the signing time; Expires the end of a presigned URL's validity.
	SignedAt time.Time
	Expires  time.Time
	// PayloadHash is the x-amz-content-sha256 header as sent ("" if absent).
	PayloadHash string
	// Body is the payload to read: the aws-chunked decoder for streaming
	// uploads, a SHA256-verifying reader when PayloadHash is a hash, the
	// request body otherwise. Verification failures are returned by its Read
	// in place of io.EOF.
	Body io.ReadCloser
	// ContentLength is the payload's length: x-amz-decoded-content-length for
	// streaming uploads, the request's Content-Length otherwise (-1 if unknown).
	ContentLength int64

	chunked *chunkedReader
}

// Streaming reports whether the body is aws-chunked.
func (r *Result) Streaming() bool { return r.chunked != nil }

// Trailer returns the trailing headers of a streaming upload (canonical
// names, without x-amz-trailer-signature) once Body has been read to the
// end, and nil before or for other requests.
func (r *Result) Trailer() http.Header {
	if r.chunked == nil || r.chunked.err != io.EOF {
		return nil
	}
	return r.chunked.trailer
}

// TrailerValue returns the value of one trailing header, such as
// "x-amz-checksum-crc32c". It fails if the body is streaming with trailers
// and has not been read to the end, and returns "" if the header was not
// sent. Pass it to checksum.Options.ExpectedFunc to verify a trailing
// checksum at the end of the payload.
func (r *Result) TrailerValue(name string) (string, error) {
	if r.chunked == nil || !r.chunked.trailerMode {
		return "", nil
	}
	if r.chunked.err != io.EOF {
		return "", ErrMalformedTrailer.derive("trailer "+quote(name)+" asked for before the end of the body", "")
	}
	return r.chunked.trailer.Get(name), nil
}

type payloadKind int

const (
	payloadUnsigned payloadKind = iota
	payloadHex
	payloadSigned
	payloadSignedTrailer
	payloadUnsignedTrailer
)

type payloadMode struct {
	kind payloadKind
	sum  [32]byte // payloadHex
}

// payloadModeOf interprets an x-amz-content-sha256 value; "" is unsigned.
func payloadModeOf(v string) (payloadMode, error) {
	switch v {
	case "", UnsignedPayload:
		return payloadMode{kind: payloadUnsigned}, nil
	case StreamingPayload:
		return payloadMode{kind: payloadSigned}, nil
	case StreamingPayloadTrailer:
		return payloadMode{kind: payloadSignedTrailer}, nil
	case StreamingUnsignedTrailer:
		return payloadMode{kind: payloadUnsignedTrailer}, nil
	}
	var m payloadMode
	if len(v) == 64 {
		if _, err := hex.Decode(m.sum[:], []byte(v)); err == nil {
			m.kind = payloadHex
			return m, nil
		}
	}
	if strings.HasPrefix(v, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") {
		return m, ErrInvalidRequest.derive("SigV4a streaming payload "+quote(v), "")
	}
	return m, ErrInvalidArgument.derive("invalid x-amz-content-sha256 "+quote(v),
		"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
}

// attachBody sets res.Body and res.ContentLength for the payload mode. sc
// carries the seed signature for signed streaming modes.
func (v *Verifier) attachBody(r *http.Request, res *Result, mode payloadMode, sc *streamSigner) error {
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	res.Body = body
	switch mode.kind {
	case payloadUnsigned:
		return nil
	case payloadHex:
		res.Body = &hashReader{src: body, want: mode.sum, h: sha256.New()}
		return nil
	}
	decoded, err := decodedLength(r)
	if err != nil {
		return err
	}
	d := &chunkedReader{
		v: v, src: body, br: v.getReader(body), want: decoded,
		trailerMode: mode.kind != payloadSigned,
	}
	if mode.kind == payloadSigned || mode.kind == payloadSignedTrailer {
		d.signer = sc
		d.sha = sha256.New()
	}
	if d.trailerMode {
		d.declared = declaredTrailers(r.Header)
		if len(d.declared) > maxTrailers {
			return ErrMalformedTrailer.derive("too many trailers declared in x-amz-trailer", "")
		}
	}
	res.Body, res.ContentLength, res.chunked = d, decoded, d
	return nil
}

func decodedLength(r *http.Request) (int64, error) {
	s := r.Header.Get("X-Amz-Decoded-Content-Length")
	if s == "" {
		return 0, ErrMissingContentLength.derive("streaming upload without x-amz-decoded-content-length", "")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, ErrInvalidArgument.derive("invalid x-amz-decoded-content-length "+quote(s),
			"Value for x-amz-decoded-content-length header is invalid.")
	}
	return n, nil
}

func declaredTrailers(h http.Header) []string {
	var names []string
	for _, line := range h.Values("X-Amz-Trailer") {
		for name := range strings.SplitSeq(line, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" && !contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// hashReader verifies the SHA256 of a body at its end.
type hashReader struct {
	src  io.ReadCloser
	want [32]byte
	h    hash.Hash
	err  error
}

func (h *hashReader) Read(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.src.Read(p)
	h.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		var sum [32]byte
		if subtle.ConstantTimeCompare(h.h.Sum(sum[:0]), h.want[:]) != 1 {
			err = ErrContentSHA256Mismatch.derive("body does not hash to x-amz-content-sha256", "")
		}
		h.err = err
	} else if err != nil {
		h.err = err
	}
	return n, err
}

func (h *hashReader) Close() error { return h.src.Close() }

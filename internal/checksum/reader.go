package checksum

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

// Options say what a Reader computes and verifies besides the MD5 ETag.
type Options struct {
	// ContentMD5 is the decoded Content-MD5 header (16 bytes), nil if absent.
	ContentMD5 []byte
	// ContentSHA256 is the expected hex SHA256 of the payload (a signed
	// x-amz-content-sha256), "" if none.
	ContentSHA256 string
	// Algorithm is the additional checksum to compute; ChecksumNone for none.
	Algorithm storage.ChecksumAlgorithm
	// Expected is the base64 value of Algorithm the client sent, "" if none.
	Expected string
	// ExpectedFunc, when Expected is "", is called once at the end of the
	// payload to learn the expected value: it arrives in an HTTP trailer.
	// An empty string with a nil error means the client sent none.
	ExpectedFunc func() (string, error)
	// Type is the checksum type Checksum reports; "" means FULL_OBJECT.
	Type storage.ChecksumType
}

// Reader yields exactly Size bytes of a payload, computing its MD5 and an
// optional additional checksum while it reads, and verifies the length and
// every expected digest at the end. A verification error is returned in place
// of io.EOF, so a storage engine that reads to io.EOF never commits a payload
// that failed verification. Errors of the wrapped reader are returned
// unchanged. A Reader is not safe for concurrent use.
type Reader struct {
	src       io.Reader
	size      int64
	remaining int64
	opts      Options

	md5    hash.Hash
	extra  hash.Hash // the additional checksum, nil if none
	sha256 hash.Hash // x-amz-content-sha256 check; may alias extra

	etag     string
	checksum storage.Checksum
	err      error // sticky: io.EOF once verified, or the failure
	probe    [1]byte
}

var _ storage.Payload = (*Reader)(nil)

// NewReader returns a Reader of size bytes from r. It fails if size is
// negative or an option is malformed (an unknown algorithm, a Content-MD5 that
// is not 16 bytes, an expected value of the wrong length).
func NewReader(r io.Reader, size int64, opts Options) (*Reader, error) {
	if size < 0 {
		return nil, ErrIncompleteBody.derive(fmt.Sprintf("negative payload size %d", size),
			"You must provide the Content-Length HTTP header.")
	}
	if opts.ContentMD5 != nil && len(opts.ContentMD5) != md5.Size {
		return nil, ErrInvalidDigest.derive(fmt.Sprintf("Content-MD5 has %d bytes, want %d", len(opts.ContentMD5), md5.Size), "")
	}
	rd := &Reader{src: r, size: size, remaining: size, opts: opts}
	if opts.Algorithm != storage.ChecksumNone {
		if !Valid(opts.Algorithm) {
			_, err := ParseAlgorithm(string(opts.Algorithm))
			return nil, err
		}
		if opts.Expected != "" {
			if _, err := Decode(opts.Algorithm, opts.Expected); err != nil {
				return nil, err
			}
		}
		rd.extra = New(opts.Algorithm)
	}
	if opts.ContentSHA256 != "" {
		if !isHexSHA256(opts.ContentSHA256) {
			return nil, ErrInvalidChecksum.derive("x-amz-content-sha256 is not a hex sha256",
				"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
		}
		if opts.Algorithm == storage.ChecksumSHA256 {
			rd.sha256 = rd.extra // one hash serves both checks
		} else {
			rd.sha256 = sha256.New()
		}
	}
	rd.md5 = md5.New()
	return rd, nil
}

// Size returns the exact number of bytes the reader yields.
func (r *Reader) Size() int64 { return r.size }

// ETag returns the hex MD5 of the payload once Read has returned io.EOF, and
// "" before.
func (r *Reader) ETag() string { return r.etag }

// Checksum returns the additional checksum once Read has returned io.EOF; it
// is zero if none was asked for, and has an empty Value before the end.
func (r *Reader) Checksum() storage.Checksum { return r.checksum }

// Read reads the payload. It returns io.EOF only after every check passed.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.remaining == 0 {
		r.err = r.finish()
		return 0, r.err
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n, err := r.src.Read(p)
	if n > 0 {
		r.hash(p[:n])
		r.remaining -= int64(n)
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		if r.remaining > 0 {
			r.err = ErrIncompleteBody.derive(fmt.Sprintf("payload ended after %d of %d bytes", r.size-r.remaining, r.size), "")
			return n, r.err
		}
	default:
		r.err = err
		return n, err
	}
	if r.remaining == 0 && n == 0 {
		r.err = r.finish()
		return 0, r.err
	}
	return n, nil
}

func (r *Reader) hash(b []byte) {
	r.md5.Write(b)
	if r.extra != nil {
		r.extra.Write(b)
	}
	if r.sha256 != nil && r.sha256 != r.extra {
		r.sha256.Write(b)
	}
}

// finish checks that the source has no more bytes and verifies every digest.
// It returns io.EOF on success.
func (r *Reader) finish() error {
	if err := r.drainCheck(); err != nil {
		return err
	}
	sum := r.md5.Sum(nil)
	if r.opts.ContentMD5 != nil && subtle.ConstantTimeCompare(sum, r.opts.ContentMD5) != 1 {
		return ErrBadDigest.derive("payload does not match Content-MD5", "")
	}
	if r.sha256 != nil {
		want, _ := hex.DecodeString(r.opts.ContentSHA256)
		if subtle.ConstantTimeCompare(r.sha256.Sum(nil), want) != 1 {
			return ErrContentSHA256Mismatch.derive("payload does not match x-amz-content-sha256", "")
		}
	}
	if r.extra != nil {
		if err := r.verifyExtra(); err != nil {
			return err
		}
	}
	r.etag = hex.EncodeToString(sum)
	return io.EOF
}

// drainCheck reads from the source until it reports io.EOF, failing if it
// yields any byte past size. Reading to the end also lets a decoder parse its
// trailer, which may hold the expected checksum.
func (r *Reader) drainCheck() error {
	for range 100 {
		n, err := r.src.Read(r.probe[:])
		if n > 0 {
			return ErrIncompleteBody.derive(fmt.Sprintf("payload is longer than %d bytes", r.size),
				"The request body is longer than the declared content length.")
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("checksum: payload source returned no data and no EOF 100 times: %w", io.ErrNoProgress)
}

func (r *Reader) verifyExtra() error {
	alg := r.opts.Algorithm
	got := r.extra.Sum(nil)
	r.checksum = storage.Checksum{Algorithm: alg, Type: r.opts.Type, Value: Encode(got)}
	if r.checksum.Type == "" {
		r.checksum.Type = storage.ChecksumFullObject
	}
	expected := r.opts.Expected
	if expected == "" && r.opts.ExpectedFunc != nil {
		v, err := r.opts.ExpectedFunc()
		if err != nil {
			return err
		}
		expected = strings.TrimSpace(v)
	}
	if expected == "" {
		return nil
	}
	want, err := Decode(alg, expected)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrBadDigest.derive(fmt.Sprintf("payload does not match its %s checksum", alg),
			"The "+string(alg)+" you specified did not match the calculated checksum.")
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

package checksum

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

// Header names this package reads, in canonical form.
const (
	HeaderContentMD5        = "Content-Md5"
	HeaderSDKAlgorithm      = "X-Amz-Sdk-Checksum-Algorithm"
	HeaderChecksumAlgorithm = "X-Amz-Checksum-Algorithm"
	HeaderChecksumType      = "X-Amz-Checksum-Type"
	HeaderTrailer           = "X-Amz-Trailer"
)

// Spec is the additional checksum a request asks for.
type Spec struct {
	// Algorithm is the checksum to compute; ChecksumNone if none was asked.
	Algorithm storage.ChecksumAlgorithm
	// Value is the expected base64 value from an x-amz-checksum-* header; ""
	// if the value comes in a trailer or was not sent.
	Value string
	// Trailer is set when the value arrives in the HTTP trailer named
	// HeaderName(Algorithm) after the body.
	Trailer bool
	// Type is the x-amz-checksum-type header, "" if absent.
	Type storage.ChecksumType
}

// ParseContentMD5 decodes a Content-MD5 header. It returns nil for an empty
// header and an error wrapping ErrInvalidDigest for a value that is not the
// base64 of 16 bytes.
func ParseContentMD5(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(raw) != md5.Size {
		return nil, ErrInvalidDigest.derive("Content-MD5 is not the base64 of 16 bytes", "")
	}
	return raw, nil
}

// ParseHeaders reads the checksum headers of a request: x-amz-checksum-*
// values, x-amz-trailer, x-amz-sdk-checksum-algorithm,
// x-amz-checksum-algorithm (CreateMultipartUpload) and x-amz-checksum-type.
// Contradictions and malformed values return errors wrapping
// ErrInvalidChecksum with the message S3 sends.
func ParseHeaders(h http.Header) (Spec, error) {
	var spec Spec
	found := 0
	for _, alg := range Algorithms() {
		v := h.Get(HeaderName(alg))
		if v == "" {
			continue
		}
		found++
		if _, err := Decode(alg, strings.TrimSpace(v)); err != nil {
			return Spec{}, err
		}
		spec.Algorithm, spec.Value = alg, strings.TrimSpace(v)
	}
	trailerAlg, err := trailerAlgorithm(h)
	if err != nil {
		return Spec{}, err
	}
	if trailerAlg != storage.ChecksumNone {
		found++
		spec.Algorithm, spec.Trailer = trailerAlg, true
	}
	if found > 1 {
		return Spec{}, ErrInvalidChecksum.derive("more than one checksum header",
			"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if err := spec.applyAlgorithmHeaders(h); err != nil {
		return Spec{}, err
	}
	if t := h.Get(HeaderChecksumType); t != "" {
		typ, err := ParseType(t)
		if err != nil {
			return Spec{}, err
		}
		spec.Type = typ
		if spec.Algorithm != storage.ChecksumNone {
			if err := CheckType(spec.Algorithm, typ); err != nil {
				return Spec{}, err
			}
		}
	}
	return spec, nil
}

// applyAlgorithmHeaders reconciles x-amz-sdk-checksum-algorithm and
// x-amz-checksum-algorithm with the algorithm of a value header or trailer.
func (s *Spec) applyAlgorithmHeaders(h http.Header) error {
	if v := h.Get(HeaderSDKAlgorithm); v != "" {
		alg, err := ParseAlgorithm(v)
		if err != nil {
			return ErrInvalidChecksum.derive("invalid x-amz-sdk-checksum-algorithm "+quote(v),
				"Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		switch {
		case s.Algorithm == storage.ChecksumNone:
			return ErrInvalidChecksum.derive("x-amz-sdk-checksum-algorithm without a checksum header or trailer",
				"x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		case alg != s.Algorithm:
			return ErrInvalidChecksum.derive("x-amz-sdk-checksum-algorithm "+quote(v)+" differs from the checksum sent",
				"Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	if v := h.Get(HeaderChecksumAlgorithm); v != "" {
		alg, err := ParseAlgorithm(v)
		if err != nil {
			return ErrInvalidChecksum.derive("invalid x-amz-checksum-algorithm "+quote(v),
				"Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		if s.Algorithm != storage.ChecksumNone && alg != s.Algorithm {
			return ErrInvalidChecksum.derive("x-amz-checksum-algorithm "+quote(v)+" differs from the checksum sent",
				"Value for x-amz-checksum-algorithm header is invalid.")
		}
		s.Algorithm = alg
	}
	return nil
}

// trailerAlgorithm returns the algorithm of an x-amz-checksum-* trailer
// declared in x-amz-trailer, ChecksumNone if there is none.
func trailerAlgorithm(h http.Header) (storage.ChecksumAlgorithm, error) {
	found := storage.ChecksumNone
	for _, line := range h.Values(HeaderTrailer) {
		for _, name := range strings.Split(line, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			rest, ok := strings.CutPrefix(name, "x-amz-checksum-")
			if !ok {
				continue
			}
			alg := storage.ChecksumAlgorithm(strings.ToUpper(rest))
			if !Valid(alg) {
				return storage.ChecksumNone, ErrInvalidChecksum.derive("unsupported trailer "+quote(name),
					"The value specified in the x-amz-trailer header is not supported")
			}
			if found != storage.ChecksumNone && found != alg {
				return storage.ChecksumNone, ErrInvalidChecksum.derive("more than one checksum trailer",
					"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
			}
			found = alg
		}
	}
	return found, nil
}

// ParseType parses an x-amz-checksum-type value.
func ParseType(v string) (storage.ChecksumType, error) {
	switch t := storage.ChecksumType(strings.ToUpper(strings.TrimSpace(v))); t {
	case storage.ChecksumFullObject, storage.ChecksumComposite:
		return t, nil
	}
	return "", ErrInvalidChecksum.derive("invalid x-amz-checksum-type "+quote(v),
		"Value for x-amz-checksum-type header is invalid.")
}

// CheckType reports whether S3 allows checksum type typ with alg: CRC64NVME
// is full-object only, SHA1 and SHA256 are composite only.
func CheckType(alg storage.ChecksumAlgorithm, typ storage.ChecksumType) error {
	bad := typ == storage.ChecksumComposite && alg == storage.ChecksumCRC64NVME ||
		typ == storage.ChecksumFullObject && (alg == storage.ChecksumSHA1 || alg == storage.ChecksumSHA256)
	if bad {
		return ErrInvalidChecksum.derive(string(typ)+" checksums are not supported for "+string(alg),
			"The "+string(typ)+" checksum type cannot be used with the "+strings.ToLower(string(alg))+" checksum algorithm.")
	}
	return nil
}

// DefaultType returns the checksum type a multipart upload gets when the
// client names only the algorithm: FULL_OBJECT for CRC64NVME, COMPOSITE for
// the others, "" for ChecksumNone.
func DefaultType(alg storage.ChecksumAlgorithm) storage.ChecksumType {
	switch {
	case alg == storage.ChecksumNone:
		return ""
	case alg == storage.ChecksumCRC64NVME:
		return storage.ChecksumFullObject
	}
	return storage.ChecksumComposite
}

package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
	"github.com/klauspost/crc32"
	"github.com/minio/crc64nvme"
)

// castagnoli is the CRC32C table; MakeTable returns a shared, read-only
// table that selects the SSE4.2/AVX-512 implementation.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Algorithms lists the additional checksum algorithms in S3's order.
func Algorithms() []storage.ChecksumAlgorithm {
	return []storage.ChecksumAlgorithm{
		storage.ChecksumCRC32, storage.ChecksumCRC32C, storage.ChecksumCRC64NVME,
		storage.ChecksumSHA1, storage.ChecksumSHA256,
	}
}

// Valid reports whether alg is one of the additional checksum algorithms
// (ChecksumNone is not).
func Valid(alg storage.ChecksumAlgorithm) bool { return Size(alg) > 0 }

// New returns a new hasher for alg, or nil if alg is ChecksumNone or unknown.
// Its Sum is the raw big-endian digest S3 encodes in base64.
func New(alg storage.ChecksumAlgorithm) hash.Hash {
	switch alg {
	case storage.ChecksumCRC32:
		return crc32.NewIEEE()
	case storage.ChecksumCRC32C:
		return crc32.New(castagnoli)
	case storage.ChecksumCRC64NVME:
		return crc64nvme.New()
	case storage.ChecksumSHA1:
		return sha1.New()
	case storage.ChecksumSHA256:
		return sha256.New()
	}
	return nil
}

// Size returns the length in bytes of alg's raw digest, or 0 if alg is
// ChecksumNone or unknown.
func Size(alg storage.ChecksumAlgorithm) int {
	switch alg {
	case storage.ChecksumCRC32, storage.ChecksumCRC32C:
		return 4
	case storage.ChecksumCRC64NVME:
		return 8
	case storage.ChecksumSHA1:
		return sha1.Size
	case storage.ChecksumSHA256:
		return sha256.Size
	}
	return 0
}

// ParseAlgorithm parses an algorithm name as S3 headers carry it, in any
// case ("crc32c", "CRC32C").
func ParseAlgorithm(name string) (storage.ChecksumAlgorithm, error) {
	alg := storage.ChecksumAlgorithm(strings.ToUpper(strings.TrimSpace(name)))
	if !Valid(alg) {
		return storage.ChecksumNone, ErrInvalidChecksum.derive(
			"unsupported checksum algorithm "+quote(name),
			"Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	return alg, nil
}

// HeaderName returns the lower-case header (or trailer) that carries alg's
// value, such as "x-amz-checksum-crc32c"; "" for an unknown algorithm.
func HeaderName(alg storage.ChecksumAlgorithm) string {
	if !Valid(alg) {
		return ""
	}
	return "x-amz-checksum-" + strings.ToLower(string(alg))
}

// Encode returns the base64 form S3 uses for a raw digest.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// Decode decodes alg's base64 value and checks its length. A bad value
// returns an error wrapping ErrInvalidChecksum with AWS's message for the
// header.
func Decode(alg storage.ChecksumAlgorithm, value string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(raw) != Size(alg) || !Valid(alg) {
		return nil, invalidValue(alg)
	}
	return raw, nil
}

// Sum computes alg's base64 checksum of data in one call.
func Sum(alg storage.ChecksumAlgorithm, data []byte) (string, error) {
	h := New(alg)
	if h == nil {
		_, err := ParseAlgorithm(string(alg))
		return "", err
	}
	h.Write(data)
	return Encode(h.Sum(nil)), nil
}

func invalidValue(alg storage.ChecksumAlgorithm) error {
	name := HeaderName(alg)
	if name == "" {
		name = "x-amz-checksum-" + strings.ToLower(string(alg))
	}
	return ErrInvalidChecksum.derive("invalid "+name+" value",
		"Value for "+name+" header is invalid.")
}

func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return "\"" + s + "\""
}

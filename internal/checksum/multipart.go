package checksum

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

// MultipartETag returns the ETag S3 gives an object assembled from parts:
// the hex MD5 of the concatenated raw part MD5s, then "-" and the part count.
// Part ETags may carry surrounding quotes; an entry that is not 32 hex digits
// contributes its text as it is, so the result stays deterministic.
func MultipartETag(partMD5Hex []string) string {
	h := md5.New()
	var raw [md5.Size]byte
	for _, etag := range partMD5Hex {
		etag = strings.Trim(etag, "\"")
		if len(etag) == 2*md5.Size {
			if _, err := hex.Decode(raw[:], []byte(etag)); err == nil {
				h.Write(raw[:])
				continue
			}
		}
		h.Write([]byte(etag))
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(partMD5Hex))
}

// Composite returns the COMPOSITE checksum of a multipart object: alg over
// the concatenated raw part checksums, base64, then "-" and the part count.
// CRC64NVME has no composite form.
func Composite(alg storage.ChecksumAlgorithm, partValuesBase64 []string) (string, error) {
	if err := CheckType(alg, storage.ChecksumComposite); err != nil {
		return "", err
	}
	h := New(alg)
	if h == nil {
		_, err := ParseAlgorithm(string(alg))
		return "", err
	}
	for i, v := range partValuesBase64 {
		raw, err := Decode(alg, v)
		if err != nil {
			return "", fmt.Errorf("checksum: part %d: %w", i+1, err)
		}
		h.Write(raw)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(partValuesBase64)), nil
}

// Part is one part's checksum and size, the input of FullObject.
type Part struct {
	// Value is the part's base64 checksum.
	Value string
	// Size is the part's length in bytes.
	Size int64
}

// FullObject returns the FULL_OBJECT checksum (base64) of a multipart object
// from its parts' CRCs, without reading the data: the CRC of the
// concatenation. Only CRC32, CRC32C and CRC64NVME combine this way.
func FullObject(alg storage.ChecksumAlgorithm, parts []Part) (string, error) {
	if err := CheckType(alg, storage.ChecksumFullObject); err != nil {
		return "", err
	}
	if !Valid(alg) {
		_, err := ParseAlgorithm(string(alg))
		return "", err
	}
	var crc uint64
	for i, p := range parts {
		raw, err := Decode(alg, p.Value)
		if err != nil {
			return "", fmt.Errorf("checksum: part %d: %w", i+1, err)
		}
		v := beUint(raw)
		if i == 0 {
			crc = v
			continue
		}
		if crc, err = Combine(alg, crc, v, p.Size); err != nil {
			return "", err
		}
	}
	if len(parts) == 0 {
		h := New(alg)
		return Encode(h.Sum(nil)), nil
	}
	return Encode(putUint(alg, crc)), nil
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func putUint(alg storage.ChecksumAlgorithm, v uint64) []byte {
	n := Size(alg)
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

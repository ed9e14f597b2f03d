package checksum

import (
	"fmt"

	"github.com/hoardstore/hoard/internal/storage"
)

// crcParams describe a reflected CRC whose initial value and final XOR are
// both all ones (true of CRC32, CRC32C and CRC64NVME), which is what lets
// crc(A‖B) be computed from crc(A), crc(B) and len(B).
type crcParams struct {
	poly  uint64 // reflected polynomial
	width uint   // 32 or 64
	// x2n[k] is x^(2^k) mod poly, k = 0..len-1, enough for any int64 length.
	x2n [67]uint64
}

func newCRCParams(poly uint64, width uint) *crcParams {
	p := &crcParams{poly: poly, width: width}
	p.x2n[0] = 1 << (width - 2) // x^1
	for k := 1; k < len(p.x2n); k++ {
		p.x2n[k] = p.multmod(p.x2n[k-1], p.x2n[k-1])
	}
	return p
}

// Read-only tables, built once at start-up.
var (
	crc32Params     = newCRCParams(0xedb88320, 32)
	crc32cParams    = newCRCParams(0x82f63b78, 32)
	crc64nvmeParams = newCRCParams(0x9a6c9329ac4bc9b5, 64)
)

// multmod multiplies a and b modulo the polynomial, in the reflected
// bit order CRCs use.
func (p *crcParams) multmod(a, b uint64) uint64 {
	m := uint64(1) << (p.width - 1)
	var r uint64
	for {
		if a&m != 0 {
			r ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ p.poly
		} else {
			b >>= 1
		}
	}
	return r
}

// x8nmod returns x^(8n) mod poly: the operator that shifts a CRC past n
// zero bytes.
func (p *crcParams) x8nmod(n int64) uint64 {
	r := uint64(1) << (p.width - 1) // x^0
	for k := 3; n > 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			r = p.multmod(p.x2n[k], r)
		}
	}
	return r
}

// Combine returns the CRC of the concatenation A‖B given crcA = CRC(A),
// crcB = CRC(B) and lenB = len(B), for CRC32, CRC32C and CRC64NVME (32-bit
// values in the low bits). It is how a FULL_OBJECT checksum of a multipart
// object is computed from its parts.
func Combine(alg storage.ChecksumAlgorithm, crcA, crcB uint64, lenB int64) (uint64, error) {
	var p *crcParams
	switch alg {
	case storage.ChecksumCRC32:
		p = crc32Params
	case storage.ChecksumCRC32C:
		p = crc32cParams
	case storage.ChecksumCRC64NVME:
		p = crc64nvmeParams
	default:
		return 0, ErrInvalidChecksum.derive(fmt.Sprintf("cannot combine %s checksums", alg),
			"The FULL_OBJECT checksum type cannot be used with the "+string(alg)+" checksum algorithm.")
	}
	if lenB < 0 {
		return 0, fmt.Errorf("checksum: combine: negative length %d", lenB)
	}
	return p.multmod(p.x8nmod(lenB), crcA) ^ crcB, nil
}

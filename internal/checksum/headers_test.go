package checksum

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestParseContentMD5(t *testing.T) {
	sum := md5.Sum([]byte("hello"))
	good := base64.StdEncoding.EncodeToString(sum[:])
	tests := []struct {
		name, in string
		want     []byte
		err      bool
	}{
		{"absent", "", nil, false},
		{"valid", good, sum[:], false},
		{"padded with space", " " + good + " ", sum[:], false},
		{"bad base64", "%%%", nil, true},
		{"wrong length", base64.StdEncoding.EncodeToString([]byte("short")), nil, true},
		{"hex instead of base64", "5d41402abc4b2a76b9719d911017c592", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseContentMD5(tc.in)
			if tc.err {
				if !errors.Is(err, ErrInvalidDigest) {
					t.Fatalf("got %v, want ErrInvalidDigest", err)
				}
				if code, _ := Code(err); code != "InvalidDigest" {
					t.Fatalf("code: got %q, want InvalidDigest", code)
				}
				return
			}
			if err != nil || string(got) != string(tc.want) {
				t.Fatalf("got %x, %v; want %x", got, err, tc.want)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	crc := "sOO8/Q=="
	tests := []struct {
		name    string
		headers map[string]string
		want    Spec
		message string // AWS message of the expected error; "" for success
	}{
		{"none", nil, Spec{}, ""},
		{"value header", map[string]string{"x-amz-checksum-crc32c": crc},
			Spec{Algorithm: storage.ChecksumCRC32C, Value: crc}, ""},
		{"value with sdk algorithm", map[string]string{"x-amz-checksum-crc32c": crc, "x-amz-sdk-checksum-algorithm": "CRC32C"},
			Spec{Algorithm: storage.ChecksumCRC32C, Value: crc}, ""},
		{"trailer", map[string]string{"x-amz-trailer": "x-amz-checksum-crc64nvme", "x-amz-sdk-checksum-algorithm": "crc64nvme"},
			Spec{Algorithm: storage.ChecksumCRC64NVME, Trailer: true}, ""},
		{"create multipart", map[string]string{"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "COMPOSITE"},
			Spec{Algorithm: storage.ChecksumSHA256, Type: storage.ChecksumComposite}, ""},
		{"full object type on put", map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-type": "full_object"},
			Spec{Algorithm: storage.ChecksumCRC32, Value: "AAAAAA==", Type: storage.ChecksumFullObject}, ""},
		{"bad value length", map[string]string{"x-amz-checksum-crc32": "AAAAAAAAAAA="}, Spec{},
			"Value for x-amz-checksum-crc32 header is invalid."},
		{"bad value base64", map[string]string{"x-amz-checksum-sha256": "not-base64"}, Spec{},
			"Value for x-amz-checksum-sha256 header is invalid."},
		{"two values", map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-crc32c": crc}, Spec{},
			"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."},
		{"value and trailer", map[string]string{"x-amz-checksum-crc32": "AAAAAA==", "x-amz-trailer": "x-amz-checksum-crc32c"}, Spec{},
			"Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."},
		{"unknown trailer", map[string]string{"x-amz-trailer": "x-amz-checksum-md5"}, Spec{},
			"The value specified in the x-amz-trailer header is not supported"},
		{"sdk algorithm alone", map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}, Spec{},
			"x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found."},
		{"sdk algorithm differs", map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-checksum-crc32c": crc}, Spec{},
			"Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{"sdk algorithm unknown", map[string]string{"x-amz-sdk-checksum-algorithm": "XXH3", "x-amz-checksum-crc32c": crc}, Spec{},
			"Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{"unknown algorithm", map[string]string{"x-amz-checksum-algorithm": "MD5"}, Spec{},
			"Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"},
		{"bad type", map[string]string{"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "PARTIAL"}, Spec{},
			"Value for x-amz-checksum-type header is invalid."},
		{"composite crc64nvme", map[string]string{"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"}, Spec{},
			"The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."},
		{"full object sha1", map[string]string{"x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT"}, Spec{},
			"The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			got, err := ParseHeaders(h)
			if tc.message != "" {
				if !errors.Is(err, ErrInvalidChecksum) {
					t.Fatalf("got %v, want ErrInvalidChecksum", err)
				}
				if m := Message(err); m != tc.message {
					t.Fatalf("message: got %q, want %q", m, tc.message)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestDefaultType(t *testing.T) {
	tests := map[storage.ChecksumAlgorithm]storage.ChecksumType{
		storage.ChecksumNone:      "",
		storage.ChecksumCRC64NVME: storage.ChecksumFullObject,
		storage.ChecksumCRC32:     storage.ChecksumComposite,
		storage.ChecksumSHA256:    storage.ChecksumComposite,
	}
	for alg, want := range tests {
		if got := DefaultType(alg); got != want {
			t.Errorf("DefaultType(%q): got %q, want %q", alg, got, want)
		}
	}
}

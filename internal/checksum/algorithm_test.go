package checksum

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestNewKnownValues(t *testing.T) {
	check := []byte("123456789")
	tests := []struct {
		alg  storage.ChecksumAlgorithm
		data []byte
		want string // hex of the raw digest
	}{
		{storage.ChecksumCRC32, check, "cbf43926"},
		{storage.ChecksumCRC32C, check, "e3069283"},
		{storage.ChecksumCRC64NVME, check, "ae8b14860a799888"},
		{storage.ChecksumSHA1, []byte("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{storage.ChecksumSHA256, []byte(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, tc := range tests {
		t.Run(string(tc.alg), func(t *testing.T) {
			h := New(tc.alg)
			h.Write(tc.data)
			if got := hex.EncodeToString(h.Sum(nil)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			if got := Size(tc.alg); got != len(tc.want)/2 {
				t.Fatalf("Size: got %d, want %d", got, len(tc.want)/2)
			}
		})
	}
	if New(storage.ChecksumNone) != nil || New("MD5") != nil {
		t.Error("New of none/unknown: got a hasher, want nil")
	}
}

// The CRC32C trailer in AWS's streaming-trailer example is over 66560 bytes of 'a'.
func TestSumMatchesAWSTrailerExample(t *testing.T) {
	got, err := Sum(storage.ChecksumCRC32C, bytes.Repeat([]byte("a"), 66560))
	if err != nil {
		t.Fatal(err)
	}
	if want := "sOO8/Q=="; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestParseAlgorithmAndHeaderName(t *testing.T) {
	tests := []struct {
		in     string
		want   storage.ChecksumAlgorithm
		header string
		ok     bool
	}{
		{"crc32", storage.ChecksumCRC32, "x-amz-checksum-crc32", true},
		{"CRC32C", storage.ChecksumCRC32C, "x-amz-checksum-crc32c", true},
		{" crc64nvme ", storage.ChecksumCRC64NVME, "x-amz-checksum-crc64nvme", true},
		{"Sha1", storage.ChecksumSHA1, "x-amz-checksum-sha1", true},
		{"SHA256", storage.ChecksumSHA256, "x-amz-checksum-sha256", true},
		{"md5", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAlgorithm(tc.in)
			if tc.ok != (err == nil) {
				t.Fatalf("err: got %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok {
				if !errors.Is(err, ErrInvalidChecksum) {
					t.Fatalf("got %v, want ErrInvalidChecksum", err)
				}
				return
			}
			if got != tc.want || HeaderName(got) != tc.header {
				t.Fatalf("got %s/%s, want %s/%s", got, HeaderName(got), tc.want, tc.header)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		alg   storage.ChecksumAlgorithm
		value string
		ok    bool
	}{
		{storage.ChecksumCRC32, "AAAAAA==", true},
		{storage.ChecksumCRC32, "AAAAAAAAAAA=", false}, // 8 bytes
		{storage.ChecksumCRC64NVME, "AAAAAAAAAAA=", true},
		{storage.ChecksumSHA256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", true},
		{storage.ChecksumSHA1, "!!!", false},
		{"MD5", "AAAAAA==", false},
	}
	for _, tc := range tests {
		t.Run(string(tc.alg)+"/"+tc.value, func(t *testing.T) {
			_, err := Decode(tc.alg, tc.value)
			if tc.ok != (err == nil) {
				t.Fatalf("got %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				if code, _ := Code(err); code != "InvalidRequest" {
					t.Fatalf("code: got %q, want InvalidRequest", code)
				}
			}
		})
	}
	_, err := Decode(storage.ChecksumCRC32, "xx")
	if got, want := Message(err), "Value for x-amz-checksum-crc32 header is invalid."; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
}

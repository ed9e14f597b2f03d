package checksum

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestMultipartETag(t *testing.T) {
	p1 := md5.Sum([]byte("part one"))
	p2 := md5.Sum([]byte("part two"))
	cat := append(p1[:], p2[:]...)
	sum := md5.Sum(cat)
	want := hex.EncodeToString(sum[:]) + "-2"
	tests := []struct {
		name  string
		parts []string
	}{
		{"plain", []string{hex.EncodeToString(p1[:]), hex.EncodeToString(p2[:])}},
		{"quoted", []string{"\"" + hex.EncodeToString(p1[:]) + "\"", hex.EncodeToString(p2[:])}},
		{"upper-case hex", []string{strings.ToUpper(hex.EncodeToString(p1[:])), hex.EncodeToString(p2[:])}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MultipartETag(tc.parts); got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
	// A well-known value: the ETag of one part of empty content.
	if got, want := MultipartETag([]string{"d41d8cd98f00b204e9800998ecf8427e"}), "59adb24ef3cdbe0297f05b395827453f-1"; got != want {
		t.Errorf("single empty part: got %s, want %s", got, want)
	}
}

func TestComposite(t *testing.T) {
	parts := [][]byte{[]byte("alpha"), []byte("beta"), bytes.Repeat([]byte{7}, 1000)}
	for _, alg := range []storage.ChecksumAlgorithm{storage.ChecksumCRC32, storage.ChecksumCRC32C, storage.ChecksumSHA1, storage.ChecksumSHA256} {
		t.Run(string(alg), func(t *testing.T) {
			var values []string
			outer := New(alg)
			for _, p := range parts {
				h := New(alg)
				h.Write(p)
				raw := h.Sum(nil)
				values = append(values, Encode(raw))
				outer.Write(raw)
			}
			want := Encode(outer.Sum(nil)) + "-3"
			got, err := Composite(alg, values)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
	if _, err := Composite(storage.ChecksumCRC64NVME, []string{"AAAAAAAAAAA="}); !errors.Is(err, ErrInvalidChecksum) {
		t.Errorf("CRC64NVME composite: got %v, want ErrInvalidChecksum", err)
	}
	if _, err := Composite(storage.ChecksumCRC32, []string{"not base64!"}); !errors.Is(err, ErrInvalidChecksum) {
		t.Errorf("bad part value: got %v, want ErrInvalidChecksum", err)
	}
}

func TestFullObject(t *testing.T) {
	parts := [][]byte{bytes.Repeat([]byte("x"), 5<<20), []byte("middle"), bytes.Repeat([]byte("z"), 12345)}
	whole := bytes.Join(parts, nil)
	for _, alg := range []storage.ChecksumAlgorithm{storage.ChecksumCRC32, storage.ChecksumCRC32C, storage.ChecksumCRC64NVME} {
		t.Run(string(alg), func(t *testing.T) {
			var in []Part
			for _, p := range parts {
				v, _ := Sum(alg, p)
				in = append(in, Part{Value: v, Size: int64(len(p))})
			}
			want, _ := Sum(alg, whole)
			got, err := FullObject(alg, in)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
	if _, err := FullObject(storage.ChecksumSHA256, nil); !errors.Is(err, ErrInvalidChecksum) {
		t.Errorf("SHA256 full object: got %v, want ErrInvalidChecksum", err)
	}
}

package checksum

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestReaderVerifies(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096+3)
	md5sum := md5.Sum(data)
	shaSum := sha256.Sum256(data)
	shaHex := hex.EncodeToString(shaSum[:])
	crc32c, _ := Sum(storage.ChecksumCRC32C, data)
	sha1v, _ := Sum(storage.ChecksumSHA1, data)
	otherMD5 := md5.Sum([]byte("other"))
	zeroSHA := strings.Repeat("0", 64)

	tests := []struct {
		name    string
		src     []byte
		size    int64
		opts    Options
		wantErr error
		message string
	}{
		{"md5 only", data, int64(len(data)), Options{}, nil, ""},
		{"content-md5 ok", data, int64(len(data)), Options{ContentMD5: md5sum[:]}, nil, ""},
		{"content-md5 mismatch", data, int64(len(data)), Options{ContentMD5: otherMD5[:]}, ErrBadDigest,
			"The Content-MD5 you specified did not match what we received."},
		{"sha256 ok", data, int64(len(data)), Options{ContentSHA256: shaHex}, nil, ""},
		{"sha256 upper-case ok", data, int64(len(data)), Options{ContentSHA256: strings.ToUpper(shaHex)}, nil, ""},
		{"sha256 mismatch", data, int64(len(data)), Options{ContentSHA256: zeroSHA}, ErrContentSHA256Mismatch,
			"The provided 'x-amz-content-sha256' header does not match what was computed."},
		{"crc32c ok", data, int64(len(data)), Options{Algorithm: storage.ChecksumCRC32C, Expected: crc32c}, nil, ""},
		{"crc32c computed, none expected", data, int64(len(data)), Options{Algorithm: storage.ChecksumCRC32C}, nil, ""},
		{"crc32 mismatch", data, int64(len(data)), Options{Algorithm: storage.ChecksumCRC32, Expected: "AAAAAA=="}, ErrBadDigest,
			"The CRC32 you specified did not match the calculated checksum."},
		{"sha1 from trailer ok", data, int64(len(data)), Options{Algorithm: storage.ChecksumSHA1,
			ExpectedFunc: func() (string, error) { return sha1v, nil }}, nil, ""},
		{"sha256 as extra and content sha", data, int64(len(data)), Options{Algorithm: storage.ChecksumSHA256, ContentSHA256: shaHex}, nil, ""},
		{"trailer mismatch", data, int64(len(data)), Options{Algorithm: storage.ChecksumCRC32C,
			ExpectedFunc: func() (string, error) { return "AAAAAA==", nil }}, ErrBadDigest,
			"The CRC32C you specified did not match the calculated checksum."},
		{"trailer malformed", data, int64(len(data)), Options{Algorithm: storage.ChecksumCRC32C,
			ExpectedFunc: func() (string, error) { return "AAAA", nil }}, ErrInvalidChecksum,
			"Value for x-amz-checksum-crc32c header is invalid."},
		{"short body", data[:100], int64(len(data)), Options{}, storage.ErrIncompleteBody,
			"You did not provide the number of bytes specified by the Content-Length HTTP header."},
		{"long body", data, 100, Options{}, ErrIncompleteBody,
			"The request body is longer than the declared content length."},
		{"empty", nil, 0, Options{ContentMD5: md5Of(nil)}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(iotest.HalfReader(bytes.NewReader(tc.src)), tc.size, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				if m := Message(err); m != tc.message {
					t.Fatalf("message: got %q, want %q", m, tc.message)
				}
				if r.ETag() != "" {
					t.Fatalf("ETag after failure: got %q, want empty", r.ETag())
				}
				if _, again := r.Read(make([]byte, 1)); again == nil || errors.Is(again, io.EOF) {
					t.Fatalf("second Read after failure: got %v, want the failure", again)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.src) {
				t.Fatalf("read %d bytes, want %d", len(got), len(tc.src))
			}
			if want := hex.EncodeToString(md5Of(tc.src)); r.ETag() != want {
				t.Fatalf("ETag: got %s, want %s", r.ETag(), want)
			}
			if tc.opts.Algorithm != storage.ChecksumNone {
				want, _ := Sum(tc.opts.Algorithm, tc.src)
				c := r.Checksum()
				if c.Value != want || c.Algorithm != tc.opts.Algorithm || c.Type != storage.ChecksumFullObject {
					t.Fatalf("Checksum: got %+v, want %s %s", c, tc.opts.Algorithm, want)
				}
			} else if !r.Checksum().IsZero() {
				t.Fatalf("Checksum: got %+v, want zero", r.Checksum())
			}
		})
	}
}

// io.ReadFull consumes exactly Size bytes without seeing EOF; the verdict
// must come on the next Read, never be lost.
func TestReaderVerdictAfterReadFull(t *testing.T) {
	data := []byte("hello, world")
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{Algorithm: storage.ChecksumCRC32, Expected: "AAAAAA=="})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(data))
	if _, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("ReadFull: got %v, want nil", err)
	}
	if _, err := r.Read(buf); !errors.Is(err, ErrBadDigest) {
		t.Fatalf("next Read: got %v, want ErrBadDigest", err)
	}
}

func TestReaderPassesSourceErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r, err := NewReader(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 10, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
	trailerErr := errors.New("trailer missing")
	r, _ = NewReader(strings.NewReader("abc"), 3, Options{Algorithm: storage.ChecksumCRC32,
		ExpectedFunc: func() (string, error) { return "", trailerErr }})
	if _, err := io.ReadAll(r); !errors.Is(err, trailerErr) {
		t.Fatalf("trailer error: got %v, want %v", err, trailerErr)
	}
}

func TestNewReaderRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		size int64
		opts Options
		want error
	}{
		{"negative size", -1, Options{}, ErrIncompleteBody},
		{"short content-md5", 1, Options{ContentMD5: []byte{1, 2}}, ErrInvalidDigest},
		{"unknown algorithm", 1, Options{Algorithm: "MD5"}, ErrInvalidChecksum},
		{"bad expected", 1, Options{Algorithm: storage.ChecksumSHA1, Expected: "AAAAAA=="}, ErrInvalidChecksum},
		{"bad content sha256", 1, Options{ContentSHA256: "xyz"}, ErrInvalidChecksum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewReader(strings.NewReader("x"), tc.size, tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestErrorsWrapStorageMarkers(t *testing.T) {
	tests := []struct {
		err    error
		marker error
		code   string
	}{
		{ErrBadDigest, storage.ErrChecksumMismatch, "BadDigest"},
		{ErrContentSHA256Mismatch, storage.ErrChecksumMismatch, "XAmzContentSHA256Mismatch"},
		{ErrIncompleteBody, storage.ErrIncompleteBody, "IncompleteBody"},
		{ErrInvalidDigest, nil, "InvalidDigest"},
		{ErrInvalidChecksum, nil, "InvalidRequest"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if tc.marker != nil && !errors.Is(tc.err, tc.marker) {
				t.Fatalf("got %v not wrapping %v", tc.err, tc.marker)
			}
			if code, ok := Code(tc.err); !ok || code != tc.code {
				t.Fatalf("code: got %q, want %q", code, tc.code)
			}
			if !strings.HasPrefix(tc.err.Error(), "checksum: ") {
				t.Fatalf("error text %q lacks the package prefix", tc.err)
			}
		})
	}
	if _, ok := Code(io.EOF); ok {
		t.Error("Code(io.EOF): got ok, want not ok")
	}
}

func md5Of(b []byte) []byte {
	s := md5.Sum(b)
	return s[:]
}

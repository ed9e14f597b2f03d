package sigv4

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/storage"
)

// The HTTP layer wraps Result.Body in a checksum.Reader whose expected value
// comes from the trailer: the trailer must be parsed by the time the
// checksum reader reaches the end of the payload.
func TestTrailingChecksumThroughChecksumReader(t *testing.T) {
	data := bytes.Repeat([]byte("trailing checksum "), 5000)
	good, _ := checksum.Sum(storage.ChecksumCRC32C, data)
	for _, tc := range []struct {
		name, value string
		want        error
	}{{"matching", good, nil}, {"mismatching", "AAAAAA==", checksum.ErrBadDigest}} {
		t.Run(tc.name, func(t *testing.T) {
			r, s := streamingRequest(t, StreamingPayloadTrailer, len(data), "x-amz-checksum-crc32c")
			setBody(r, encodeChunked(data, 64<<10, s, [][2]string{{"x-amz-checksum-crc32c", tc.value}}))
			res, err := fixedVerifier().Verify(r)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := checksum.ParseHeaders(r.Header)
			if err != nil || !spec.Trailer {
				t.Fatalf("ParseHeaders: got %+v, %v; want a trailer spec", spec, err)
			}
			cr, err := checksum.NewReader(res.Body, res.ContentLength, checksum.Options{
				Algorithm:    spec.Algorithm,
				ExpectedFunc: func() (string, error) { return res.TrailerValue(checksum.HeaderName(spec.Algorithm)) },
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(io.Discard, cr)
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == nil && cr.Checksum().Value != good {
				t.Fatalf("checksum: got %q, want %q", cr.Checksum().Value, good)
			}
		})
	}
}

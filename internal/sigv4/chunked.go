package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
)

const (
	// chunkBufferSize is the read buffer of an aws-chunked decoder; chunk
	// data larger than the buffer is read straight into the caller's slice.
	chunkBufferSize = 64 << 10
	// maxTrailers bounds the trailing headers of one upload.
	maxTrailers = 16
	// maxBlankLines bounds the empty lines tolerated around trailers.
	maxBlankLines = 2
)

// streamSigner computes the chained signatures of an aws-chunked payload.
type streamSigner struct {
	key     [32]byte
	amzDate string
	scope   string
	prev    [32]byte // previous signature: the seed, then each chunk's
	mac     hash.Hash
	buf     []byte
}

// next computes the signature of one chunk (or of the trailer when
// trailer), chains it and compares it with want in constant time.
func (s *streamSigner) next(want *[32]byte, dataHash []byte, trailer bool) bool {
	got := s.sign(dataHash, trailer)
	return hmac.Equal(got[:], want[:])
}

// sign computes the signature of one chunk whose data hashes to dataHash
// (or of the trailer when trailer) and makes it the previous signature.
func (s *streamSigner) sign(dataHash []byte, trailer bool) [32]byte {
	if s.mac == nil {
		s.mac = hmac.New(sha256.New, s.key[:])
		s.buf = make([]byte, 0, 256)
	}
	b := s.buf[:0]
	if trailer {
		b = append(b, "AWS4-HMAC-SHA256-TRAILER\n"...)
	} else {
		b = append(b, "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	}
	b = append(b, s.amzDate...)
	b = append(b, '\n')
	b = append(b, s.scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, s.prev[:])
	b = append(b, '\n')
	if !trailer {
		b = append(b, EmptySHA256...)
		b = append(b, '\n')
	}
	b = hex.AppendEncode(b, dataHash)
	s.buf = b
	s.mac.Reset()
	s.mac.Write(b)
	s.mac.Sum(s.prev[:0])
	return s.prev
}

// chunkedReader decodes an aws-chunked body, verifying chunk signatures
// (signed modes), the decoded length and the trailer as it goes. Memory is
// bounded by its read buffer whatever the chunk sizes.
type chunkedReader struct {
	v   *Verifier
	src io.ReadCloser
	br  *bufio.Reader

	signer      *streamSigner // nil for unsigned chunks
	sha         hash.Hash     // hash of the current chunk's data (signed modes)
	trailerMode bool
	declared    []string

	want    int64 // x-amz-decoded-content-length
	got     int64 // data bytes so far
	left    int64 // data bytes left in the current chunk
	inChunk bool  // a data chunk was started and not yet closed
	sig     [32]byte
	sum     [32]byte // scratch for the chunk hash, kept here so it does not escape per chunk

	trailer http.Header
	err     error // sticky: io.EOF after a verified end, or the failure
	closed  bool
}

// Read returns decoded payload bytes.
func (d *chunkedReader) Read(p []byte) (int, error) {
	for d.left == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if err := d.advance(); err != nil {
			d.err = err
			return 0, err
		}
	}
	if d.err != nil {
		return 0, d.err
	}
	if int64(len(p)) > d.left {
		p = p[:d.left]
	}
	n, err := d.br.Read(p)
	if n > 0 {
		if d.sha != nil {
			d.sha.Write(p[:n])
		}
		d.left -= int64(n)
		d.got += int64(n)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = ErrIncompleteBody.derive(fmt.Sprintf("body ended inside a chunk after %d payload bytes", d.got), "")
		}
		d.err = err
		return n, err
	}
	return n, nil
}

// advance closes the current chunk, if any, and opens the next; at the final
// chunk it reads the trailer and sets d.err to io.EOF.
func (d *chunkedReader) advance() error {
	if d.inChunk {
		if err := d.endChunk(); err != nil {
			return err
		}
	}
	size, err := d.chunkHeader()
	if err != nil {
		return err
	}
	if size > d.want-d.got {
		return ErrIncompleteBody.derive(fmt.Sprintf("chunks carry more than x-amz-decoded-content-length %d", d.want),
			"The decoded length of the chunked body exceeds x-amz-decoded-content-length.")
	}
	if size > 0 {
		d.left, d.inChunk = size, true
		if d.sha != nil {
			d.sha.Reset()
		}
		return nil
	}
	// The final, empty chunk.
	if d.signer != nil && !d.signer.next(&d.sig, emptySum[:], false) {
		return ErrSignatureDoesNotMatch.derive("final chunk signature does not match", "")
	}
	if err := d.readTrailer(); err != nil {
		return err
	}
	if d.got != d.want {
		return ErrIncompleteBody.derive(fmt.Sprintf("decoded %d bytes, x-amz-decoded-content-length is %d", d.got, d.want), "")
	}
	return io.EOF
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (d *chunkedReader) endChunk() error {
	d.inChunk = false
	line, err := d.line()
	if err != nil {
		return err
	}
	if len(line) != 0 {
		return ErrMalformedChunk.derive("chunk data is not followed by CRLF", "")
	}
	if d.signer != nil {
		if !d.signer.next(&d.sig, d.sha.Sum(d.sum[:0]), false) {
			return ErrSignatureDoesNotMatch.derive(fmt.Sprintf("signature of the chunk ending at byte %d does not match", d.got), "")
		}
	}
	return nil
}

// chunkHeader reads "<hex size>[;chunk-signature=<sig>][;ext...]".
func (d *chunkedReader) chunkHeader() (int64, error) {
	line, err := d.line()
	if err != nil {
		return 0, err
	}
	sizeField, exts, _ := bytes.Cut(line, []byte(";"))
	sizeField = bytes.TrimRight(sizeField, " \t")
	if len(sizeField) == 0 || len(sizeField) > 15 {
		return 0, ErrMalformedChunk.derive("chunk size "+quote(string(sizeField))+" is not 1 to 15 hex digits", "")
	}
	var size int64
	for _, c := range sizeField {
		v, ok := unhex(c)
		if !ok {
			return 0, ErrMalformedChunk.derive("chunk size "+quote(string(sizeField))+" is not hex", "")
		}
		size = size<<4 | int64(v)
	}
	if d.signer == nil {
		return size, nil
	}
	sig, ok := bytes.CutPrefix(bytes.TrimSpace(exts), []byte("chunk-signature="))
	if !ok {
		return 0, ErrMalformedChunk.derive("chunk header lacks chunk-signature", "")
	}
	if len(sig) != 64 {
		return 0, ErrMalformedChunk.derive("chunk-signature is not 64 hex digits", "")
	}
	if _, err := hex.Decode(d.sig[:], sig); err != nil {
		return 0, ErrMalformedChunk.derive("chunk-signature is not 64 hex digits", "")
	}
	return size, nil
}

// line returns the next line without its LF or CRLF; the end of the body
// is an error. The slice is valid until the next read.
func (d *chunkedReader) line() ([]byte, error) {
	line, eof, err := d.readLine()
	if err == nil && eof {
		err = ErrIncompleteBody.derive(fmt.Sprintf("body ended after %d payload bytes, inside chunk framing", d.got), "")
	}
	return line, err
}

// readLine returns the next line without its LF or CRLF, or with eof set the
// bytes left before the end of the body.
func (d *chunkedReader) readLine() (line []byte, eof bool, err error) {
	line, err = d.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxLineSize:
		return nil, false, ErrMalformedChunk.derive("chunk header or trailer line longer than 4096 bytes", "")
	case errors.Is(err, io.EOF):
		eof = true
	case err != nil:
		return nil, false, err
	default:
		line = line[:len(line)-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, eof, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Close releases the read buffer and closes the request body.
func (d *chunkedReader) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if d.err == nil {
		d.err = errors.New("sigv4: read after close")
	}
	br := d.br
	d.br = nil
	d.v.putReader(br)
	return d.src.Close()
}

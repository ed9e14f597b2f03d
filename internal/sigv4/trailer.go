package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

const trailerSignatureName = "x-amz-trailer-signature"

// readTrailer reads what follows the final chunk: nothing but an empty line
// without trailers, or "name:value" lines (then x-amz-trailer-signature in
// the signed mode) ended by an empty line or the end of the body. It accepts
// the variants SDKs send: LF or CRLF line ends, and a blank line before the
// trailers or before the signature.
func (d *chunkedReader) readTrailer() error {
	var canon []byte
	sigSeen, blanks := false, 0
	d.trailer = http.Header{}
	for range maxTrailers + maxBlankLines + 2 {
		line, eof, err := d.readLine()
		if err != nil {
			return err
		}
		if eof && len(line) == 0 {
			break // the body may end without the last empty line
		}
		if len(line) == 0 {
			if d.trailerDone(sigSeen) {
				return nil
			}
			if blanks++; blanks > maxBlankLines {
				return ErrMalformedTrailer.derive("too many empty lines in the trailer", "")
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || sigSeen || !d.trailerMode {
			return ErrMalformedTrailer.derive("unexpected line after the final chunk", "")
		}
		lname := strings.ToLower(strings.TrimSpace(string(name)))
		value = bytes.TrimSpace(value)
		if lname == trailerSignatureName {
			if d.signer == nil {
				return ErrMalformedTrailer.derive("trailer signature on an unsigned payload", "")
			}
			if err := d.checkTrailerSignature(canon, value); err != nil {
				return err
			}
			sigSeen = true
			continue
		}
		if !contains(d.declared, lname) {
			return ErrMalformedTrailer.derive("trailer "+quote(lname)+" not declared in x-amz-trailer", "")
		}
		if _, dup := d.trailer[http.CanonicalHeaderKey(lname)]; dup {
			return ErrMalformedTrailer.derive("trailer "+quote(lname)+" sent twice", "")
		}
		d.trailer.Set(lname, string(value))
		canon = append(append(append(append(canon, lname...), ':'), value...), '\n')
	}
	if !d.trailerDone(sigSeen) {
		return ErrMalformedTrailer.derive("trailer incomplete: declared headers or signature missing", "")
	}
	return nil
}

// trailerDone reports whether everything the trailer must hold was read.
func (d *chunkedReader) trailerDone(sigSeen bool) bool {
	if !d.trailerMode {
		return true
	}
	if d.signer != nil && !sigSeen {
		return false
	}
	return len(d.trailer) == len(d.declared)
}

func (d *chunkedReader) checkTrailerSignature(canon, value []byte) error {
	var want [32]byte
	if len(value) != 64 {
		return ErrMalformedTrailer.derive("x-amz-trailer-signature is not 64 hex digits", "")
	}
	if _, err := hex.Decode(want[:], value); err != nil {
		return ErrMalformedTrailer.derive("x-amz-trailer-signature is not 64 hex digits", "")
	}
	sum := sha256.Sum256(canon)
	if !d.signer.next(&want, sum[:], true) {
		return ErrSignatureDoesNotMatch.derive("trailer signature does not match", "")
	}
	return nil
}

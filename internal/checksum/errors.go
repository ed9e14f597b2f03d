package checksum

import (
	"errors"

	"github.com/hoardstore/hoard/internal/storage"
)

// Error is a checksum error that the S3 front end reports with an S3 error
// code and the message AWS sends with it. Errors derived from a sentinel
// (with a more specific message) match the sentinel with errors.Is.
type Error struct {
	code    string
	message string
	text    string
	parent  error
}

// Error returns the Go error text, prefixed by the package's concern.
func (e *Error) Error() string { return "checksum: " + e.text }

// Code returns the S3 error code, such as "BadDigest".
func (e *Error) Code() string { return e.code }

// Message returns the human-readable message S3 sends with the code.
func (e *Error) Message() string { return e.message }

// Unwrap returns the sentinel (or storage marker) this error refines.
func (e *Error) Unwrap() error { return e.parent }

// derive returns an error that refines e with its own text and message; an
// empty message keeps e's.
func (e *Error) derive(text, message string) *Error {
	if message == "" {
		message = e.message
	}
	return &Error{code: e.code, message: message, text: text, parent: e}
}

func sentinel(code, message, text string, parent error) *Error {
	return &Error{code: code, message: message, text: text, parent: parent}
}

// Sentinel errors, one per S3 error code. Every error this package returns
// for bad input wraps one of them; test with errors.Is.
var (
	// ErrBadDigest: the payload did not match its Content-MD5 or its
	// x-amz-checksum-* value (BadDigest, 400). Wraps storage.ErrChecksumMismatch.
	ErrBadDigest = sentinel("BadDigest",
		"The Content-MD5 you specified did not match what we received.",
		"payload does not match its digest", storage.ErrChecksumMismatch)
	// ErrContentSHA256Mismatch: the payload did not match its signed
	// x-amz-content-sha256 (XAmzContentSHA256Mismatch, 400). Wraps
	// storage.ErrChecksumMismatch.
	ErrContentSHA256Mismatch = sentinel("XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.",
		"payload does not match x-amz-content-sha256", storage.ErrChecksumMismatch)
	// ErrInvalidDigest: the Content-MD5 header is not base64 of 16 bytes
	// (InvalidDigest, 400).
	ErrInvalidDigest = sentinel("InvalidDigest",
		"The Content-MD5 you specified was invalid.",
		"invalid Content-MD5", nil)
	// ErrInvalidChecksum: the checksum headers are malformed, contradictory or
	// name an unsupported algorithm (InvalidRequest, 400).
	ErrInvalidChecksum = sentinel("InvalidRequest",
		"The checksum headers of the request are invalid.",
		"invalid checksum request", nil)
	// ErrIncompleteBody: the payload was shorter or longer than its declared
	// size (IncompleteBody, 400). Wraps storage.ErrIncompleteBody.
	ErrIncompleteBody = sentinel("IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header.",
		"payload size differs from the declared size", storage.ErrIncompleteBody)
)

// Code returns the S3 error code of err if err is or wraps an error of this
// package.
func Code(err error) (code string, ok bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.code, true
	}
	return "", false
}

// Message returns the S3 error message of err if err is or wraps an error of
// this package, or "" otherwise.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.message
	}
	return ""
}

package sigv2

import "errors"

// Error is a SigV2 error that the S3 front end reports with an S3 error code
// and the message AWS sends with it. Errors derived from a sentinel (with a
// more specific message) match the sentinel with errors.Is.
type Error struct {
	code    string
	message string
	text    string
	parent  error
}

// Error returns the Go error text, prefixed by the package's concern.
func (e *Error) Error() string { return "sigv2: " + e.text }

// Code returns the S3 error code, such as "SignatureDoesNotMatch".
func (e *Error) Code() string { return e.code }

// Message returns the human-readable message S3 sends with the code.
func (e *Error) Message() string { return e.message }

// Unwrap returns the sentinel this error refines, nil for a sentinel.
func (e *Error) Unwrap() error { return e.parent }

// derive returns an error refining e with its own text and, if message is
// not "", its own S3 message.
func (e *Error) derive(text, message string) *Error {
	if message == "" {
		message = e.message
	}
	return &Error{code: e.code, message: message, text: text, parent: e}
}

func sentinel(code, message, text string) *Error {
	return &Error{code: code, message: message, text: text}
}

// Sentinel errors, one per S3 error code (the HTTP status S3 uses is noted).
// Every error Verify returns wraps one of them.
var (
	// ErrAccessDenied: the request cannot be authenticated as sent, for
	// example it has no usable date or lacks a query parameter
	// (AccessDenied, 403).
	ErrAccessDenied = sentinel("AccessDenied", "Access Denied.", "access denied")
	// ErrExpiredRequest: a presigned URL is past its Expires time
	// (AccessDenied, 403, "Request has expired"). It wraps ErrAccessDenied.
	ErrExpiredRequest = &Error{code: "AccessDenied", message: "Request has expired",
		text: "presigned request has expired", parent: ErrAccessDenied}
	// ErrInvalidAccessKeyID: the access key is unknown (InvalidAccessKeyId, 403).
	ErrInvalidAccessKeyID = sentinel("InvalidAccessKeyId",
		"The AWS Access Key Id you provided does not exist in our records.", "unknown access key")
	// ErrSignatureDoesNotMatch: the signature is wrong or not a base64
	// HMAC-SHA1 (SignatureDoesNotMatch, 403).
	ErrSignatureDoesNotMatch = sentinel("SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.",
		"signature does not match")
	// ErrRequestTimeTooSkewed: the Date or x-amz-date of a header-signed
	// request is too far from the server's clock (RequestTimeTooSkewed, 403).
	ErrRequestTimeTooSkewed = sentinel("RequestTimeTooSkewed",
		"The difference between the request time and the current time is too large.", "request time too skewed")
	// ErrInvalidArgument: the Authorization header is not
	// "AWS AccessKeyId:Signature", or both the header and query parameters
	// are used (InvalidArgument, 400).
	ErrInvalidArgument = sentinel("InvalidArgument", "Invalid Argument", "invalid argument")
	// ErrInvalidRequest: the request asks for something SigV2 cannot
	// authenticate, such as an aws-chunked streaming payload
	// (InvalidRequest, 400).
	ErrInvalidRequest = sentinel("InvalidRequest", "Invalid Request", "invalid request")
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

package sigv4

import "errors"

// Error is a SigV4 error that the S3 front end reports with an S3 error code
// and the message AWS sends with it. Errors derived from a sentinel (with a
// more specific message) match the sentinel with errors.Is.
type Error struct {
	code    string
	message string
	text    string
	parent  error
	// headers lists the unsigned headers of an ErrHeadersNotSigned.
	headers []string
}

// Error returns the Go error text, prefixed by the package's concern.
func (e *Error) Error() string { return "sigv4: " + e.text }

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
// Every error Verify or a Result's body returns wraps one of them.
var (
	// ErrAccessDenied: the request is not acceptable as authenticated, for
	// example it carries no usable date (AccessDenied, 403).
	ErrAccessDenied = sentinel("AccessDenied", "Access Denied.", "access denied")
	// ErrExpiredRequest: a presigned URL is past its expiry (AccessDenied,
	// 403, "Request has expired"). It wraps ErrAccessDenied.
	ErrExpiredRequest = &Error{code: "AccessDenied", message: "Request has expired",
		text: "presigned request has expired", parent: ErrAccessDenied}
	// ErrHeadersNotSigned: the request carries x-amz-* headers that its
	// signature does not cover (AccessDenied, 403, "There were headers
	// present in the request which were not signed"). It wraps
	// ErrAccessDenied; HeadersNotSigned returns the headers.
	ErrHeadersNotSigned = &Error{code: "AccessDenied", message: "There were headers present in the request which were not signed",
		text: "headers not signed", parent: ErrAccessDenied}
	// ErrInvalidAccessKeyID: the access key is unknown (InvalidAccessKeyId, 403).
	ErrInvalidAccessKeyID = sentinel("InvalidAccessKeyId",
		"The AWS Access Key Id you provided does not exist in our records.", "unknown access key")
	// ErrSignatureDoesNotMatch: a request, chunk or trailer signature is
	// wrong (SignatureDoesNotMatch, 403).
	ErrSignatureDoesNotMatch = sentinel("SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.",
		"signature does not match")
	// ErrRequestTimeTooSkewed: the request time is too far from the server's
	// clock (RequestTimeTooSkewed, 403).
	ErrRequestTimeTooSkewed = sentinel("RequestTimeTooSkewed",
		"The difference between the request time and the current time is too large.", "request time too skewed")
	// ErrAuthorizationHeaderMalformed: the Authorization header cannot be
	// parsed or its credential scope is wrong (AuthorizationHeaderMalformed, 400).
	ErrAuthorizationHeaderMalformed = sentinel("AuthorizationHeaderMalformed",
		"The authorization header is malformed.", "malformed authorization header")
	// ErrAuthorizationQueryParametersError: the presigned query parameters
	// are missing or malformed (AuthorizationQueryParametersError, 400).
	ErrAuthorizationQueryParametersError = sentinel("AuthorizationQueryParametersError",
		"Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
		"malformed presigned query")
	// ErrMissingContentLength: a streaming upload lacks
	// x-amz-decoded-content-length (MissingContentLength, 411).
	ErrMissingContentLength = sentinel("MissingContentLength",
		"You must provide the Content-Length HTTP header.", "missing decoded content length")
	// ErrContentSHA256Mismatch: the body does not hash to its
	// x-amz-content-sha256 (XAmzContentSHA256Mismatch, 400).
	ErrContentSHA256Mismatch = sentinel("XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.",
		"payload does not match x-amz-content-sha256")
	// ErrIncompleteBody: the body ended early, or its decoded length differs
	// from x-amz-decoded-content-length (IncompleteBody, 400).
	ErrIncompleteBody = sentinel("IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header.",
		"incomplete body")
	// ErrMalformedChunk: the aws-chunked framing is malformed (IncompleteBody,
	// 400). It wraps ErrIncompleteBody.
	ErrMalformedChunk = &Error{code: "IncompleteBody",
		message: "The request body is not a well-formed aws-chunked payload.",
		text:    "malformed aws-chunked body", parent: ErrIncompleteBody}
	// ErrMalformedTrailer: the trailing headers of a streaming upload are
	// malformed, undeclared or missing (MalformedTrailerError, 400).
	ErrMalformedTrailer = sentinel("MalformedTrailerError",
		"The request contained trailing data that was not well-formed or did not conform to our published schema.",
		"malformed trailer")
	// ErrInvalidRequest: the request uses an authentication mechanism or
	// omits a header that SigV4 for S3 requires (InvalidRequest, 400).
	ErrInvalidRequest = sentinel("InvalidRequest",
		"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
		"invalid request")
	// ErrSignatureV2: the request is signed with AWS Signature Version 2
	// (an "AWS AccessKeyId:Signature" Authorization header, or AWSAccessKeyId
	// or Signature query parameters), which this package does not verify.
	// It wraps ErrInvalidRequest, so a caller that does not accept SigV2
	// answers InvalidRequest; one that does hands the request to a SigV2
	// verifier when errors.Is(err, ErrSignatureV2).
	ErrSignatureV2 = &Error{code: "InvalidRequest", message: ErrInvalidRequest.message,
		text: "signature version 2 request", parent: ErrInvalidRequest}
	// ErrInvalidArgument: a SigV4 header has an invalid value, or more than
	// one authentication mechanism is used (InvalidArgument, 400).
	ErrInvalidArgument = sentinel("InvalidArgument", "Invalid Argument", "invalid argument")
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

// HeadersNotSigned returns the lower-case names of the headers that made err
// an ErrHeadersNotSigned, sorted, or nil for any other error. S3 reports
// them in the HeadersNotSigned element of its error document.
func HeadersNotSigned(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.headers
	}
	return nil
}

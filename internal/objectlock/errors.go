package objectlock

import "errors"

// Error is a request S3 refuses: Code is the S3 error code (MalformedXML,
// InvalidArgument, InvalidRequest, AccessDenied) and Message its text.
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return "objectlock: " + e.Code + ": " + e.Message }

// ErrLocked refuses the deletion of a version, or a change of its
// retention, that its retention or legal hold forbids (AccessDenied, 403).
var ErrLocked = &Error{Code: "AccessDenied", Message: "Access Denied because object protected by object lock."}

// IsLocked reports whether err is (or wraps) ErrLocked.
func IsLocked(err error) bool { return errors.Is(err, ErrLocked) }

func malformed(msg string) error { return &Error{Code: "MalformedXML", Message: msg} }

func invalidArgument(msg string) error { return &Error{Code: "InvalidArgument", Message: msg} }

package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
)

// Error kinds callers test with errors.Is.
var (
	// ErrAccessDenied marks refused credentials.
	ErrAccessDenied = errors.New("cli: access denied")
	// ErrNotFound marks a missing alias, bucket, object or file.
	ErrNotFound = errors.New("cli: not found")
	// ErrUnreachable marks an endpoint that could not be reached.
	ErrUnreachable = errors.New("cli: unreachable")
	// ErrExists marks something that already exists.
	ErrExists = errors.New("cli: already exists")
)

// cliError is an error with a message written for the user, a kind and
// the underlying cause.
type cliError struct {
	kind  error
	msg   string
	cause error
}

func (e *cliError) Error() string { return e.msg }

func (e *cliError) Unwrap() []error {
	var out []error
	for _, err := range []error{e.kind, e.cause} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// newError returns a user-facing error of kind with a formatted message.
func newError(kind, cause error, format string, args ...any) error {
	return &cliError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

// wrap turns an S3 or network error for bucket/key into a message the
// user can act on: it names the alias, bucket, key or URL involved.
func (r *remote) wrap(err error, bucket, key string) error {
	if err == nil {
		return nil
	}
	var ce *cliError
	if errors.As(err, &ce) || errors.Is(err, context.Canceled) {
		return err
	}
	where := r.name
	if bucket != "" {
		where += "/" + bucket
	}
	if key != "" {
		where += "/" + key
	}
	var ue *url.Error
	var ne net.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return newError(ErrUnreachable, err, "cannot reach alias %s at %s: %v", r.name, r.url, rootCause(err))
	}
	resp := minio.ToErrorResponse(err)
	if resp.Code == "AccessDenied" && strings.Contains(resp.Message, "object lock") {
		return newError(ErrAccessDenied, err, "%s is protected by object lock (retention or legal hold): see 'hoard retention get' and 'hoard legalhold info'", where)
	}
	switch resp.Code {
	case "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken", "AuthorizationHeaderMalformed":
		if resp.Code == "AuthorizationHeaderMalformed" && resp.Region != "" {
			return newError(ErrAccessDenied, err, "alias %s: the service wants region %s: set it with 'hoard alias set %s ... --region %s'", r.name, resp.Region, r.name, resp.Region)
		}
		return newError(ErrAccessDenied, err, "access denied for alias %s: check the access and secret key", r.name)
	case "NoSuchBucket":
		return newError(ErrNotFound, err, "bucket %s/%s does not exist", r.name, bucket)
	case "NoSuchKey", "NoSuchVersion":
		return newError(ErrNotFound, err, "object %s does not exist", where)
	case "NoSuchUpload":
		return newError(ErrNotFound, err, "%s: the multipart upload no longer exists", where)
	case "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
		return newError(ErrExists, err, "bucket %s/%s already exists", r.name, bucket)
	case "BucketNotEmpty":
		return newError(ErrExists, err, "bucket %s/%s is not empty: remove its objects first, or use --force", r.name, bucket)
	case "RequestTimeTooSkewed":
		return newError(ErrAccessDenied, err, "alias %s: this machine's clock differs too much from the server's; fix the time", r.name)
	case "":
		return fmt.Errorf("%s: %w", where, err)
	}
	msg := resp.Message
	if msg == "" {
		msg = resp.Code
	}
	return newError(nil, err, "%s: %s (%s)", where, msg, resp.Code)
}

// rootCause returns the innermost error of a chain of single wraps, so a
// connection failure reads "connection refused" and not three layers.
func rootCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

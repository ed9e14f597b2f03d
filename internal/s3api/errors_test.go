package s3api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestToAPIError(t *testing.T) {
	tests := []struct {
		err    error
		code   string
		status int
	}{
		{fmt.Errorf("ctx: %w", storage.ErrBucketNotFound), "NoSuchBucket", 404},
		{storage.ErrObjectNotFound, "NoSuchKey", 404},
		{storage.ErrBucketExists, "BucketAlreadyOwnedByYou", 409},
		{storage.ErrBucketNotEmpty, "BucketNotEmpty", 409},
		{storage.ErrPartTooSmall, "EntityTooSmall", 400},
		{storage.ErrInvalidPart, "InvalidPart", 400},
		{storage.ErrInvalidPartOrder, "InvalidPartOrder", 400},
		{storage.ErrUploadNotFound, "NoSuchUpload", 404},
		{storage.ErrPreconditionFailed, "PreconditionFailed", 412},
		{storage.ErrStorageFull, "XHoardStorageFull", 507},
		{storage.ErrWriteQuorum, "SlowDown", 503},
		{sigv4.ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", 403},
		{sigv4.ErrInvalidAccessKeyID, "InvalidAccessKeyId", 403},
		{sigv4.ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", 403},
		{sigv4.ErrMissingContentLength, "MissingContentLength", 411},
		{sigv4.ErrContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400},
		{sigv4.ErrMalformedTrailer, "MalformedTrailerError", 400},
		{checksum.ErrBadDigest, "BadDigest", 400},
		{checksum.ErrInvalidDigest, "InvalidDigest", 400},
		{newError("InvalidRange"), "InvalidRange", 416},
		{fmt.Errorf("disk on fire"), "InternalError", 500},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got := toAPIError(tt.err)
			if got.Code != tt.code || got.Status != tt.status {
				t.Errorf("got %s/%d, want %s/%d", got.Code, got.Status, tt.code, tt.status)
			}
			if got.Message == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestEveryCodeHasAStatus(t *testing.T) {
	for code, c := range codes {
		if c.status < 300 || c.status > 599 || c.message == "" || http.StatusText(c.status) == "" {
			t.Errorf("%s: status %d message %q", code, c.status, c.message)
		}
	}
}

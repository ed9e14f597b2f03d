package cli

import (
	"errors"
	"io/fs"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

func TestWrap(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:9000")
	r := &remote{name: "local", url: u}
	s3err := func(code string) error { return minio.ErrorResponse{Code: code, Message: "server says " + code} }
	dial := &url.Error{Op: "Get", URL: "http://127.0.0.1:9000/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	tests := []struct {
		name        string
		err         error
		bucket, key string
		kind        error
		want        string
	}{
		{"wrong secret", s3err("SignatureDoesNotMatch"), "b", "", ErrAccessDenied, "access denied for alias local: check the access and secret key"},
		{"unknown key", s3err("InvalidAccessKeyId"), "", "", ErrAccessDenied, "access denied for alias local: check the access and secret key"},
		{"missing bucket", s3err("NoSuchBucket"), "photos", "a.jpg", ErrNotFound, "bucket local/photos does not exist"},
		{"missing key", s3err("NoSuchKey"), "photos", "a.jpg", ErrNotFound, "object local/photos/a.jpg does not exist"},
		{"exists", s3err("BucketAlreadyOwnedByYou"), "photos", "", ErrExists, "bucket local/photos already exists"},
		{"not empty", s3err("BucketNotEmpty"), "photos", "", ErrExists, "bucket local/photos is not empty: remove its objects first, or use --force"},
		{"unreachable", dial, "", "", ErrUnreachable, "cannot reach alias local at http://127.0.0.1:9000: dial tcp: connection refused"},
		{"other", s3err("SlowDown"), "photos", "a.jpg", nil, "local/photos/a.jpg: server says SlowDown (SlowDown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.wrap(tt.err, tt.bucket, tt.key)
			if got.Error() != tt.want {
				t.Errorf("message: got %q, want %q", got.Error(), tt.want)
			}
			if tt.kind != nil && !errors.Is(got, tt.kind) {
				t.Errorf("errors.Is(%v, %v): got false, want true", got, tt.kind)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("errors.Is(wrapped, cause): got false, want true")
			}
		})
	}
	if r.wrap(nil, "b", "k") != nil {
		t.Errorf("wrap(nil): got an error, want nil")
	}
	once := r.wrap(s3err("NoSuchKey"), "b", "k")
	if twice := r.wrap(once, "other", "x"); twice.Error() != once.Error() {
		t.Errorf("wrap of a wrapped error: got %q, want %q unchanged", twice, once)
	}
}

func TestLocalError(t *testing.T) {
	pathErrNotExist := fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	err := localError(&pathErrNotExist, "nolias/file.txt")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no alias named "nolias"`) {
		t.Errorf("relative missing path: got %v, want ErrNotFound naming the missing alias", err)
	}
	err = localError(&pathErrNotExist, "/abs/file.txt")
	if strings.Contains(err.Error(), "alias") {
		t.Errorf("absolute missing path: got %v, want no alias hint", err)
	}
}

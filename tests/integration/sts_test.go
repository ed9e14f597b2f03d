package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestSTSAssumeRole gets temporary credentials with minio-go's AssumeRole
// provider and checks that they carry the user's permissions narrowed by
// the session policy, and that bad or orphaned tokens are refused.
func TestSTSAssumeRole(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	ctx := context.Background()
	if err := e.MinioClient(t).MakeBucket(ctx, "sts-bucket", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	addUser(t, e, "temp", "readwrite")
	assume := func(access, secret, pol string) (credentials.Value, error) {
		c, err := credentials.NewSTSAssumeRole(e.URL, credentials.STSAssumeRoleOptions{AccessKey: access, SecretKey: secret, Policy: pol, DurationSeconds: 900, Location: e.Region})
		if err != nil {
			return credentials.Value{}, err
		}
		return c.GetWithContext(&credentials.CredContext{Client: e.HTTPClient(t)})
	}
	client := func(v credentials.Value) *minio.Client {
		return e.MinioClient(t, func(o *minio.Options) {
			o.Creds = credentials.NewStaticV4(v.AccessKeyID, v.SecretAccessKey, v.SessionToken)
		})
	}
	put := func(c *minio.Client, key string) error {
		_, err := c.PutObject(ctx, "sts-bucket", key, strings.NewReader("v"), 1, minio.PutObjectOptions{})
		return err
	}
	full, err := assume("temp", "temp-secret-key", "")
	if err != nil {
		t.Fatal(err)
	}
	if full.SessionToken == "" || !strings.HasPrefix(full.AccessKeyID, "ASIA") || full.Expiration.IsZero() {
		t.Fatalf("credentials: got %+v", full)
	}
	must(t, "session put", put(client(full), "a"))
	readOnly, err := assume("temp", "temp-secret-key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sts-bucket/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	ro := client(readOnly)
	if _, err := ro.StatObject(ctx, "sts-bucket", "a", minio.StatObjectOptions{}); err != nil {
		t.Errorf("narrowed session reads: %v", err)
	}
	wantMinioError(t, "narrowed session writes", put(ro, "b"), "AccessDenied", http.StatusForbidden)
	// The temporary key does not work without its token, nor with another.
	noToken := client(credentials.Value{AccessKeyID: full.AccessKeyID, SecretAccessKey: full.SecretAccessKey})
	wantMinioError(t, "session key without token", put(noToken, "c"), "InvalidAccessKeyId", http.StatusForbidden)
	swapped := client(credentials.Value{AccessKeyID: full.AccessKeyID, SecretAccessKey: full.SecretAccessKey, SessionToken: readOnly.SessionToken})
	wantMinioError(t, "another session's token", put(swapped, "c"), "InvalidToken", http.StatusBadRequest)
	forged := client(credentials.Value{AccessKeyID: full.AccessKeyID, SecretAccessKey: full.SecretAccessKey, SessionToken: full.SessionToken + "x"})
	wantMinioError(t, "altered token", put(forged, "c"), "InvalidToken", http.StatusBadRequest)
	// The root user and unknown keys cannot assume a role; a session
	// policy must parse.
	if _, err := assume(e.AccessKey, e.SecretKey, ""); err == nil || !strings.Contains(err.Error(), "root") {
		t.Errorf("root assumes a role: got %v", err)
	}
	if _, err := assume("temp", "temp-secret-key", `{"Version":"2012-10-17"}`); err == nil || !strings.Contains(err.Error(), "Statement") {
		t.Errorf("malformed session policy: got %v", err)
	}
	// Disabling the user ends its sessions.
	iamOK(t, e, "POST", "users/temp/disable", "{}")
	wantMinioError(t, "session of a disabled user", put(client(full), "d"), "InvalidToken", http.StatusBadRequest)
}

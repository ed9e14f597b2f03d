package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/oidc/oidctest"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestAWSCLIWebIdentity runs the aws CLI the way a Kubernetes pod or a CI
// job signed in to an identity provider does: no keys, only a token file
// (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN); the CLI trades it for
// temporary credentials with AssumeRoleWithWebIdentity at Hoard's STS
// endpoint (AWS_ENDPOINT_URL_STS) and lists and writes objects with them
// as far as the token's policy claim allows.
func TestAWSCLIWebIdentity(t *testing.T) {
	requireTools(t, "aws")
	p, err := oidctest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := testserver.Start(t, testserver.Options{Configure: func(c *config.Server) {
		c.OpenID = config.OpenIDSettings{ConfigURL: p.ConfigURL(), ClientIDs: []string{"ci-jobs"}}
	}})
	ctx := context.Background()
	if err := srv.MinioClient(t).MakeBucket(ctx, "builds", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.MinioClient(t).PutObject(ctx, "builds", "v1.tar", strings.NewReader("artifact"), 8, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := p.Token("job-42", "ci-jobs", time.Hour, map[string]any{"policy": "readonly"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	aws := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", args...)
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
			"AWS_WEB_IDENTITY_TOKEN_FILE=" + tokenFile,
			"AWS_ROLE_ARN=arn:aws:iam::000000000000:role/ci",
			"AWS_ROLE_SESSION_NAME=job-42",
			"AWS_DEFAULT_REGION=" + srv.Region,
			"AWS_ENDPOINT_URL_STS=" + srv.URL,
			"AWS_ENDPOINT_URL_S3=" + srv.URL,
			"AWS_CONFIG_FILE=" + filepath.Join(dir, "none"),
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	out, err := aws("s3api", "list-objects-v2", "--bucket", "builds", "--query", "Contents[].Key", "--output", "text")
	if err != nil || strings.TrimSpace(out) != "v1.tar" {
		t.Fatalf("aws s3api list-objects-v2 with a web identity: got %q, %v; want v1.tar", out, err)
	}
	out, err = aws("sts", "get-caller-identity", "--query", "Arn", "--output", "text")
	if err != nil || !strings.Contains(out, "assumed-role/oidc:job-42/") {
		t.Errorf("aws sts get-caller-identity: got %q, %v; want the web identity's assumed role", out, err)
	}
	out, err = aws("s3", "cp", tokenFile, "s3://builds/leak")
	if err == nil || !strings.Contains(out, "AccessDenied") {
		t.Errorf("aws s3 cp with a readonly web identity: got %q, %v; want AccessDenied", out, err)
	}
}

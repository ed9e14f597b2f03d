package integration

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/oidc/oidctest"
	"github.com/hoardstore/hoard/internal/testserver"
)

// webIdentityServer starts a provider and a server that accepts its
// tokens for the client "hoard" (and "hoard-cli").
func webIdentityServer(t *testing.T) (*testserver.Server, *oidctest.Provider) {
	t.Helper()
	p, err := oidctest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	srv := testserver.Start(t, testserver.Options{Configure: func(c *config.Server) {
		c.OpenID = config.OpenIDSettings{ConfigURL: p.ConfigURL(), ClientIDs: []string{"hoard", "hoard-cli"}}
	}})
	return srv, p
}

// stsClient is an aws-sdk-go-v2 STS client for the server; the SDK sends
// AssumeRoleWithWebIdentity unsigned.
func stsClient(t *testing.T, e testserver.Endpoint) *sts.Client {
	return sts.New(sts.Options{BaseEndpoint: aws.String(e.URL), Region: e.Region, HTTPClient: e.HTTPClient(t), Retryer: aws.NopRetryer{}})
}

// TestSTSWebIdentity trades OpenID Connect identity tokens for temporary
// credentials with aws-sdk-go-v2 and minio-go: the session has the
// policies the token's claim names (and ${jwt:sub} works in them), a
// session policy narrows it, and bad tokens get STS's errors.
func TestSTSWebIdentity(t *testing.T) {
	srv, p := webIdentityServer(t)
	e := srv.Endpoint
	ctx := context.Background()
	for _, b := range []string{"oidc-data", "oidc-other"} {
		if err := e.MinioClient(t).MakeBucket(ctx, b, minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	iamOK(t, e, "PUT", "policies/oidc-home", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::oidc-data/${jwt:sub}/*"},
 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::oidc-data"}]}`)
	sc := stsClient(t, e)
	assume := func(tok, policyDoc string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/any"),
			RoleSessionName: aws.String("test-session"), WebIdentityToken: aws.String(tok), DurationSeconds: aws.Int32(900)}
		if policyDoc != "" {
			in.Policy = aws.String(policyDoc)
		}
		return sc.AssumeRoleWithWebIdentity(ctx, in)
	}
	s3As := func(c *sts.AssumeRoleWithWebIdentityOutput) *s3.Client {
		return e.S3Client(t, func(o *s3.Options) {
			o.Credentials = awscreds.NewStaticCredentialsProvider(*c.Credentials.AccessKeyId, *c.Credentials.SecretAccessKey, *c.Credentials.SessionToken)
		})
	}
	put := func(c *s3.Client, bucket, key string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")})
		return err
	}

	tok, err := p.Token("alice-sub", "hoard", time.Hour, map[string]any{"policy": "oidc-home", "preferred_username": "alice"})
	must(t, "mint", err)
	out, err := assume(tok, "")
	must(t, "AssumeRoleWithWebIdentity", err)
	if aws.ToString(out.SubjectFromWebIdentityToken) != "alice-sub" || aws.ToString(out.Audience) != "hoard" || aws.ToString(out.Provider) != p.Issuer() ||
		!strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") || out.Credentials.Expiration == nil ||
		!strings.Contains(aws.ToString(out.AssumedRoleUser.Arn), "assumed-role/oidc:alice-sub/test-session") {
		t.Fatalf("response: subject %q audience %q provider %q key %q arn %q", aws.ToString(out.SubjectFromWebIdentityToken),
			aws.ToString(out.Audience), aws.ToString(out.Provider), aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.AssumedRoleUser.Arn))
	}
	if d := time.Until(*out.Credentials.Expiration); d < 14*time.Minute || d > 16*time.Minute {
		t.Errorf("expiry in %v, want 15 minutes", d)
	}
	alice := s3As(out)
	must(t, "PUT in the token subject's folder", put(alice, "oidc-data", "alice-sub/a.txt"))
	wantAWSError(t, "PUT in another folder", put(alice, "oidc-data", "bob-sub/a.txt"), "AccessDenied", http.StatusForbidden)
	wantAWSError(t, "PUT in another bucket", put(alice, "oidc-other", "alice-sub/a.txt"), "AccessDenied", http.StatusForbidden)
	_, err = alice.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("oidc-data")})
	must(t, "ListObjectsV2", err)

	// A session policy narrows the session to reads.
	ro, err := assume(tok, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	must(t, "narrowed AssumeRoleWithWebIdentity", err)
	_, err = s3As(ro).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("oidc-data"), Key: aws.String("alice-sub/a.txt")})
	must(t, "narrowed GET", err)
	wantAWSError(t, "narrowed PUT", put(s3As(ro), "oidc-data", "alice-sub/b.txt"), "AccessDenied", http.StatusForbidden)

	// minio-go's web identity provider, with a built-in policy from an
	// array claim and the second accepted client.
	tok2, err := p.Token("carol-sub", "hoard-cli", time.Hour, map[string]any{"policy": []string{"readonly", "no-such-policy"}})
	must(t, "mint", err)
	mc, err := credentials.NewSTSWebIdentity(e.URL, func() (*credentials.WebIdentityToken, error) {
		return &credentials.WebIdentityToken{Token: tok2, Expiry: 900}, nil
	})
	must(t, "NewSTSWebIdentity", err)
	v, err := mc.GetWithContext(&credentials.CredContext{Client: e.HTTPClient(t)})
	must(t, "minio-go web identity", err)
	carol := e.MinioClient(t, func(o *minio.Options) {
		o.Creds = credentials.NewStaticV4(v.AccessKeyID, v.SecretAccessKey, v.SessionToken)
	})
	if _, err := carol.StatObject(ctx, "oidc-data", "alice-sub/a.txt", minio.StatObjectOptions{}); err != nil {
		t.Errorf("readonly session reads: %v", err)
	}
	_, err = carol.PutObject(ctx, "oidc-data", "carol.txt", strings.NewReader("x"), 1, minio.PutObjectOptions{})
	wantMinioError(t, "readonly session writes", err, "AccessDenied", http.StatusForbidden)

	// Bad tokens and requests get STS's answers.
	wantSTSError := func(what string, err error, code string, status int) {
		t.Helper()
		var ae smithy.APIError
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &ae) || ae.ErrorCode() != code || !errors.As(err, &re) || re.HTTPStatusCode() != status {
			t.Errorf("%s: got %v, want %s (%d)", what, err, code, status)
		}
	}
	expired, _ := p.Token("alice-sub", "hoard", -time.Minute, map[string]any{"policy": "oidc-home"})
	_, err = assume(expired, "")
	wantSTSError("expired token", err, "ExpiredTokenException", http.StatusBadRequest)
	foreign, _ := p.Token("alice-sub", "someone-else", time.Hour, map[string]any{"policy": "oidc-home"})
	_, err = assume(foreign, "")
	wantSTSError("token for another client", err, "InvalidIdentityToken", http.StatusBadRequest)
	_, err = assume(tok[:len(tok)-4]+"AAAA", "")
	wantSTSError("altered signature", err, "InvalidIdentityToken", http.StatusBadRequest)
	noPolicy, _ := p.Token("dave-sub", "hoard", time.Hour, map[string]any{"policy": "nothing-here"})
	_, err = assume(noPolicy, "")
	wantSTSError("no known policy", err, "AccessDenied", http.StatusForbidden)
	_, err = assume(tok, `{"Version":"2012-10-17"}`)
	wantSTSError("malformed session policy", err, "MalformedPolicyDocument", http.StatusBadRequest)
	_, err = sc.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/any"),
		RoleSessionName: aws.String("x"), WebIdentityToken: aws.String(tok), DurationSeconds: aws.Int32(60)})
	wantSTSError("duration too short", err, "ValidationError", http.StatusBadRequest)

	// Unsigned calls of any other action are refused.
	resp, err := e.HTTPClient(t).Post(e.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=AssumeRole&Version=2011-06-15"))
	must(t, "unsigned AssumeRole", err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned AssumeRole: got %d, want 403", resp.StatusCode)
	}
}

// TestSTSWebIdentityProviderDown: while the provider cannot be reached,
// AssumeRoleWithWebIdentity answers IDPCommunicationError, and works
// once it answers again, without a restart.
func TestSTSWebIdentityProviderDown(t *testing.T) {
	srv, p := webIdentityServer(t)
	tok, err := p.Token("u", "hoard", time.Hour, map[string]any{"policy": "readonly"})
	must(t, "mint", err)
	sc := stsClient(t, srv.Endpoint)
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/any"),
		RoleSessionName: aws.String("sess"), WebIdentityToken: aws.String(tok)}
	p.SetDown(true)
	_, err = sc.AssumeRoleWithWebIdentity(context.Background(), in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "IDPCommunicationError" {
		t.Fatalf("provider down: got %v, want IDPCommunicationError", err)
	}
	p.SetDown(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = sc.AssumeRoleWithWebIdentity(context.Background(), in)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("provider back: still %v after 10 s", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestSTSGetCallerIdentity asks who signed, as Terraform and
// `aws sts get-caller-identity` do, for the root user, an IAM user and a
// web identity session.
func TestSTSGetCallerIdentity(t *testing.T) {
	srv, p := webIdentityServer(t)
	e := srv.Endpoint
	ctx := context.Background()
	addUser(t, e, "ivan", "readonly")
	who := func(access, secret, token string) (*sts.GetCallerIdentityOutput, error) {
		c := sts.New(sts.Options{BaseEndpoint: aws.String(e.URL), Region: e.Region, HTTPClient: e.HTTPClient(t), Retryer: aws.NopRetryer{},
			Credentials: awscreds.NewStaticCredentialsProvider(access, secret, token)})
		return c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	}
	tok, err := p.Token("zed-sub", "hoard", time.Hour, map[string]any{"policy": "readonly"})
	must(t, "mint", err)
	web, err := stsClient(t, e).AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/any"),
		RoleSessionName: aws.String("zed"), WebIdentityToken: aws.String(tok)})
	must(t, "AssumeRoleWithWebIdentity", err)
	wc := web.Credentials
	for _, tt := range []struct {
		name                string
		access, secret, tok string
		wantArn, wantUserID string
	}{
		{"root", e.AccessKey, e.SecretKey, "", "arn:aws:iam::000000000000:root", "000000000000"},
		{"IAM user", "ivan", "ivan-secret-key", "", "arn:aws:iam::000000000000:user/ivan", "ivan"},
		{"web identity session", *wc.AccessKeyId, *wc.SecretAccessKey, *wc.SessionToken,
			"arn:aws:sts::000000000000:assumed-role/oidc:zed-sub/" + *wc.AccessKeyId, "oidc:zed-sub:" + *wc.AccessKeyId},
	} {
		out, err := who(tt.access, tt.secret, tt.tok)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if aws.ToString(out.Arn) != tt.wantArn || aws.ToString(out.UserId) != tt.wantUserID || aws.ToString(out.Account) != "000000000000" {
			t.Errorf("%s: got %q %q %q, want %q %q", tt.name, aws.ToString(out.Arn), aws.ToString(out.UserId), aws.ToString(out.Account), tt.wantArn, tt.wantUserID)
		}
	}
	var ae smithy.APIError
	if _, err := who("ivan", "wrong-secret-key", ""); !errors.As(err, &ae) || ae.ErrorCode() != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: got %v, want SignatureDoesNotMatch", err)
	}
	if _, err := who(*wc.AccessKeyId, *wc.SecretAccessKey, *wc.SessionToken+"x"); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("altered session token: got %v, want InvalidClientTokenId", err)
	}
}

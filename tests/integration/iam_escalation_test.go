package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// sigCred is an endpoint's key pair for signing admin calls.
func sigCred(e testserver.Endpoint) sigv4.Credentials {
	return sigv4.Credentials{AccessKey: e.AccessKey, SecretKey: e.SecretKey}
}

// sendPostForm sends a browser-style POST Object form with its file and
// returns the status and body.
func sendPostForm(t testing.TB, e testserver.Endpoint, target string, fields map[string]string, file []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		must(t, "write field", w.WriteField(k, fields[k]))
	}
	fw, err := w.CreateFormFile("file", "f.txt")
	must(t, "create file part", err)
	fw.Write(file)
	must(t, "close form", w.Close())
	req, err := http.NewRequest(http.MethodPost, target, &buf)
	must(t, "new request", err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := e.HTTPClient(t).Do(req)
	must(t, "post", err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestIAMNoEscalation: a user's policies are the ceiling of what it can
// reach. A wildcard or NotAction statement scoped to a bucket grants no
// administration; only root manages root's service accounts (which would
// carry root's powers); object lock and tags set through a copy or a
// browser upload need the same permissions as through a PUT. Each case
// was a way from a limited key to root, or past a Deny, before it was
// closed.
func TestIAMNoEscalation(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	ctx := context.Background()
	root := e.MinioClient(t)
	if err := root.MakeBucket(ctx, "esc-lock", minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	iamOK(t, e, "PUT", "policies/bucket-star", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::esc-lock","arn:aws:s3:::esc-lock/*"]},
		{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::esc-lock/*"},
		{"Effect":"Deny","Action":["s3:PutObjectRetention","s3:PutObjectLegalHold","s3:PutObjectTagging"],"Resource":"*"}]}`)
	iamOK(t, e, "PUT", "policies/svc-maker", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["admin:CreateServiceAccount","admin:UpdateServiceAccount","admin:ListServiceAccounts"]}]}`)
	star := addUser(t, e, "star-user", "bucket-star")
	maker := addUser(t, e, "svc-maker", "svc-maker")

	t.Run("bucket-scoped wildcard grants no administration", func(t *testing.T) {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "users", ""},
			{"POST", "users", `{"accessKey":"sneaky","secretKey":"sneaky-secret-key"}`},
			{"POST", "attach", `{"policies":["consoleAdmin"],"user":"star-user"}`},
			{"POST", "svcaccts", `{"parent":"` + e.AccessKey + `"}`},
		} {
			if status, out := iamAdmin(t, e, sigCred(star), c.method, c.path, []byte(c.body)); status != http.StatusForbidden {
				t.Errorf("%s iam/%s as a bucket-scoped user: got %d %s, want 403", c.method, c.path, status, out)
			}
		}
	})
	t.Run("only root manages root's service accounts", func(t *testing.T) {
		status, out := iamAdmin(t, e, sigCred(maker), "POST", "svcaccts", []byte(`{"parent":"`+e.AccessKey+`","secretKey":"attacker-chosen-secret"}`))
		if status != http.StatusForbidden {
			t.Fatalf("create a root service account as a user with admin:CreateServiceAccount: got %d %s, want 403", status, out)
		}
		if status, out := iamAdmin(t, e, sigCred(maker), "GET", "svcaccts?user="+url.QueryEscape(e.AccessKey), nil); status != http.StatusForbidden {
			t.Errorf("list root's service accounts as a user: got %d %s, want 403", status, out)
		}
		// Root's own account, made by root, cannot be taken over.
		var made struct{ AccessKey string }
		must(t, "decode", json.Unmarshal(iamOK(t, e, "POST", "svcaccts", map[string]any{"parent": e.AccessKey}), &made))
		if status, out := iamAdmin(t, e, sigCred(maker), "POST", "svcaccts/"+made.AccessKey, []byte(`{"secretKey":"attacker-chosen-secret"}`)); status != http.StatusForbidden {
			t.Errorf("edit root's service account as a user: got %d %s, want 403", status, out)
		}
	})
	t.Run("the owner's display name is not the root access key", func(t *testing.T) {
		out, err := star.S3Client(t).ListBuckets(ctx, &s3.ListBucketsInput{})
		must(t, "ListBuckets", err)
		if out.Owner == nil || aws.ToString(out.Owner.DisplayName) == e.AccessKey || aws.ToString(out.Owner.ID) == "" {
			t.Errorf("ListBuckets as a user: got owner %+v, want an ID and a display name that is not the root access key", out.Owner)
		}
	})

	sc := star.MinioClient(t)
	if _, err := root.PutObject(ctx, "esc-lock", "src", strings.NewReader("data"), 4, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(100 * 365 * 24 * time.Hour).UTC().Truncate(time.Second)
	t.Run("copy with a lock needs the lock permissions", func(t *testing.T) {
		mode := minio.Compliance
		_, err := sc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "esc-lock", Object: "locked-copy", Mode: mode, RetainUntilDate: until},
			minio.CopySrcOptions{Bucket: "esc-lock", Object: "src"})
		wantMinioError(t, "copy with COMPLIANCE retention, s3:PutObjectRetention denied", err, "AccessDenied", 403)
		_, err = sc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "esc-lock", Object: "held-copy", LegalHold: minio.LegalHoldEnabled},
			minio.CopySrcOptions{Bucket: "esc-lock", Object: "src"})
		wantMinioError(t, "copy with legal hold, s3:PutObjectLegalHold denied", err, "AccessDenied", 403)
		_, err = sc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "esc-lock", Object: "tagged-copy", ReplaceTags: true, UserTags: map[string]string{"a": "b"}},
			minio.CopySrcOptions{Bucket: "esc-lock", Object: "src"})
		wantMinioError(t, "copy replacing tags, s3:PutObjectTagging denied", err, "AccessDenied", 403)
		_, err = sc.CopyObject(ctx, minio.CopyDestOptions{Bucket: "esc-lock", Object: "plain-copy"}, minio.CopySrcOptions{Bucket: "esc-lock", Object: "src"})
		must(t, "plain copy", err)
		for _, k := range []string{"locked-copy", "held-copy", "tagged-copy"} {
			if _, err := root.StatObject(ctx, "esc-lock", k, minio.StatObjectOptions{}); err == nil {
				t.Errorf("%s exists after a refused copy", k)
			}
		}
	})
	t.Run("browser upload with a lock needs the lock permissions", func(t *testing.T) {
		p := minio.NewPostPolicy()
		must(t, "bucket", p.SetBucket("esc-lock"))
		must(t, "key", p.SetKey("posted"))
		must(t, "expires", p.SetExpires(time.Now().Add(time.Hour)))
		p.SetContentLengthRange(0, 1<<20)
		must(t, "legal hold", p.SetUserData("object-lock-legal-hold", "ON"))
		u, form, err := sc.PresignedPostPolicy(ctx, p)
		must(t, "presign", err)
		status, body := sendPostForm(t, e, u.String(), form, []byte("data"))
		if status != http.StatusForbidden || !strings.Contains(body, "AccessDenied") {
			t.Errorf("POST with legal hold, s3:PutObjectLegalHold denied: got %d %s, want 403 AccessDenied", status, body)
		}
		if _, err := root.StatObject(ctx, "esc-lock", "posted", minio.StatObjectOptions{}); err == nil {
			t.Errorf("posted exists after a refused upload")
		}
	})
}

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// iamAdmin calls the admin API's IAM endpoints signed with cred and
// returns the status and the answer.
func iamAdmin(t testing.TB, e testserver.Endpoint, cred sigv4.Credentials, method, path string, body []byte) (int, []byte) {
	t.Helper()
	return adminCall(t, e, cred, method, "iam/"+path, body)
}

// adminCall calls the admin endpoint path (under /hoard/admin/v1/) signed
// with cred and returns the status and the answer.
func adminCall(t testing.TB, e testserver.Endpoint, cred sigv4.Credentials, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+"/hoard/admin/v1/"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.SignRequest(req, cred, e.Region, sha256Hex(body), time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := e.HTTPClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// iamOK is iamAdmin as root, failing the test unless it answers 200.
func iamOK(t testing.TB, e testserver.Endpoint, method, path string, body any) []byte {
	t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	default:
		data, _ = json.Marshal(b)
	}
	status, out := iamAdmin(t, e, sigv4.Credentials{AccessKey: e.AccessKey, SecretKey: e.SecretKey}, method, path, data)
	if status != http.StatusOK {
		t.Fatalf("%s iam/%s: got %d %s, want 200", method, path, status, out)
	}
	return out
}

// as returns the endpoint with other credentials.
func as(e testserver.Endpoint, access, secret string) testserver.Endpoint {
	e.AccessKey, e.SecretKey = access, secret
	return e
}

// addUser creates a user with policies attached.
func addUser(t testing.TB, e testserver.Endpoint, name string, policies ...string) testserver.Endpoint {
	t.Helper()
	secret := name + "-secret-key"
	iamOK(t, e, "POST", "users", map[string]string{"accessKey": name, "secretKey": secret})
	if len(policies) > 0 {
		iamOK(t, e, "POST", "attach", map[string]any{"policies": policies, "user": name})
	}
	return as(e, name, secret)
}

const scopedPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:GetObjectTagging"],"Resource":"arn:aws:s3:::iam-data/home/${aws:username}/*"},
 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::iam-data","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}`

// TestIAMUserPolicies gives users the built-in readonly and writeonly
// policies and a per-user home-directory policy, and checks with
// aws-sdk-go-v2 that each gets AccessDenied for exactly the operations its
// policy does not allow, across the operation families.
func TestIAMUserPolicies(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	ctx := context.Background()
	root := e.S3Client(t)
	for _, b := range []string{"iam-data", "iam-other"} {
		if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"pub/a", "home/scoped/a", "home/reader/a"} {
		if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("iam-data"), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	iamOK(t, e, "PUT", "policies/home", scopedPolicy)
	users := map[string]*s3.Client{
		"reader": addUser(t, e, "reader", "readonly").S3Client(t),
		"writer": addUser(t, e, "writer", "writeonly").S3Client(t),
		"scoped": addUser(t, e, "scoped", "home").S3Client(t),
		"nobody": addUser(t, e, "nobody").S3Client(t),
	}
	type op struct {
		name string
		do   func(c *s3.Client) error
	}
	b := aws.String("iam-data")
	ops := map[string]op{
		"ListBuckets": {"ListBuckets", func(c *s3.Client) error { _, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); return err }},
		"List": {"ListObjectsV2", func(c *s3.Client) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
			return err
		}},
		"ListHome": {"ListObjectsV2 home/scoped/", func(c *s3.Client) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("home/scoped/")})
			return err
		}},
		"Get": {"GetObject pub/a", func(c *s3.Client) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("pub/a")})
			return err
		}},
		"GetHome": {"GetObject home/scoped/a", func(c *s3.Client) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("home/scoped/a")})
			return err
		}},
		"GetOtherHome": {"GetObject home/reader/a", func(c *s3.Client) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("home/reader/a")})
			return err
		}},
		"Head": {"HeadObject", func(c *s3.Client) error {
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("pub/a")})
			return err
		}},
		"Put": {"PutObject", func(c *s3.Client) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("new/x"), Body: strings.NewReader("y")})
			return err
		}},
		"PutHome": {"PutObject home/scoped/", func(c *s3.Client) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("home/scoped/n"), Body: strings.NewReader("y")})
			return err
		}},
		"Multipart": {"CreateMultipartUpload", func(c *s3.Client) error {
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp/x")})
			return err
		}},
		"Copy": {"CopyObject", func(c *s3.Client) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy/x"), CopySource: aws.String("iam-data/pub/a")})
			return err
		}},
		"Delete": {"DeleteObject", func(c *s3.Client) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("nothing-here")})
			return err
		}},
		"DeleteHome": {"DeleteObject home/scoped/", func(c *s3.Client) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("home/scoped/gone")})
			return err
		}},
		"GetTagging": {"GetObjectTagging", func(c *s3.Client) error {
			_, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: aws.String("pub/a")})
			return err
		}},
		"PutTagging": {"PutObjectTagging", func(c *s3.Client) error {
			_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: aws.String("pub/a"), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			return err
		}},
		"CreateBucket": {"CreateBucket", func(c *s3.Client) error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("iam-new")})
			return err
		}},
		"GetVersioning": {"GetBucketVersioning", func(c *s3.Client) error {
			_, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
			return err
		}},
		"PutPolicy": {"PutBucketPolicy", func(c *s3.Client) error {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(publicPolicy("iam-data"))})
			return err
		}},
		"GetLifecycle": {"GetBucketLifecycleConfiguration", func(c *s3.Client) error {
			_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
			return err
		}},
		"ListVersions": {"ListObjectVersions", func(c *s3.Client) error {
			_, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
			return err
		}},
		"ListUploads": {"ListMultipartUploads", func(c *s3.Client) error {
			_, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
			return err
		}},
		"GetOtherBucket": {"ListObjectsV2 iam-other", func(c *s3.Client) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("iam-other")})
			return err
		}},
		"DeleteBucket": {"DeleteBucket", func(c *s3.Client) error {
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("iam-other")})
			return err
		}},
		"GetBucketPolicy": {"GetBucketPolicy", func(c *s3.Client) error {
			_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
			return err
		}},
	}
	// allowed lists, per user, the operations its policy allows; every
	// other one must be AccessDenied.
	allowed := map[string][]string{
		"reader": {"ListBuckets", "List", "ListHome", "Get", "GetHome", "GetOtherHome", "Head", "GetTagging", "ListVersions", "GetOtherBucket"},
		"writer": {"ListBuckets", "Put", "PutHome", "Multipart"},
		"scoped": {"ListBuckets", "ListHome", "GetHome", "PutHome", "DeleteHome"},
		"nobody": {"ListBuckets"},
	}
	for user, c := range users {
		for key, o := range ops {
			want := false
			for _, a := range allowed[user] {
				want = want || a == key
			}
			t.Run(user+"/"+o.name, func(t *testing.T) {
				err := o.do(c)
				code, status := awsError(err)
				if code == "Forbidden" && status == 403 {
					code = "AccessDenied" // a HEAD answer has no body to carry the code
				}
				if want && code == "AccessDenied" {
					t.Errorf("got AccessDenied, want it allowed")
				}
				if !want && code != "AccessDenied" {
					t.Errorf("got %v, want AccessDenied", err)
				}
			})
		}
	}
	// No STS: a session token is refused, not ignored.
	tokened := e.S3Client(t, func(o *s3.Options) {
		o.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "reader", SecretAccessKey: "reader-secret-key", SessionToken: "token"}, nil
		}))
	})
	_, err := tokened.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAWSError(t, "ListBuckets with a session token", err, "InvalidToken", 400)
	// ListBuckets shows each user the buckets it may list.
	for user, want := range map[string]int{"reader": 2, "writer": 0, "scoped": 0} {
		out, err := users[user].ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != want {
			t.Errorf("%s ListBuckets: got %d buckets (%v), want %d", user, len(out.Buckets), err, want)
		}
	}
}

// TestIAMServiceAccount checks with minio-go that a service account has
// its parent's permissions at most, narrowed by its own policy, and stops
// when disabled, removed, or its parent is disabled.
func TestIAMServiceAccount(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	ctx := context.Background()
	root := e.MinioClient(t)
	for _, b := range []string{"svc-a", "svc-b"} {
		if err := root.MakeBucket(ctx, b, minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	iamOK(t, e, "PUT", "policies/only-a", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::svc-a","arn:aws:s3:::svc-a/*"]}]}`)
	parent := addUser(t, e, "parent", "only-a")
	var wide, narrow struct{ AccessKey, SecretKey string }
	// The wide account's own policy allows everything: it still has only
	// what its parent has.
	json.Unmarshal(iamOK(t, e, "POST", "svcaccts", map[string]any{"parent": "parent",
		"policy": json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}), &wide)
	json.Unmarshal(iamOK(t, e, "POST", "svcaccts", map[string]any{"parent": "parent",
		"policy": json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}), &narrow)
	put := func(c *minio.Client, bucket string) error {
		_, err := c.PutObject(ctx, bucket, "k", strings.NewReader("v"), 1, minio.PutObjectOptions{})
		return err
	}
	get := func(c *minio.Client, bucket string) error {
		o, err := c.GetObject(ctx, bucket, "k", minio.GetObjectOptions{})
		if err == nil {
			_, err = io.ReadAll(o)
			o.Close()
		}
		return err
	}
	must(t, "root put", put(root, "svc-b"))
	pc := parent.MinioClient(t)
	wc := as(e, wide.AccessKey, wide.SecretKey).MinioClient(t)
	nc := as(e, narrow.AccessKey, narrow.SecretKey).MinioClient(t)
	must(t, "parent put a", put(pc, "svc-a"))
	wantMinioError(t, "parent put b", put(pc, "svc-b"), "AccessDenied", 403)
	must(t, "wide put a", put(wc, "svc-a"))
	wantMinioError(t, "wide put b: more than its parent", put(wc, "svc-b"), "AccessDenied", 403)
	wantMinioError(t, "wide get b: more than its parent", get(wc, "svc-b"), "AccessDenied", 403)
	must(t, "narrow get a", get(nc, "svc-a"))
	wantMinioError(t, "narrow put a: its own policy", put(nc, "svc-a"), "AccessDenied", 403)
	// Disabling the parent stops the accounts; enabling brings them back.
	iamOK(t, e, "POST", "users/parent/disable", "{}")
	wantMinioError(t, "wide with parent disabled", get(wc, "svc-a"), "InvalidAccessKeyId", 403)
	iamOK(t, e, "POST", "users/parent/enable", "{}")
	must(t, "wide with parent enabled", get(wc, "svc-a"))
	iamOK(t, e, "POST", "svcaccts/"+wide.AccessKey, map[string]any{"status": "disabled"})
	wantMinioError(t, "wide disabled", get(wc, "svc-a"), "InvalidAccessKeyId", 403)
	iamOK(t, e, "DELETE", "svcaccts/"+narrow.AccessKey, nil)
	wantMinioError(t, "narrow removed", get(nc, "svc-a"), "InvalidAccessKeyId", 403)
	// Secrets never come back after creation.
	for _, path := range []string{"svcaccts?user=parent", "svcaccts/" + wide.AccessKey, "users", "users/parent"} {
		if out := iamOK(t, e, "GET", path, nil); bytes.Contains(out, []byte(wide.SecretKey)) || bytes.Contains(out, []byte("parent-secret-key")) {
			t.Errorf("GET %s shows a secret: %s", path, out)
		}
	}
	// A user manages its own service accounts without admin actions, and
	// nobody else's.
	cred := sigv4.Credentials{AccessKey: "parent", SecretKey: "parent-secret-key"}
	if status, out := iamAdmin(t, e, cred, "POST", "svcaccts", []byte(`{}`)); status != 200 {
		t.Errorf("own service account: got %d %s", status, out)
	}
	addUser(t, e, "stranger")
	if status, _ := iamAdmin(t, e, cred, "GET", "svcaccts?user=stranger", nil); status != 403 {
		t.Errorf("another user's service accounts: got %d, want 403", status)
	}
}

// TestIAMAdminBadInput checks that refused IAM changes say why and change
// nothing, and that admin calls need admin actions.
func TestIAMAdminBadInput(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	rootCred := sigv4.Credentials{AccessKey: e.AccessKey, SecretKey: e.SecretKey}
	addUser(t, e, "alice")
	iamOK(t, e, "PUT", "policies/p1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	iamOK(t, e, "POST", "attach", map[string]any{"policies": []string{"p1"}, "user": "alice"})
	before := iamOK(t, e, "GET", "users", nil)
	tests := []struct {
		name, method, path, body string
		status                   int
		code, says               string
	}{
		{"duplicate user", "POST", "users", `{"accessKey":"alice","secretKey":"other-secret"}`, 409, "AlreadyExists", "alice"},
		{"root's key", "POST", "users", `{"accessKey":"` + e.AccessKey + `","secretKey":"other-secret"}`, 409, "AlreadyExists", ""},
		{"short secret", "POST", "users", `{"accessKey":"bob","secretKey":"short"}`, 400, "InvalidArgument", "secret"},
		{"unknown field", "POST", "users", `{"accessKey":"bob","secretKey":"long-enough","admin":true}`, 400, "InvalidArgument", "admin"},
		{"malformed policy", "PUT", "policies/bad", "{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Effect\":\"Allow\" \"Action\":\"s3:*\"}]}", 400, "MalformedPolicy", "line 2"},
		{"oversized policy", "PUT", "policies/big", `{"Version":"2012-10-17","Id":"` + strings.Repeat("x", 21000) + `","Statement":[]}`, 400, "MalformedPolicy", "at most"},
		{"unknown action", "PUT", "policies/bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"admin:Everything"}]}`, 400, "MalformedPolicy", "Statement[1]"},
		{"principal in identity policy", "PUT", "policies/bad", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, 400, "MalformedPolicy", "principal"},
		{"remove attached policy", "DELETE", "policies/p1", "", 409, "PolicyInUse", "alice"},
		{"remove built-in", "DELETE", "policies/readonly", "", 400, "BuiltinPolicy", ""},
		{"attach unknown policy", "POST", "attach", `{"policies":["readonly","nope"],"user":"alice"}`, 404, "NoSuchPolicy", "nope"},
		{"attach to missing user", "POST", "attach", `{"policies":["readonly"],"user":"zed"}`, 404, "NoSuchUser", "zed"},
		{"group of unknown user", "POST", "groups/g/members", `{"members":["alice","zed"]}`, 404, "NoSuchUser", "zed"},
		{"disable missing user", "POST", "users/zed/disable", `{}`, 404, "NoSuchUser", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := iamAdmin(t, e, rootCred, tt.method, tt.path, []byte(tt.body))
			var body struct{ Code, Message string }
			json.Unmarshal(out, &body)
			if status != tt.status || body.Code != tt.code || !strings.Contains(body.Message, tt.says) {
				t.Errorf("got %d %s, want %d %s saying %q", status, out, tt.status, tt.code, tt.says)
			}
		})
	}
	if after := iamOK(t, e, "GET", "users", nil); !bytes.Equal(before, after) {
		t.Errorf("refused changes changed the users:\n%s\n%s", before, after)
	}
	iamOK(t, e, "GET", "policies/p1", nil)
	// Admin actions: alice may not administer; a user with
	// admin:ListUsers may list but not create.
	aliceCred := sigv4.Credentials{AccessKey: "alice", SecretKey: "alice-secret-key"}
	if status, _ := iamAdmin(t, e, aliceCred, "GET", "users", nil); status != 403 {
		t.Errorf("alice lists users: got %d, want 403", status)
	}
	iamOK(t, e, "PUT", "policies/lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"admin:ListUsers"}]}`)
	addUser(t, e, "lister", "lister")
	lister := sigv4.Credentials{AccessKey: "lister", SecretKey: "lister-secret-key"}
	if status, out := iamAdmin(t, e, lister, "GET", "users", nil); status != 200 {
		t.Errorf("lister lists users: got %d %s", status, out)
	}
	if status, _ := iamAdmin(t, e, lister, "POST", "users", []byte(`{"accessKey":"sneaky","secretKey":"sneaky-secret"}`)); status != 403 {
		t.Errorf("lister creates a user: got %d, want 403", status)
	}
	if status, _ := iamAdmin(t, e, lister, "POST", "attach", []byte(`{"policies":["consoleAdmin"],"user":"lister"}`)); status != 403 {
		t.Errorf("lister attaches consoleAdmin to itself: got %d, want 403", status)
	}
}

// TestIAMClusterEnforcement disables a user on one node of a 4-node
// cluster and measures how long until every node refuses its key.
func TestIAMClusterEnforcement(t *testing.T) {
	nodes := testserver.StartCluster(t, testserver.ClusterOptions{Nodes: 4})
	ctx := context.Background()
	e0 := nodes[0].Endpoint
	if err := e0.MinioClient(t).MakeBucket(ctx, "iam-cluster", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	addUser(t, e0, "roamer", "readwrite")
	clients := make([]*minio.Client, len(nodes))
	for i, n := range nodes {
		clients[i] = as(n.Endpoint, "roamer", "roamer-secret-key").MinioClient(t)
	}
	probe := func(c *minio.Client) error {
		_, err := c.BucketExists(ctx, "iam-cluster")
		return err
	}
	// Every node learns of the new user within a second.
	waitAll := func(what string, ok func(error) bool) time.Duration {
		start := time.Now()
		deadline := start.Add(5 * time.Second)
		for i, c := range clients {
			for {
				err := probe(c)
				if ok(err) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: node %d still answers %v after 5s", what, i, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		return time.Since(start)
	}
	if d := waitAll("user added", func(err error) bool { return err == nil }); d > time.Second {
		t.Errorf("a new user took %v to work on every node, want at most 1s", d)
	}
	start := time.Now()
	iamOK(t, nodes[1].Endpoint, "POST", "users/roamer/disable", "{}")
	refused := func(err error) bool { return minio.ToErrorResponse(err).Code == "InvalidAccessKeyId" }
	d := waitAll("user disabled", refused)
	t.Logf("disable call took %v; all %d nodes refused the key %v after it returned", time.Since(start)-d, len(nodes), d)
	if d > time.Second {
		t.Errorf("a disabled user was refused on every node after %v, want at most 1s", d)
	}
	// Detaching the policy is enforced likewise (AccessDenied).
	iamOK(t, nodes[2].Endpoint, "POST", "users/roamer/enable", "{}")
	waitAll("user enabled", func(err error) bool { return err == nil })
	iamOK(t, nodes[3].Endpoint, "POST", "detach", map[string]any{"policies": []string{"readwrite"}, "user": "roamer"})
	if d := waitAll("policy detached", func(err error) bool { return minio.ToErrorResponse(err).Code == "AccessDenied" }); d > time.Second {
		t.Errorf("a detached policy was enforced on every node after %v, want at most 1s", d)
	}
}
